"""The back office's settings: every environment variable it reads, with its default, in one place.

Nothing here connects to anything. `get_settings()` reads the environment once per process; tests build a
`Settings` directly (its defaults never read the environment) and hand it to `create_app`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _path(raw: str) -> Path:
    path = Path(raw)
    return path if path.is_absolute() else PROJECT_ROOT / path


@dataclass(frozen=True)
class Settings:
    """Values the back office runs with."""

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'backoffice.db'}"
    host: str = "127.0.0.1"
    port: int = 5080
    public_url: str = "http://127.0.0.1:5080"
    api_keys: tuple[str, ...] = ()
    catalogue_path: Path = PROJECT_ROOT / "cities" / "helsinki" / "services.yml"
    districts_path: Path | None = PROJECT_ROOT / "cities" / "helsinki" / "districts.geojson"
    default_agency: str = "City of Helsinki"
    media_dir: Path = PROJECT_ROOT / "var" / "backoffice-media"
    media_max_bytes: int = 10 * 1024 * 1024
    admin_user: str = ""
    admin_password: str = ""
    jurisdiction_id: str = ""

    @property
    def open311_url(self) -> str:
        """The public base URL of the Open311 API, ending in a slash."""
        return f"{self.public_url}/open311/v2/"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Builds settings from an environment mapping; unset or blank variables keep their defaults."""

        def get(name: str) -> str:
            return env.get(name, "").strip()

        defaults = cls()
        districts = get("BACKOFFICE_DISTRICTS")
        catalogue = get("BACKOFFICE_CATALOGUE")
        media_dir = get("BACKOFFICE_MEDIA_DIR")
        return cls(
            database_url=get("DATABASE_URL") or defaults.database_url,
            host=get("BACKOFFICE_HOST") or defaults.host,
            port=int(get("BACKOFFICE_PORT") or defaults.port),
            public_url=(get("BACKOFFICE_PUBLIC_URL") or defaults.public_url).rstrip("/"),
            api_keys=tuple(k.strip() for k in get("BACKOFFICE_API_KEYS").split(",") if k.strip()),
            catalogue_path=_path(catalogue) if catalogue else defaults.catalogue_path,
            districts_path=_path(districts) if districts else defaults.districts_path,
            default_agency=get("BACKOFFICE_DEFAULT_AGENCY") or defaults.default_agency,
            media_dir=_path(media_dir) if media_dir else defaults.media_dir,
            media_max_bytes=int(get("BACKOFFICE_MEDIA_MAX_BYTES") or defaults.media_max_bytes),
            admin_user=get("BACKOFFICE_ADMIN_USER"),
            admin_password=env.get("BACKOFFICE_ADMIN_PASSWORD", ""),
            jurisdiction_id=get("BACKOFFICE_JURISDICTION_ID"),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read from `os.environ` on first use (tests call `cache_clear()`)."""
    return Settings.from_env(os.environ)
