"""Open311 GeoReport v2 values, the client's error type, and lenient parsing of what real servers answer.

Real servers disagree with the spec in small ways (numbers as strings, `"true"` for booleans, 0/0 for "no
location", empty strings for "no photo", naive or `Z` datetimes), so every parser here coerces instead of
trusting types, and raises only `Open311Error(BAD_RESPONSE)` when an answer is unusable.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from citydata.catalogue import Attribute, AttributeValue, Service


class ErrorKind(enum.Enum):
    """Why a call to the back office failed; callers decide on retrying and wording from this."""

    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    SERVER_ERROR = "server_error"
    REJECTED = "rejected"
    UNAUTHORIZED = "unauthorized"
    NOT_FOUND = "not_found"
    BAD_RESPONSE = "bad_response"
    UNSUPPORTED = "unsupported"


_RETRYABLE = frozenset({ErrorKind.TIMEOUT, ErrorKind.UNREACHABLE, ErrorKind.SERVER_ERROR})


class Open311Error(Exception):
    """The only exception the Open311 client raises.

    Attributes:
        kind: what went wrong.
        status: the HTTP status, when the server answered at all.
        description: the server's own words when it sent an error array (sanitised, short), else ours.
        retry_after: seconds the server asked us to wait (`Retry-After`), when it said so.
    """

    def __init__(
        self,
        kind: ErrorKind,
        description: str = "",
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{kind.value}" + (f" (HTTP {status})" if status else "") + f": {description}")
        self.kind = kind
        self.status = status
        self.description = description
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        """True when the same call may succeed later (timeouts, outages, 5xx, 429)."""
        return self.kind in _RETRYABLE or self.status == 429


@dataclass(frozen=True)
class ServiceDefinition:
    """The extra attributes of a service, in the order to ask them."""

    service_code: str
    attributes: tuple[Attribute, ...]


@dataclass(frozen=True)
class ServiceRequest:
    """A filed request as the server reports it; the last five fields are our back office's extensions."""

    service_request_id: str
    status: str
    service_code: str
    service_name: str | None
    description: str | None
    status_notes: str | None
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: datetime | None
    updated_datetime: datetime | None
    expected_datetime: datetime | None
    address: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None
    detailed_status: str | None = None
    followers: int | None = None
    closing_media_url: str | None = None
    district: str | None = None
    distance_m: float | None = None


@dataclass
class NewRequest:
    """A request to file. `attributes` maps attribute codes to one value or, for multivaluelists, several."""

    service_code: str
    lat: float | None = None
    long: float | None = None
    address_string: str | None = None
    address_id: str | None = None
    description: str | None = None
    media_url: str | None = None
    attributes: dict[str, str | list[str]] = field(default_factory=dict)
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class SubmitResult:
    """What the server said to a submission: an id now, or a token to swap for one later."""

    service_request_id: str | None
    token: str | None
    service_notice: str | None
    account_id: str | None


def bad(description: str) -> Open311Error:
    """An `Open311Error` for an answer we cannot use."""
    return Open311Error(ErrorKind.BAD_RESPONSE, description)


# --- coercion of single values ---


def text(value: Any) -> str | None:
    """A stripped string, or None for null, empty or non-scalar values; numbers become strings."""
    if value is None or isinstance(value, (bool, dict, list)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    result = str(value).strip()
    return result or None


def boolean(value: Any, default: bool = False) -> bool:
    """Accepts true/false, "true"/"false", "1"/"0", 1/0, "yes"/"no"; anything else is `default`."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("true", "1", "yes", "y", "t"):
            return True
        if word in ("false", "0", "no", "n", "f", ""):
            return False
    return default


def number(value: Any) -> float | None:
    """A finite float from a number or numeric string, else None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        result = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def integer(value: Any) -> int | None:
    """An int from an int, a whole float or a numeric string, else None."""
    result = number(value)
    return int(result) if result is not None and result.is_integer() else None


def keywords(value: Any) -> tuple[str, ...]:
    """Keywords from a comma-separated string (the spec) or a list (some servers)."""
    parts = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else []
    return tuple(word for word in (text(part) for part in parts) if word)


def coordinates(lat: Any, long: Any) -> tuple[float | None, float | None]:
    """Both coordinates, or neither: null, out-of-range and 0/0 ("no location" on many servers) give None."""
    y, x = number(lat), number(long)
    if y is None or x is None or not (-90 <= y <= 90 and -180 <= x <= 180) or (y == 0 and x == 0):
        return None, None
    return y, x


_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)


