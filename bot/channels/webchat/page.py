"""The web chat page and its files, served by the assistant itself (no CDN, no external fonts).

Only the files named in `STATIC_FILES` are ever served, read once from `static/`; a request for any
other name (including `../…`) is a 404 before the file system is touched. The page carries a strict
Content-Security-Policy: its own scripts, styles and API only, no inline script.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from sanic import response
from sanic.response import HTTPResponse

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_FILES: dict[str, str] = {
    "chat.js": "text/javascript; charset=utf-8",
    "chat.css": "text/css; charset=utf-8",
    "icon.svg": "image/svg+xml",
    "camera.svg": "image/svg+xml",
    "location.svg": "image/svg+xml",
}
PAGE_FILE = "index.html"

COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
API_HEADERS = {**COMMON_HEADERS, "Cache-Control": "no-store"}
# Static files may change with a deploy: revalidate rather than keep a stale script.
STATIC_HEADERS = {
    **COMMON_HEADERS,
    "Cache-Control": "no-cache",
    "Content-Security-Policy": "default-src 'none'",
}


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]` of an http(s) URL, or None for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(image_origins: Iterable[str] = ()) -> str:
    """The page's policy: everything from this origin only; images also from where the assistant's are kept.

    `blob:` lets the page preview a photo the resident picked before it is sent; nothing is fetched for it.
    """
    images = " ".join(["'self'", "blob:", *sorted({o for o in image_origins if o})])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {images}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


@cache
def _read(name: str) -> bytes:
    return (STATIC_DIR / name).read_bytes()


def page(csp: str) -> HTTPResponse:
    """The chat page."""
    headers = {**COMMON_HEADERS, "Cache-Control": "no-cache", "Content-Security-Policy": csp}
    return response.raw(_read(PAGE_FILE), headers=headers, content_type="text/html; charset=utf-8")


def static_file(name: str) -> HTTPResponse:
    """One allowlisted file, or 404 for any other name."""
    content_type = STATIC_FILES.get(name)
    if content_type is None:
        return response.json({"error": "not_found"}, status=404, headers=API_HEADERS)
    return response.raw(_read(name), headers=STATIC_HEADERS, content_type=content_type)
