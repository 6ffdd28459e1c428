"""`GET requests.json`: the spec's filters (ids, service, status, date window) and our nearby extension."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from werkzeug.datastructures import MultiDict

from citydata.geometry import distance_m

from .dates import parse_w3c
from .errors import ApiError
from .models import CLOSED, OPEN, Service, ServiceRequest, utcnow

MAX_RESULTS = 1000
WINDOW = timedelta(days=90)
DEFAULT_RADIUS_M = 50.0
MAX_RADIUS_M = 5000.0
METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class Found:
    """A request matched by a search, with its distance when the search was around a point."""

    request: ServiceRequest
    distance_m: float | None = None


def _number(args: MultiDict, name: str, low: float, high: float) -> float | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ApiError(400, f"{name} is not a number") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise ApiError(400, f"{name} must be between {low:g} and {high:g}")
    return value


def _date(args: MultiDict, name: str) -> datetime | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return parse_w3c(raw)
    except ValueError:
        raise ApiError(400, f"{name} is not a W3C datetime") from None


def _window(args: MultiDict, required: bool) -> tuple[datetime, datetime] | None:
    """The requested_datetime window: 90 days ending now unless given; at most 90 days wide."""
    start, end = _date(args, "start_date"), _date(args, "end_date")
    if start is None and end is None and not required:
        return None
    if start is None and end is None:
        end = utcnow()
    try:
        if start is None:
            assert end is not None
            start = end - WINDOW
        if end is None:
            end = start + WINDOW
    except OverflowError:
        raise ApiError(400, "start_date or end_date is out of range") from None
    if start > end:
        raise ApiError(400, "start_date is after end_date")
    if end - start > WINDOW:
        raise ApiError(400, "start_date and end_date may not span more than 90 days")
    return start, end


def _statuses(args: MultiDict) -> list[str]:
    raw = [s.strip().lower() for s in (args.get("status") or "").split(",") if s.strip()]
    if any(s not in (OPEN, CLOSED) for s in raw):
        raise ApiError(400, "status must be open or closed")
    return raw


def _by_ids(session: Session, raw: str) -> list[Found]:
    parsed = (ServiceRequest.id_from_public(part) for part in raw.split(","))
    ids = [i for i in parsed if i is not None][:MAX_RESULTS]
    rows = session.execute(select(ServiceRequest).where(ServiceRequest.id.in_(ids))).scalars().all()
    by_id = {row.id: row for row in rows}
    return [Found(by_id[i]) for i in dict.fromkeys(ids) if i in by_id]


def _filtered(args: MultiDict, window_required: bool) -> Select:
    query = select(ServiceRequest).join(Service)
    service_codes = [c.strip() for c in (args.get("service_code") or "").split(",") if c.strip()]
    if service_codes:
        query = query.where(Service.service_code.in_(service_codes))
    statuses = _statuses(args)
    if statuses:
        query = query.where(ServiceRequest.status.in_(statuses))
    window = _window(args, window_required)
    if window is not None:
        query = query.where(ServiceRequest.requested_datetime.between(*window))
    return query


def _nearby(session: Session, args: MultiDict, lat: float, lon: float) -> list[Found]:
    radius = _number(args, "radius", 1, MAX_RADIUS_M) or DEFAULT_RADIUS_M
    # A bounding box narrows the rows in SQL (portable, index-friendly); the exact distance is computed here.
    dlat = radius / METRES_PER_DEGREE
    dlon = radius / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    query = (
        _filtered(args, window_required=False)
        .where(ServiceRequest.status == OPEN)
        .where(ServiceRequest.lat.between(lat - dlat, lat + dlat))
        .where(ServiceRequest.lon.between(lon - dlon, lon + dlon))
    )
    found = []
    for row in session.execute(query).scalars():
        distance = distance_m(lat, lon, row.lat, row.lon)
        if distance <= radius:
            found.append(Found(row, distance))
    found.sort(key=lambda f: (f.distance_m, f.request.id))
    return found[:MAX_RESULTS]


def search(session: Session, args: MultiDict) -> list[Found]:
    """Runs a `GET requests.json` query.

    `service_request_id` (comma list) overrides every other filter, as the spec says. `lat`+`long` (with
    `radius` in metres, default 50) ask for open requests around a point, nearest first; the date window then
    applies only when given. Otherwise the newest requests of the date window (default the last 90 days) come
    first, at most 1000.

    Raises:
        ApiError: 400 for a malformed filter.
    """
    ids = (args.get("service_request_id") or "").strip()
    if ids:
        return _by_ids(session, ids)
    lat = _number(args, "lat", -90, 90)
    lon = _number(args, "long", -180, 180)
    if (lat is None) != (lon is None):
        raise ApiError(400, "lat and long must be given together")
    if lat is not None and lon is not None:
        return _nearby(session, args, lat, lon)
    query = (
        _filtered(args, window_required=True)
        .order_by(ServiceRequest.requested_datetime.desc(), ServiceRequest.id.desc())
        .limit(MAX_RESULTS)
    )
    return [Found(row) for row in session.execute(query).scalars()]
