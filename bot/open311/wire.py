"""What goes over the wire to an Open311 server: new requests as forms, HTTP answers as JSON or errors.

Kept apart from the client so each file has one job; nothing here does network I/O by itself.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from bot.open311.models import ErrorKind, NewRequest, Open311Error, bad, integer, text
from bot.text import CONTROL_CHARS

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 20 * 1024 * 1024
MAX_ERROR_CHARS = 300
# Longest values we send; the spec fixes only the description's 4000 characters.
_LIMITS = {
    "address_string": 500, "address_id": 255, "email": 254, "first_name": 100, "last_name": 100,
    "phone": 40, "device_id": 255, "account_id": 255,
}  # fmt: skip
DESCRIPTION_LIMIT = 4000
_ATTRIBUTE_LIMIT = 4000
_MEDIA_URL_LIMIT = 2048
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def clean_text(value: str | None, limit: int, *, words: bool = False) -> str | None:
    """Strips control characters and whitespace; cuts to `limit` characters, at a word when `words`."""
    if value is None:
        return None
    cleaned = CONTROL_CHARS.sub("", str(value)).strip()
    if len(cleaned) <= limit:
        return cleaned or None
    cut = cleaned[: limit - 1]
    if words:
        space = max(cut.rfind(" "), cut.rfind("\n"), cut.rfind("\t"))
        if space > limit * 0.8:  # a word boundary not too far back; else a hard cut loses less text
            cut = cut[:space]
    return cut.rstrip() + "…"


def coordinate(value: float, bound: float, name: str) -> str:
    """Formats a coordinate with at most 7 decimals (about 1 cm); REJECTED when out of range."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or abs(number) > bound:
        raise Open311Error(ErrorKind.REJECTED, f"{name} must be a number within ±{bound:g}")
    formatted = f"{number:.7f}".rstrip("0").rstrip(".")
    return "0" if formatted in ("-0", "") else formatted


def date_param(value: datetime | str | None) -> str | None:
    """A query-string datetime with its offset; a naive datetime is taken as UTC."""
    if value is None or isinstance(value, str):
        return value or None
    aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return aware.isoformat(timespec="seconds")


def encode_request(request: NewRequest) -> list[tuple[str, str]]:
    """The spec's form fields for a new request; None and blank fields are left out."""
    code = text(request.service_code)
    if code is None:
        raise Open311Error(ErrorKind.REJECTED, "a request needs a service_code")
    fields: list[tuple[str, str | None]] = [("service_code", code)]
    if (request.lat is None) != (request.long is None):
        raise Open311Error(ErrorKind.REJECTED, "lat and long go together")
    if request.lat is not None and request.long is not None:
        fields += [
            ("lat", coordinate(request.lat, 90, "lat")),
            ("long", coordinate(request.long, 180, "long")),
        ]
    for name, limit in _LIMITS.items():
        fields.append((name, clean_text(getattr(request, name), limit)))
    fields.append(("description", clean_text(request.description, DESCRIPTION_LIMIT, words=True)))
    media = clean_text(request.media_url, _MEDIA_URL_LIMIT + 1)
    if media and len(media) > _MEDIA_URL_LIMIT:
        logger.warning("Open311 submit: media URL longer than %d characters left out", _MEDIA_URL_LIMIT)
        media = None  # a cut URL points nowhere
    fields.append(("media_url", media))
    for attribute, value in request.attributes.items():
        if isinstance(value, (list, tuple)):
            fields += [(f"attribute[{attribute}][]", clean_text(v, _ATTRIBUTE_LIMIT)) for v in value]
        else:
            fields.append((f"attribute[{attribute}]", clean_text(value, _ATTRIBUTE_LIMIT)))
    return [(key, value) for key, value in fields if value is not None]


def safe_post_redirect(current: str, target: str, status: int) -> str:
    """The URL to resend a POST to, or BAD_RESPONSE: the api key never goes to another host or over http."""
    before, after = urlsplit(current), urlsplit(target)
    same_host = (before.hostname, before.port) == (after.hostname, after.port)
    upgrade = before.scheme == after.scheme or (before.scheme, after.scheme) == ("http", "https")
    if status in (307, 308) and same_host and upgrade:
        return target
    raise bad(f"the server redirected the POST (HTTP {status}) elsewhere; not followed, check OPEN311_URL")


