"""The assistant's own database: the outbox of reports, residents' subscriptions and pending notifications.

SQLite by default (one file shared by the action server and the workers, in WAL mode), any SQLAlchemy URL
otherwise. Engines are built on first use, never at import.
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import declarative_base, sessionmaker

_lock = threading.Lock()
_engines: dict[str, Engine] = {}


def utcnow() -> datetime:
    """The current UTC time without tzinfo: SQLite keeps no zones, so every stored time is naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


Base = declarative_base()


class OutboxEntry(Base):  # type: ignore[valid-type,misc]
    """A report (or a +1 on an existing request) persisted before it is sent to the back office."""

    __tablename__ = "outbox"

    id = Column(Integer, primary_key=True)
    reference = Column(String(16), unique=True, index=True)
    idempotency_key = Column(String(80), unique=True)
    kind = Column(String(16), default="file")  # "file" | "follow"
    sender_id = Column(String(200), index=True)
    payload = Column(JSON)
    state = Column(String(16), default="pending", index=True)
    attempts = Column(Integer, default=0)
    next_attempt_at = Column(DateTime(), default=utcnow)
    claimed_until = Column(DateTime(), nullable=True)
    service_request_id = Column(String(64), nullable=True, index=True)
    token = Column(String(128), nullable=True)
    last_error = Column(Text, nullable=True)
    warned = Column(Boolean, default=False)
    created_at = Column(DateTime(), default=utcnow)
    updated_at = Column(DateTime(), default=utcnow, onupdate=utcnow)


class Subscription(Base):  # type: ignore[valid-type,misc]
    """A resident who wants to hear about a back-office request (they filed or followed it)."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("sender_id", "service_request_id"),)

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(200), index=True)
    service_request_id = Column(String(64), index=True)
    last_status = Column(String(32), nullable=True)
    last_updated = Column(String(64), nullable=True)
    created_at = Column(DateTime(), default=utcnow)


class Notification(Base):  # type: ignore[valid-type,misc]
    """A message waiting to be delivered to a resident outside their own turn (filed, status changed)."""

    __tablename__ = "notifications"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(200), index=True)
    text = Column(Text)
    image_url = Column(Text, nullable=True)
    created_at = Column(DateTime(), default=utcnow)
    delivered_at = Column(DateTime(), nullable=True)
    attempts = Column(Integer, default=0)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the action server and the workers read and write the same file without blocking each other.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def get_engine(url: str) -> Engine:
    """The engine for a database URL, created (with its tables) on first use and shared afterwards."""
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            if url.startswith("sqlite:///"):
                Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, future=True, pool_pre_ping=True)
            if url.startswith("sqlite"):
                event.listen(engine, "connect", _sqlite_pragmas)
            Base.metadata.create_all(engine)
            _engines[url] = engine
        return engine


def session_factory(url: str) -> sessionmaker:
    """A session factory bound to the database at `url`."""
    return sessionmaker(get_engine(url), expire_on_commit=False, future=True)
