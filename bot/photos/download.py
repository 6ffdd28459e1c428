"""Fetching a resident's photo from a channel's media server: capped, host-allowlisted, credential-safe.

Twilio, Telegram and the web chat hand us a URL rather than bytes. The URL came from outside, so only
hosts we expect are contacted, redirects are followed by hand (each hop checked), credentials stay with the
host they were meant for (Twilio's media URL redirects to a CDN), and the body is counted while it streams so
a huge or endless response never fills memory.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Mapping
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from bot.photos.pipeline import PhotoRejected, sniff_image_type, too_large

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 3
_CHUNK = 64 * 1024
_SNIFF_BYTES = 16
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Headers that identify the caller; like credentials they must not follow a redirect to another origin.
_SENSITIVE_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})

_Origin = tuple[str, str, int]


def download(
    url: str,
    *,
    allowed_hosts: Collection[str],
    max_bytes: int,
    timeout: float,
    auth: tuple[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> bytes:
    """Downloads one photo, refusing anything outside the rules.

    Args:
        url: The http(s) URL the channel gave us.
        allowed_hosts: Host names we may contact (exact, case-insensitive match), for every redirect hop.
        max_bytes: Largest body accepted; reading stops as soon as it is exceeded.
        timeout: Seconds allowed for the whole download, and for each connect/read.
        auth: HTTP basic credentials, sent only to the origin of `url`, never to a redirect target elsewhere.
        headers: Extra request headers; authorization and cookie headers follow the same rule as `auth`.

    Returns:
        The body, at most `max_bytes` long, starting with a JPEG, PNG or WebP signature.

    Raises:
        PhotoRejected: reason "host" for a URL or redirect outside the allowlist, "too_large" over the cap,
            "type" when the body is plainly not an image, "download" for HTTP errors, timeouts, connection
            failures and too many redirects.
    """
    allowed = {host.strip().lower().rstrip(".") for host in allowed_hosts}
    deadline = time.monotonic() + timeout
    first = _origin(url, allowed)
    with requests.Session() as session:
        # No proxies or ~/.netrc from the environment: netrc could attach credentials to any host.
        session.trust_env = False
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            same_origin = _origin(current, allowed) == first
            response = _get(session, current, same_origin, auth, headers, deadline)
            with response:
                if response.status_code in _REDIRECT_STATUSES:
                    location = response.headers.get("Location")
                    if not location:
                        raise PhotoRejected("download", detail="redirect without Location")
                    current = urljoin(current, location)
                    continue
                if response.status_code != 200:
                    logger.info("photo download refused: HTTP %s", response.status_code)
                    raise PhotoRejected("download", detail=f"HTTP {response.status_code}")
                return _read_capped(response, max_bytes, deadline)
    logger.info("photo download refused: more than %s redirects", MAX_REDIRECTS)
    raise PhotoRejected("download", detail="too many redirects")


def _origin(url: str, allowed: set[str]) -> _Origin:
    """Checks a URL against the rules and returns its (scheme, host, port)."""
    try:
        parts = urlsplit(url)
        scheme, host, port = parts.scheme.lower(), (parts.hostname or "").rstrip("."), parts.port
    except ValueError as exc:  # e.g. a non-numeric port
        raise PhotoRejected("host", detail="malformed URL") from exc
    if scheme not in ("http", "https"):
        logger.info("photo download refused: scheme %r not allowed", scheme)
        raise PhotoRejected("host", detail="scheme not allowed")
    if parts.username is not None or parts.password is not None:
        raise PhotoRejected("host", detail="credentials inside the URL")
    if host not in allowed:
        logger.info("photo download refused: host outside the allowlist")
        logger.debug("refused host %s", host)
        raise PhotoRejected("host", detail="host not allowed")
    return scheme, host, port or (443 if scheme == "https" else 80)


def _get(
    session: requests.Session,
    url: str,
    same_origin: bool,
    auth: tuple[str, str] | None,
    headers: Mapping[str, str] | None,
    deadline: float,
) -> requests.Response:
    """Sends one GET without following redirects; failures become PhotoRejected("download")."""
    sent = {k: v for k, v in (headers or {}).items() if same_origin or k.lower() not in _SENSITIVE_HEADERS}
    # Compressed bodies would let a small transfer expand past the cap inside one chunk.
    sent["Accept-Encoding"] = "identity"
    try:
        return session.get(
            url,
            auth=auth if same_origin else None,
            headers=sent,
            allow_redirects=False,
            stream=True,
            timeout=_remaining(deadline),
        )
    except requests.RequestException as exc:
        logger.info("photo download failed: %s", type(exc).__name__)
        raise PhotoRejected("download", detail=type(exc).__name__) from exc


def _read_capped(response: requests.Response, max_bytes: int, deadline: float) -> bytes:
    """Reads the body chunk by chunk, stopping at the cap, the deadline, or a non-image start."""
    declared = response.headers.get("Content-Length", "")
    if declared.strip().isdigit() and int(declared) > max_bytes:
        logger.info("photo download refused: announced %s bytes, cap %s", declared, max_bytes)
        raise too_large(max_bytes)
    body = bytearray()
    sniffed = False
    try:
        # read1 returns whatever one socket read brought, so the deadline is checked even when a server
        # drips a byte at a time (a plain read would wait for a whole chunk).
        while chunk := response.raw.read1(_CHUNK, decode_content=True):
            body += chunk
            if len(body) > max_bytes:
                logger.info("photo download refused: body over the cap of %s bytes", max_bytes)
                raise too_large(max_bytes)
            if not sniffed and len(body) >= _SNIFF_BYTES:
                # Spare the rest of the transfer when the start already says it is no photo.
                if sniff_image_type(bytes(body[:_SNIFF_BYTES])) is None:
                    raise PhotoRejected("type", detail="body is not an image")
                sniffed = True
            _remaining(deadline)
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
        logger.info("photo download failed while reading: %s", type(exc).__name__)
        raise PhotoRejected("download", detail=type(exc).__name__) from exc
    if not sniffed and sniff_image_type(bytes(body)) is None:
        raise PhotoRejected("type", detail="body is not an image")
    return bytes(body)


def _remaining(deadline: float) -> float:
    """Seconds left before the deadline; raises PhotoRejected("download") once it has passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        logger.info("photo download failed: took longer than allowed")
        raise PhotoRejected("download", detail="timed out")
    return left
