"""The Flask app factory: builds the engine, districts and media store, registers the APIs.

`create_app` does not touch the schema; `prepare_database` (run by `python -m backoffice` before serving)
migrates, seeds the catalogue and sets the admin account.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from sqlalchemy import text

from citydata.areas import ServiceAreas

from . import api, photo_api, staff
from .accounts import set_staff_user
from .db import make_engine, make_sessions, migrate
from .errors import register_error_handlers
from .photo_store import MediaStore
from .seed import seed_from_file
from .settings import Settings, get_settings
from .state import EXTENSION_KEY, BackofficeState, state

logger = logging.getLogger(__name__)

# Room for the multipart envelope and form fields around a photo of the maximum size.
MULTIPART_OVERHEAD = 1024 * 1024


def prepare_database(settings: Settings) -> None:
    """Brings the database up to date: `alembic upgrade head`, catalogue seed, admin account (when set)."""
    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with make_sessions(engine)() as session:
            seed_from_file(session, settings.catalogue_path)
            if settings.admin_user and settings.admin_password:
                set_staff_user(session, settings.admin_user, settings.admin_password)
            session.commit()
    finally:
        engine.dispose()


def _load_areas(settings: Settings) -> ServiceAreas:
    path = settings.districts_path
    if path is None or not path.exists():
        logger.info("backoffice.no_districts every request goes to the default agency")
        return ServiceAreas(None, [])
    return ServiceAreas.from_geojson(None, path)


def _health() -> Response:
    with state().engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return jsonify({"status": "ok"})


def _nosniff(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def create_app(settings: Settings | None = None) -> Flask:
    """Builds the back office's Flask app.

    Args:
        settings: what to run with; by default `get_settings()` (the environment).
    """
    settings = settings or get_settings()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.media_max_bytes + MULTIPART_OVERHEAD
    app.json.sort_keys = False  # type: ignore[attr-defined]
    engine = make_engine(settings.database_url)
    app.extensions[EXTENSION_KEY] = BackofficeState(
        settings=settings,
        engine=engine,
        sessions=make_sessions(engine),
        areas=_load_areas(settings),
        media=MediaStore(settings.media_dir, settings.media_max_bytes),
    )
    app.register_blueprint(api.blueprint)
    app.register_blueprint(photo_api.blueprint)
    app.register_blueprint(staff.blueprint)
    app.add_url_rule("/health", "health", _health)
    app.after_request(_nosniff)
    register_error_handlers(app)
    return app