def read_body(response: requests.Response, deadline: float) -> bytes:
    """The whole body, or TIMEOUT when a trickling server overruns the budget, or BAD_RESPONSE when huge."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise bad("the answer is too large")
        if time.monotonic() > deadline:
            raise Open311Error(ErrorKind.TIMEOUT, "the answer took too long to arrive")
        chunks.append(chunk)
    return b"".join(chunks)


_NOT_JSON = object()


def interpret(status: int, headers: Any, body: bytes, api_key: str) -> Any:
    """The decoded JSON of a 2xx answer, or the right `Open311Error` for everything else."""
    raw = body.decode("utf-8-sig", errors="replace").strip()
    try:
        payload: Any = json.loads(raw) if raw else _NOT_JSON
    except ValueError:
        payload = _NOT_JSON
    words = _error_words(payload, api_key)
    if 200 <= status < 300:
        if not raw:
            raise bad("the server answered with an empty body")
        if payload is _NOT_JSON:
            kind = "an HTML page" if raw.startswith("<") else "something that is not JSON"
            raise bad(f"the server answered with {kind}")
        if words is not None:  # some servers send their error array with 200
            code = integer(_first_code(payload))
            raise Open311Error(kind_for_status(code if code and code >= 300 else 400), words, code)
        return payload
    retry_after = _retry_after(headers.get("Retry-After")) if status in (429, 503) else None
    html = " (an HTML page)" if raw.startswith("<") else ""
    raise Open311Error(
        kind_for_status(status), words or f"the server answered HTTP {status}{html}", status, retry_after
    )


def kind_for_status(status: int) -> ErrorKind:
    """The error kind an HTTP status (or an error array's `code`) stands for."""
    if status in (401, 403):
        return ErrorKind.UNAUTHORIZED
    if status in (404, 410):
        return ErrorKind.NOT_FOUND
    if status in (405, 501):
        return ErrorKind.UNSUPPORTED
    if status == 408:
        return ErrorKind.TIMEOUT
    if status == 429 or status >= 500:
        return ErrorKind.SERVER_ERROR
    if status < 400:
        return ErrorKind.BAD_RESPONSE
    return ErrorKind.REJECTED


def _error_entries(payload: Any) -> list[dict[str, Any]] | None:
    """The spec's error array (or a lone error object); None when the payload is not one."""
    if isinstance(payload, dict) and isinstance(payload.get("errors"), list):
        payload = payload["errors"]
    entries = payload if isinstance(payload, list) else [payload]
    data_keys = {"service_code", "service_request_id", "token", "service_name", "followers"}
    if entries and all(
        isinstance(e, dict)
        and "description" in e
        and ("code" in e or len(e) == 1)
        and not data_keys & e.keys()
        for e in entries
    ):
        return entries
    return None


def _first_code(payload: Any) -> Any:
    entries = _error_entries(payload) or [{}]
    return entries[0].get("code")


def _error_words(payload: Any, api_key: str) -> str | None:
    """The server's error descriptions, joined, stripped of markup and secrets, and kept short."""
    entries = _error_entries(payload)
    if entries is None:
        return None
    joined = "; ".join(text(e.get("description")) or "" for e in entries)
    return _sanitise(joined, api_key) or None


def _sanitise(words: str, api_key: str) -> str:
    words = _SPACE.sub(" ", CONTROL_CHARS.sub(" ", _TAG.sub(" ", words))).strip()
    if api_key:
        words = words.replace(api_key, "***")
    return words if len(words) <= MAX_ERROR_CHARS else words[: MAX_ERROR_CHARS - 1].rstrip() + "…"


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    seconds = integer(value)
    if seconds is not None:
        return float(max(seconds, 0))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - datetime.now(timezone.utc)).total_seconds(), 0.0) if when.tzinfo else None