def _zone(suffix: str | None) -> timezone:
    if not suffix or suffix.upper() == "Z":
        return timezone.utc  # the spec wants an offset; a naive value is most plausibly UTC
    sign = -1 if suffix[0] == "-" else 1
    digits = suffix[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
    return timezone(sign * timedelta(minutes=minutes))


def timestamp(value: Any) -> datetime | None:
    """An aware datetime from ISO 8601 (offset, `Z`, naive = UTC, date only) or epoch seconds; else None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(float(value), tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    match = _DATETIME.match(value.strip()) if isinstance(value, str) else None
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, suffix = match.groups()
    try:
        return datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")), tzinfo=_zone(suffix),
        )  # fmt: skip
    except ValueError:
        return None


# --- parsing of whole objects ---


def _mapping(item: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(item, Mapping):
        raise bad(f"a {what} is not a JSON object")
    return item


def _required(item: Mapping[str, Any], key: str, what: str) -> str:
    value = text(item.get(key))
    if value is None:
        raise bad(f"a {what} has no {key}")
    return value


def parse_service(item: Any) -> Service:
    """A `Service` from one entry of services.json."""
    obj = _mapping(item, "service")
    code = _required(obj, "service_code", "service")
    return Service(
        service_code=code,
        service_name=text(obj.get("service_name")) or code,
        description=text(obj.get("description")) or "",
        declared_metadata=boolean(obj.get("metadata")),
        type=(text(obj.get("type")) or "realtime").lower(),
        keywords=keywords(obj.get("keywords")),
        group=text(obj.get("group")) or "",
    )


def _value(item: Any) -> AttributeValue | None:
    if not isinstance(item, Mapping):
        return None
    key = text(item.get("key"))
    if key is None:
        return None
    return AttributeValue(key=key, name=text(item.get("name")) or key)


def _attribute(item: Any, position: int) -> tuple[bool, Attribute]:
    obj = _mapping(item, "service attribute")
    order = integer(obj.get("order"))
    raw_values = obj.get("values")
    values = raw_values if isinstance(raw_values, list) else []
    attribute = Attribute(
        code=_required(obj, "code", "service attribute"),
        variable=boolean(obj.get("variable"), default=True),
        datatype=(text(obj.get("datatype")) or "string").lower(),
        required=boolean(obj.get("required")),
        description=text(obj.get("description")) or "",
        order=order if order is not None else position + 1,
        values=tuple(v for v in (_value(raw) for raw in values) if v is not None),
        datatype_description=text(obj.get("datatype_description")),
    )
    return order is None, attribute


def parse_definition(item: Any, service_code: str) -> ServiceDefinition:
    """A `ServiceDefinition` from services/{code}.json; attributes without an `order` go last."""
    obj = _mapping(item, "service definition")
    raw = obj.get("attributes")
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise bad("the service definition's attributes are not a list")
    ranked = [(*_attribute(entry, i), i) for i, entry in enumerate(raw)]
    ranked.sort(key=lambda r: (r[0], r[1].order, r[2]))
    return ServiceDefinition(
        service_code=text(obj.get("service_code")) or service_code,
        attributes=tuple(attribute for _, attribute, _ in ranked),
    )


def parse_request(item: Any) -> ServiceRequest:
    """A `ServiceRequest` from one entry of requests.json (standard fields and our extensions)."""
    obj = _mapping(item, "service request")
    lat, long = coordinates(obj.get("lat"), obj.get("long"))
    distance = number(obj.get("distance_m"))
    return ServiceRequest(
        service_request_id=_required(obj, "service_request_id", "service request"),
        status=(text(obj.get("status")) or "").lower(),
        service_code=text(obj.get("service_code")) or "",
        service_name=text(obj.get("service_name")),
        description=text(obj.get("description")),
        status_notes=text(obj.get("status_notes")),
        agency_responsible=text(obj.get("agency_responsible")),
        service_notice=text(obj.get("service_notice")),
        requested_datetime=timestamp(obj.get("requested_datetime")),
        updated_datetime=timestamp(obj.get("updated_datetime")),
        expected_datetime=timestamp(obj.get("expected_datetime")),
        address=text(obj.get("address")),
        zipcode=text(obj.get("zipcode")),
        lat=lat,
        long=long,
        media_url=text(obj.get("media_url")),
        detailed_status=text(obj.get("detailed_status")),
        followers=integer(obj.get("followers")),
        closing_media_url=text(obj.get("closing_media_url")),
        district=text(obj.get("district")),
        distance_m=distance if distance is not None and distance >= 0 else None,
    )


def parse_submit(item: Any) -> SubmitResult:
    """A `SubmitResult` from the answer to POST requests.json: an id, or a token for later."""
    obj = _mapping(item, "submission answer")
    result = SubmitResult(
        service_request_id=text(obj.get("service_request_id")),
        token=text(obj.get("token")),
        service_notice=text(obj.get("service_notice")),
        account_id=text(obj.get("account_id")),
    )
    if result.service_request_id is None and result.token is None:
        raise bad("the submission answer has neither a service_request_id nor a token")
    return result
