"""Database plumbing: the engine (built by the app factory, never at import), sessions and migrations."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import sessionmaker

logger = logging.getLogger(__name__)

ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"


def make_engine(database_url: str) -> Engine:
    """Builds an engine for SQLite (file or memory) or PostgreSQL.

    SQLite gets a busy timeout, WAL and enforced foreign keys, and may be used from waitress's threads.
    """
    url = make_url(database_url)
    # hide_parameters keeps residents' data (e-mails, phones) out of error messages and logged tracebacks.
    if url.get_backend_name() != "sqlite":
        return create_engine(url, future=True, pool_pre_ping=True, hide_parameters=True)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, future=True, hide_parameters=True, connect_args={"check_same_thread": False, "timeout": 30}
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def make_sessions(engine: Engine) -> sessionmaker:
    """A session factory; objects stay readable after commit, as views serialise them afterwards."""
    return sessionmaker(engine, future=True, expire_on_commit=False)


def alembic_config(database_url: str) -> Config:
    """The Alembic configuration of `backoffice/alembic.ini`, pointed at `database_url`."""
    config = Config(str(ALEMBIC_INI))
    # An attribute, not `sqlalchemy.url`: ini interpolation would mangle a `%` in a password.
    config.attributes["database_url"] = database_url
    return config


def migrate(database_url: str) -> None:
    """Runs `alembic upgrade head` against `database_url`."""
    logger.info("backoffice.migrate backend=%s", make_url(database_url).get_backend_name())
    command.upgrade(alembic_config(database_url), "head")
