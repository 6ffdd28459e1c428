"""Proving a webhook came from Twilio.

`X-Twilio-Signature` signs the public URL Twilio called and every field it posted (S2 in
`tests/data/twilio/webhooks.md`).

Why not `request.form`: Sanic drops blank fields (`ToCity=`), which Twilio signs, so real messages would
fail the check. The body is parsed here with blank values kept, and read with a size cap.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Mapping
from urllib.parse import parse_qs, urlparse, urlunsplit

from sanic.request import Request
from twilio.request_validator import RequestValidator, add_port, remove_port

logger = logging.getLogger(__name__)

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


class FormFields(dict[str, list[str]]):
    """Posted fields, each with all its values in order (Twilio signs repeated keys too)."""

    def getlist(self, name: str) -> list[str]:
        """All values of a field (the interface `RequestValidator` looks for)."""
        return self.get(name, [])

    def first(self, name: str) -> str:
        """The first value of a field, or "" when it is absent."""
        values = self.get(name)
        return values[0] if values else ""


def parse_form(body: bytes) -> FormFields:
    """Parses a form-encoded body, keeping blank fields.

    Raises:
        ValueError: The body is not UTF-8.
    """
    text = body.decode("utf-8")  # UnicodeDecodeError is a ValueError
    return FormFields(parse_qs(text, keep_blank_values=True, errors="strict"))


def is_form(request: Request) -> bool:
    """True when the request says its body is form-encoded (the only format Twilio's webhook uses)."""
    content_type = request.headers.get("content-type", "")
    return content_type.split(";", 1)[0].strip().lower() == FORM_CONTENT_TYPE


async def read_body(request: Request, limit: int) -> bytes | None:
    """Reads the body of a streaming route, stopping as soon as it passes `limit` bytes.

    Returns:
        The body, or None when it is larger than `limit` (declared or actual).
    """
    declared = request.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        return None
    if request.stream is None:  # a non-streaming route: Sanic already read the body
        return request.body if len(request.body) <= limit else None
    body = bytearray()
    while (chunk := await request.stream.read()) is not None:
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def public_url(request: Request, configured_url: str = "", trust_forwarded: bool = False) -> str:
    """The URL Twilio called, the first half of what it signed.

    Args:
        request: The webhook request.
        configured_url: The exact URL set in Twilio's console; used as is when set (right behind any proxy).
        trust_forwarded: Take scheme and host from X-Forwarded-Proto / X-Forwarded-Host. Only for a server
            reachable solely through a proxy that sets them: anyone else could send them.

    Returns:
        scheme://host/path?query.
    """
    if configured_url:
        return configured_url
    secure = bool(request.conn_info and request.conn_info.ssl)
    scheme = "https" if secure else "http"
    host = request.headers.get("host", "")
    if trust_forwarded:
        proto = _first_item(request.headers.get("x-forwarded-proto", "")).lower()
        scheme = proto if proto in ("http", "https") else scheme
        host = _first_item(request.headers.get("x-forwarded-host", "")) or host
    return urlunsplit((scheme, host, request.path, request.query_string, ""))


def _first_item(header: str) -> str:
    """The client-side value of a header a chain of proxies may have appended to ("a, b")."""
    return header.split(",", 1)[0].strip()


class SignatureCheck:
    """Checks `X-Twilio-Signature` with twilio's own `RequestValidator` and a constant-time comparison."""

    def __init__(self, auth_token: str) -> None:
        self._validator = RequestValidator(auth_token) if auth_token else None

    @property
    def configured(self) -> bool:
        """False without an auth token: every request is then refused (fail closed)."""
        return self._validator is not None

    def is_valid(self, url: str, fields: Mapping[str, list[str]], signature: str) -> bool:
        """True when `signature` is Twilio's signature of `url` and `fields`.

        Like `RequestValidator.validate`, the URL is tried with and without its default port (Twilio keeps an
        explicit port for SMS but its libraries disagree); unlike it, the comparison is constant-time.
        """
        if self._validator is None or not signature:
            return False
        params = fields if isinstance(fields, FormFields) else FormFields(fields)
        parsed = urlparse(url)
        given = signature.strip().encode("utf-8")
        matched = False
        for candidate in (remove_port(parsed), add_port(parsed)):
            expected = self._validator.compute_signature(candidate, params).encode("utf-8")
            matched |= hmac.compare_digest(expected, given)  # no short-circuit: both are always computed
        return matched
