"""Reading one web chat request (`POST /webhook`) into an `Inbound`, within size caps.

The body is streamed: its declared length is checked before a byte is read, and reading stops at the cap
even without a declared length, so an oversized upload never fills memory. Anything malformed becomes a
`BadRequest` with a short message the page can show.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from sanic.exceptions import PayloadTooLarge
from sanic.headers import parse_content_header
from sanic.request import Request, parse_multipart_form

from bot.sentences import say

MAX_JSON_BYTES = 64 * 1024  # typed text is capped at 10 KB later; this only bounds what is read
MULTIPART_OVERHEAD = 64 * 1024  # room for the caption, field headers and boundaries beside the photo
_MESSAGE_ID = re.compile(r"[A-Za-z0-9_.:-]{1,100}")


@dataclass(frozen=True)
class Inbound:
    """One resident message, as the browser sent it (nothing trusted yet but its shape)."""

    message_id: str | None
    text: str = ""
    payload: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    photo: bytes | None = None


class BadRequest(Exception):
    """A request the web chat refuses; `status`, a machine-readable `error` and a friendly `message`."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.message = message


def too_large(message: str) -> BadRequest:
    """The 413 refusal, with the message the resident sees."""
    return BadRequest(413, "too_large", message)


def malformed(error: str) -> BadRequest:
    """The 400 refusal of a request the page never sends; `error` says what was wrong with it."""
    return BadRequest(400, error, say("webchat.malformed"))


def bad_location() -> BadRequest:
    """The 400 refusal of a position that is not one."""
    return BadRequest(400, "bad_location", say("webchat.bad_location"))


async def read_inbound(request: Request, max_photo_bytes: int, photo_too_large: str) -> Inbound:
    """Reads and checks the body of a `POST /webhook` (a route registered with `stream=True`).

    Args:
        request: The request; its body has not been read yet.
        max_photo_bytes: The largest photo accepted.
        photo_too_large: What to tell the resident when a photo is over the cap.

    Raises:
        BadRequest: 400 malformed or empty, 413 over a cap, 415 neither JSON nor multipart.
    """
    content_type, params = parse_content_header(request.headers.get("content-type", ""))
    if content_type == "multipart/form-data":
        body = await read_body(request, max_photo_bytes + MULTIPART_OVERHEAD, photo_too_large)
        return _from_multipart(body, str(params.get("boundary", "")))
    if content_type == "application/json":
        body = await read_body(request, MAX_JSON_BYTES, say("webchat.text_too_long"))
        return _from_json(body)
    raise BadRequest(415, "unsupported_type", say("webchat.unsupported_type"))


async def read_body(request: Request, cap: int, message: str) -> bytes:
    """The whole body, refusing (413) a declared length over `cap` before reading anything.

    Raises:
        BadRequest: 413 over the cap, 400 for an unreadable length.
    """
    stream = request.stream
    if stream is not None:
        # Sanic enforces this while reading (chunked bodies too) and when it drains a body we refused unread.
        stream.request_max_size = cap
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise malformed("bad_length")
        if int(declared) > cap:
            raise too_large(message)
    if stream is None:  # not a streaming route: Sanic already read (and capped) the body
        return bytes(request.body)
    chunks: list[bytes] = []
    try:
        async for chunk in stream:
            chunks.append(chunk)
    except PayloadTooLarge as error:
        raise too_large(message) from error
    return b"".join(chunks)


def _from_json(body: bytes) -> Inbound:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise malformed("bad_json") from error
    if not isinstance(data, dict):
        raise malformed("bad_json")
    message_id = _message_id(data.get("message_id"))
    if "latitude" in data or "longitude" in data:
        latitude, longitude = _coordinate(data.get("latitude"), 90), _coordinate(data.get("longitude"), 180)
        return Inbound(message_id, latitude=latitude, longitude=longitude)
    payload = data.get("payload")
    if payload is not None:
        if not isinstance(payload, str) or not payload.strip():
            raise malformed("bad_payload")
        return Inbound(message_id, payload=payload)
    text = data.get("text")
    if not isinstance(text, str):
        raise BadRequest(400, "empty", say("webchat.empty"))
    return Inbound(message_id, text=text)


def _from_multipart(body: bytes, boundary: str) -> Inbound:
    if not boundary:
        raise malformed("bad_form")
    try:
        fields, files = parse_multipart_form(body, boundary.encode("utf-8"))
    except Exception as error:  # Sanic's parser raises assorted errors on garbage
        raise malformed("bad_form") from error
    message_id = _message_id(fields.get("message_id"))
    caption = str(fields.get("text") or "")
    photo = files.get("photo")
    if photo is None or not photo.body:
        raise BadRequest(400, "no_photo", say("webchat.no_photo"))
    return Inbound(message_id, text=caption, photo=bytes(photo.body))


def _message_id(value: Any) -> str | None:
    """The browser's id for the message (for de-duplication), or None when it sent none."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _MESSAGE_ID.fullmatch(value):
        raise malformed("bad_message_id")
    return value


def _coordinate(value: Any, limit: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise bad_location()
    number = float(value)
    if not math.isfinite(number) or abs(number) > limit:
        raise bad_location()
    return number
