"""The back office's tables, as SQLAlchemy 1.4 declarative models used in 2.0 style.

Request ids are integers from 10001 upwards (residents read them out over the phone); the public
`service_request_id` is their decimal string.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeDecorator

Base: Any = declarative_base()

FIRST_REQUEST_ID = 10001
OPEN = "open"
CLOSED = "closed"
DETAILED_STATUSES = ("received", "in_progress", "closed")


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Converts to UTC before storing; a naive value is taken as UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Returns an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Service(Base):
    """An Open311 service (kind of problem); seeded from the city's catalogue."""

    __tablename__ = "services"

    id = Column(Integer, primary_key=True)
    service_code = Column(String(100), nullable=False, unique=True)
    service_name = Column(String(200), nullable=False)
    description = Column(Text, nullable=False, default="")
    group = Column(String(200), nullable=False, default="")
    keywords = Column(Text, nullable=False, default="")
    type = Column(String(20), nullable=False, default="realtime")
    active = Column(Boolean, nullable=False, default=True)
    attributes = relationship(
        "ServiceAttribute", back_populates="service", order_by="ServiceAttribute.order", lazy="selectin"
    )


class ServiceAttribute(Base):
    """A question the city asks for one service; `values` is a list of `{"key", "name"}` for lists."""

    __tablename__ = "service_attributes"
    __table_args__ = (UniqueConstraint("service_id", "code", name="uq_service_attributes_service_code"),)

    id = Column(Integer, primary_key=True)
    service_id = Column(Integer, ForeignKey("services.id", ondelete="CASCADE"), nullable=False)
    code = Column(String(100), nullable=False)
    description = Column(Text, nullable=False, default="")
    datatype = Column(String(20), nullable=False)
    required = Column(Boolean, nullable=False, default=False)
    order = Column(Integer, nullable=False, default=1)
    values = Column(JSON, nullable=False, default=list)
    active = Column(Boolean, nullable=False, default=True)
    service = relationship("Service", back_populates="attributes")


class ServiceRequest(Base):
    """A report filed by a resident (through any client), with the personal fields GETs never show."""

    __tablename__ = "service_requests"
    # AUTOINCREMENT on SQLite so the migration can start the counter at 10001 and ids are never reused.
    __table_args__ = {"sqlite_autoincrement": True}

    id = Column(Integer, Identity(start=FIRST_REQUEST_ID), primary_key=True)
    token = Column(String(64), nullable=False, unique=True)
    service_id = Column(Integer, ForeignKey("services.id"), nullable=False)
    status = Column(String(10), nullable=False, default=OPEN, index=True)
    detailed_status = Column(String(20), nullable=False, default="received")
    status_notes = Column(Text)
    description = Column(Text)
    agency_responsible = Column(String(200))
    district = Column(String(200))
    service_notice = Column(Text)
    requested_datetime = Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    updated_datetime = Column(UTCDateTime, nullable=False, default=utcnow)
    expected_datetime = Column(UTCDateTime)
    address = Column(String(500))
    address_id = Column(String(200))
    zipcode = Column(String(20))
    lat = Column(Float, index=True)
    lon = Column(Float, index=True)
    media_url = Column(String(2000))
    closing_media_url = Column(String(2000))
    followers = Column(Integer, nullable=False, default=0)
    attributes = Column(JSON, nullable=False, default=dict)
    # Personal fields: stored for staff, never returned by the Open311 GETs.
    email = Column(String(254))
    first_name = Column(String(100))
    last_name = Column(String(100))
    phone = Column(String(50))
    device_id = Column(String(200))
    account_id = Column(String(200))
    service = relationship("Service", lazy="joined")
    history = relationship("StatusChange", order_by="StatusChange.id", lazy="selectin")

    @staticmethod
    def id_from_public(raw: str) -> int | None:
        """The row id of a public `service_request_id`, or None when it cannot be one of ours."""
        raw = raw.strip()
        # Bounded so a huge number is "not found", not an integer overflow in the database driver.
        if not raw.isdigit() or len(raw) > 9:
            return None
        return int(raw)

    @property
    def public_id(self) -> str:
        """The Open311 `service_request_id`."""
        return str(self.id)


class StatusChange(Base):
    """One step in a request's history: who set which detailed status, when, with what note or photo."""

    __tablename__ = "status_changes"

    id = Column(Integer, primary_key=True)
    request_id = Column(
        Integer, ForeignKey("service_requests.id", ondelete="CASCADE"), nullable=False, index=True
    )
    detailed_status = Column(String(20), nullable=False)
    note = Column(Text)
    photo_url = Column(String(2000))
    staff_user_id = Column(Integer, ForeignKey("staff_users.id"))
    changed_at = Column(UTCDateTime, nullable=False, default=utcnow)
    staff_user = relationship("StaffUser", lazy="joined")


class StaffUser(Base):
    """A city employee who works requests through the staff API."""

    __tablename__ = "staff_users"

    id = Column(Integer, primary_key=True)
    username = Column(String(100), nullable=False, unique=True)
    password_hash = Column(String(300), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class Media(Base):
    """A stored photo, served at `/media/<name>`; the name is random so it cannot be guessed."""

    __tablename__ = "media"

    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False, unique=True)
    content_type = Column(String(50), nullable=False)
    size = Column(Integer, nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class IdempotencyKey(Base):
    """The stored answer to a POST that carried an `Idempotency-Key` header, replayed on a repeat."""

    __tablename__ = "idempotency_keys"

    key = Column(String(255), primary_key=True)
    request_id = Column(Integer, ForeignKey("service_requests.id"))
    response_status = Column(Integer, nullable=False)
    response_body = Column(Text, nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
