"""Checking a POSTed service request against the spec and the service definition, then filing it."""

from __future__ import annotations

import logging
import math
import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from citydata.areas import ServiceAreas

from .dates import parse_w3c
from .errors import ApiError
from .models import Service as ServiceRow
from .models import ServiceAttribute, ServiceRequest, StatusChange, utcnow

logger = logging.getLogger(__name__)

# Longest accepted value of each free-text form field; Open311 caps description at 4000.
FIELD_LIMITS = {
    "description": 4000,
    "address_string": 500,
    "address_id": 200,
    "email": 254,
    "first_name": 100,
    "last_name": 100,
    "phone": 50,
    "device_id": 200,
    "account_id": 200,
    "media_url": 2000,
}
ATTRIBUTE_VALUE_LIMIT = 4000
_ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


@dataclass
class Submission:
    """A checked POST requests.json: every field the request row needs."""

    lat: float | None
    lon: float | None
    fields: dict[str, str | None]
    attributes: dict[str, Any] = field(default_factory=dict)


def _text(form: MultiDict, name: str) -> str | None:
    value = (form.get(name) or "").strip()
    if len(value) > FIELD_LIMITS[name]:
        raise ApiError(400, f"{name} is longer than {FIELD_LIMITS[name]} characters")
    return value or None


def _coordinate(form: MultiDict, name: str, limit: float) -> float | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ApiError(400, f"{name} is not a number") from None
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise ApiError(400, f"{name} must be between -{limit:g} and {limit:g}")
    return value


def _location(form: MultiDict) -> tuple[float | None, float | None]:
    lat = _coordinate(form, "lat", 90)
    lon = _coordinate(form, "long", 180)
    if (lat is None) != (lon is None):
        raise ApiError(400, "lat and long must be given together")
    return lat, lon


def _media_url(form: MultiDict) -> str | None:
    url = _text(form, "media_url")
    if url is not None:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ApiError(400, "media_url must be an http or https URL")
    return url


def _raw_attributes(form: MultiDict) -> dict[str, list[str]]:
    raw: dict[str, list[str]] = {}
    for key in form:
        match = _ATTRIBUTE_KEY.match(key)
        if match:
            values = [v.strip() for v in form.getlist(key) if v.strip()]
            raw.setdefault(match.group(1), []).extend(values)
    return raw


def _check_attribute(attribute: ServiceAttribute, values: list[str]) -> Any:
    """The stored form of one attribute's answer; raises ApiError naming the attribute when it is wrong."""
    code = attribute.code
    if any(len(v) > ATTRIBUTE_VALUE_LIMIT for v in values):
        raise ApiError(400, f"attribute {code} is longer than {ATTRIBUTE_VALUE_LIMIT} characters")
    keys = {v["key"] for v in attribute.values or []}
    if attribute.datatype == "multivaluelist":
        unknown = [v for v in values if v not in keys]
        if unknown:
            raise ApiError(400, f"attribute {code}: {unknown[0]!r} is not one of {sorted(keys)}")
        return list(dict.fromkeys(values))
    if len(values) > 1:
        raise ApiError(400, f"attribute {code} takes one value")
    value = values[0]
    if attribute.datatype == "singlevaluelist" and value not in keys:
        raise ApiError(400, f"attribute {code}: {value!r} is not one of {sorted(keys)}")
    if attribute.datatype == "number":
        try:
            number = float(value)
        except ValueError:
            raise ApiError(400, f"attribute {code} must be a number") from None
        if not math.isfinite(number):
            raise ApiError(400, f"attribute {code} must be a finite number")
    if attribute.datatype == "datetime":
        try:
            parse_w3c(value)
        except ValueError:
            raise ApiError(400, f"attribute {code} must be a W3C datetime") from None
    return value


def _attributes(form: MultiDict, service: ServiceRow) -> dict[str, Any]:
    # Answers to codes the service does not define are dropped, so clients of an older catalogue still work.
    raw = _raw_attributes(form)
    checked: dict[str, Any] = {}
    for attribute in service.attributes:
        if not attribute.active:
            continue
        values = raw.get(attribute.code, [])
        if not values:
            if attribute.required:
                raise ApiError(400, f"attribute {attribute.code} is required")
            continue
        checked[attribute.code] = _check_attribute(attribute, values)
    return checked


def check_submission(form: MultiDict, service: ServiceRow) -> Submission:
    """Checks a POSTed request for `service`.

    Raises:
        ApiError: 400 naming the first thing wrong (location, lengths, attributes).
    """
    lat, lon = _location(form)
    fields = {name: _text(form, name) for name in FIELD_LIMITS if name != "media_url"}
    fields["media_url"] = _media_url(form)
    if lat is None and not fields["address_string"] and not fields["address_id"]:
        raise ApiError(400, "a location is required: lat and long, address_string or address_id")
    return Submission(lat=lat, lon=lon, fields=fields, attributes=_attributes(form, service))


def file_request(
    session: Session, service: ServiceRow, submission: Submission, areas: ServiceAreas, default_agency: str
) -> ServiceRequest:
    """Adds the request (and its first history step) to the session; the caller commits.

    The district containing the point decides the agency; without coordinates or outside every district the
    default agency gets it.
    """
    lat, lon = submission.lat, submission.lon
    district = areas.district_at(lat, lon) if lat is not None and lon is not None else None
    agency = district.agency if district is not None and district.agency else default_agency
    now = utcnow()
    fields = submission.fields
    request = ServiceRequest(
        token=secrets.token_urlsafe(16),
        service=service,
        status="open",
        detailed_status="received",
        description=fields["description"],
        agency_responsible=agency,
        district=district.name if district is not None else None,
        service_notice=f"Your report has been received and passed to {agency}.",
        requested_datetime=now,
        updated_datetime=now,
        address=fields["address_string"],
        address_id=fields["address_id"],
        lat=submission.lat,
        lon=submission.lon,
        media_url=fields["media_url"],
        followers=0,
        attributes=submission.attributes,
        email=fields["email"],
        first_name=fields["first_name"],
        last_name=fields["last_name"],
        phone=fields["phone"],
        device_id=fields["device_id"],
        account_id=fields["account_id"],
    )
    request.history.append(StatusChange(detailed_status="received", changed_at=now))
    session.add(request)
    session.flush()
    logger.info("backoffice.request_filed id=%s service=%s", request.id, service.service_code)
    return request
