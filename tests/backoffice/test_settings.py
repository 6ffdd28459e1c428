"""Reading the environment (backoffice/settings.py)."""

from __future__ import annotations

from pathlib import Path

from backoffice.settings import PROJECT_ROOT, Settings, get_settings


def test_defaults_when_nothing_is_set() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'backoffice.db'}"
    assert (settings.host, settings.port) == ("127.0.0.1", 5080)
    assert settings.public_url == "http://127.0.0.1:5080"
    assert settings.open311_url == "http://127.0.0.1:5080/open311/v2/"
    assert settings.api_keys == ()  # no keys: every POST is refused
    assert settings.catalogue_path == PROJECT_ROOT / "cities" / "helsinki" / "services.yml"
    assert settings.districts_path == PROJECT_ROOT / "cities" / "helsinki" / "districts.geojson"
    assert settings.default_agency == "City of Helsinki"
    assert settings.media_dir == PROJECT_ROOT / "var" / "backoffice-media"
    assert settings.media_max_bytes == 10 * 1024 * 1024
    assert (settings.admin_user, settings.admin_password, settings.jurisdiction_id) == ("", "", "")


def test_every_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql+psycopg2://u:p%40ss@db/backoffice",
            "BACKOFFICE_HOST": "0.0.0.0",
            "BACKOFFICE_PORT": "6000",
            "BACKOFFICE_PUBLIC_URL": "https://311.example.org/",
            "BACKOFFICE_API_KEYS": " key-a , key-b,, ",
            "BACKOFFICE_CATALOGUE": "cities/other/services.yml",
            "BACKOFFICE_DISTRICTS": "/srv/districts.geojson",
            "BACKOFFICE_DEFAULT_AGENCY": "Works Department",
            "BACKOFFICE_MEDIA_DIR": "/srv/media",
            "BACKOFFICE_MEDIA_MAX_BYTES": "5000000",
            "BACKOFFICE_ADMIN_USER": "admin",
            "BACKOFFICE_ADMIN_PASSWORD": " spaces kept ",
            "BACKOFFICE_JURISDICTION_ID": "example.org",
        }
    )
    assert settings.database_url == "postgresql+psycopg2://u:p%40ss@db/backoffice"
    assert (settings.host, settings.port) == ("0.0.0.0", 6000)
    assert settings.public_url == "https://311.example.org"  # trailing slash dropped
    assert settings.api_keys == ("key-a", "key-b")
    assert (
        settings.catalogue_path == PROJECT_ROOT / "cities" / "other" / "services.yml"
    )  # relative to project
    assert settings.districts_path == Path("/srv/districts.geojson")
    assert settings.default_agency == "Works Department"
    assert settings.media_dir == Path("/srv/media")
    assert settings.media_max_bytes == 5_000_000
    assert (settings.admin_user, settings.admin_password) == ("admin", " spaces kept ")
    assert settings.jurisdiction_id == "example.org"


def test_get_settings_reads_os_environ_once(monkeypatch) -> None:
    get_settings.cache_clear()
    monkeypatch.setenv("BACKOFFICE_PORT", "5999")
    try:
        assert get_settings().port == 5999
        monkeypatch.setenv("BACKOFFICE_PORT", "6001")
        assert get_settings().port == 5999  # cached until cache_clear()
    finally:
        get_settings.cache_clear()
