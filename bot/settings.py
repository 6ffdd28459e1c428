"""The assistant's settings: every environment variable it reads, with its default, in one place.

Nothing here connects to anything; callers ask for `get_settings()` when they need a value, so tests can set
environment variables and call `get_settings.cache_clear()`. `.env.example` documents each variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else default


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    return raw in ("1", "true", "yes", "on") if raw else default


def _path(name: str, default: str) -> Path:
    raw = _str(name, default)
    path = Path(raw)
    return path if path.is_absolute() else PROJECT_ROOT / path


def _radii(raw: str) -> dict[str, int]:
    """Parses `pothole=30,graffiti=25,default=50` into a mapping."""
    radii: dict[str, int] = {}
    for part in raw.split(","):
        if "=" in part:
            key, value = part.split("=", 1)
            radii[key.strip()] = int(value.strip())
    return radii


@dataclass(frozen=True)
class Settings:
    """Values read from the environment once per process."""

    # City data and the back office it talks to.
    city_data_dir: Path = field(default_factory=lambda: _path("CITY_DATA_DIR", "cities/helsinki"))
    open311_url: str = field(default_factory=lambda: _str("OPEN311_URL", "http://127.0.0.1:5080/open311/v2/"))
    open311_api_key: str = field(default_factory=lambda: _str("OPEN311_API_KEY"))
    open311_jurisdiction_id: str = field(default_factory=lambda: _str("OPEN311_JURISDICTION_ID"))
    open311_timeout: float = field(default_factory=lambda: _float("OPEN311_TIMEOUT", 10.0))

    # The assistant's own state: the outbox of reports and the residents' subscriptions.
    database_url: str = field(
        default_factory=lambda: _str(
            "ASSISTANT_DATABASE_URL", f"sqlite:///{PROJECT_ROOT / 'var' / 'assistant.db'}"
        )
    )
    outbox_max_attempts: int = field(default_factory=lambda: _int("OUTBOX_MAX_ATTEMPTS", 50))
    outbox_base_delay: float = field(default_factory=lambda: _float("OUTBOX_BASE_DELAY", 5.0))
    worker_interval: float = field(default_factory=lambda: _float("WORKER_INTERVAL", 5.0))

    # Where the assistant can be reached from outside (media URLs, Twilio signatures).
    public_url: str = field(default_factory=lambda: _str("PUBLIC_URL", "http://127.0.0.1:5005").rstrip("/"))
    rasa_url: str = field(default_factory=lambda: _str("RASA_URL", "http://127.0.0.1:5005").rstrip("/"))
    rasa_token: str = field(default_factory=lambda: _str("RASA_TOKEN"))
    rest_token: str = field(default_factory=lambda: _str("REST_TOKEN"))
    rasa_tracker_db: Path = field(default_factory=lambda: _path("RASA_TRACKER_DB", "var/conversations.db"))

    # Photos.
    media_dir: Path = field(default_factory=lambda: _path("MEDIA_DIR", "var/media"))
    media_max_bytes: int = field(default_factory=lambda: _int("MEDIA_MAX_BYTES", 10 * 1024 * 1024))
    media_max_pixels: int = field(default_factory=lambda: _int("MEDIA_MAX_PIXELS", 40_000_000))
    media_max_side: int = field(default_factory=lambda: _int("MEDIA_MAX_SIDE", 2048))
    media_s3_endpoint: str = field(default_factory=lambda: _str("MEDIA_S3_ENDPOINT"))
    media_s3_bucket: str = field(default_factory=lambda: _str("MEDIA_S3_BUCKET"))
    media_s3_public_url: str = field(default_factory=lambda: _str("MEDIA_S3_PUBLIC_URL"))
    media_download_timeout: float = field(default_factory=lambda: _float("MEDIA_DOWNLOAD_TIMEOUT", 20.0))

    # Geocoding and duplicates.
    geocoder_url: str = field(default_factory=lambda: _str("GEOCODER_URL"))
    geocoder_timeout: float = field(default_factory=lambda: _float("GEOCODER_TIMEOUT", 5.0))
    duplicate_radii: dict[str, int] = field(
        default_factory=lambda: _radii(_str("DUPLICATE_RADII", "pothole=30,graffiti=25,default=50"))
    )
    duplicate_days: int = field(default_factory=lambda: _int("DUPLICATE_DAYS", 30))

    # Understanding: below this confidence the assistant asks which service rather than guessing.
    service_confidence: float = field(default_factory=lambda: _float("SERVICE_CONFIDENCE", 0.55))
    # Optional questions of a service as turns of their own when there is no photo (off: fewer turns, and
    # the read-back invites those answers in the resident's own words instead).
    ask_optional_questions: bool = field(default_factory=lambda: _bool("ASK_OPTIONAL_QUESTIONS", True))

    # Channels.
    twilio_account_sid: str = field(default_factory=lambda: _str("TWILIO_ACCOUNT_SID"))
    twilio_auth_token: str = field(default_factory=lambda: _str("TWILIO_AUTH_TOKEN"))
    twilio_number: str = field(default_factory=lambda: _str("TWILIO_NUMBER"))
    twilio_api_base: str = field(
        default_factory=lambda: _str("TWILIO_API_BASE", "https://api.twilio.com").rstrip("/")
    )
    twilio_webhook_url: str = field(default_factory=lambda: _str("TWILIO_WEBHOOK_URL"))
    twilio_media_hosts: tuple[str, ...] = field(
        default_factory=lambda: tuple(
            h.strip()
            for h in _str("TWILIO_MEDIA_HOSTS", "api.twilio.com,media.twiliocdn.com,s3.amazonaws.com").split(
                ","
            )
            if h.strip()
        )
    )
    telegram_token: str = field(default_factory=lambda: _str("TELEGRAM_TOKEN"))
    telegram_secret: str = field(default_factory=lambda: _str("TELEGRAM_SECRET"))
    telegram_api_base: str = field(
        default_factory=lambda: _str("TELEGRAM_API_BASE", "https://api.telegram.org").rstrip("/")
    )
    telegram_webhook_url: str = field(default_factory=lambda: _str("TELEGRAM_WEBHOOK_URL"))
    webchat_secret: str = field(default_factory=lambda: _str("WEBCHAT_SECRET"))
    redis_url: str = field(default_factory=lambda: _str("REDIS_URL"))

    log_level: str = field(default_factory=lambda: _str("LOG_LEVEL", "INFO"))

    def duplicate_radius(self, service_code: str) -> int:
        """Metres within which an open request of the same service counts as a likely duplicate."""
        return self.duplicate_radii.get(service_code, self.duplicate_radii.get("default", 50))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Returns the settings of this process, read from the environment on first use."""
    return Settings()
