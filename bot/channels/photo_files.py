"""Serves the assistant's stored photos (`GET /webhooks/media/files/<name>`).

These are the URLs that travel to the back office as `media_url`. Not a chat channel: it only answers GETs for
unguessable names, never lists anything.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.photos.store import MediaStore, is_valid_name, make_store
from bot.settings import get_settings

HEADERS = {
    "Content-Type": "image/jpeg",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "public, max-age=86400, immutable",
    "Content-Security-Policy": "default-src 'none'",
}


class MediaFiles(InputChannel):
    """The photo file server, mounted beside the chat channels."""

    @classmethod
    def name(cls) -> str:  # noqa: D102
        return "media"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:  # noqa: D102
        return cls()

    def __init__(self, store: MediaStore | None = None) -> None:
        self._store = store

    @property
    def store(self) -> MediaStore:
        """The media store (built on first use)."""
        if self._store is None:
            self._store = make_store(get_settings())
        return self._store

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """GET / (health) and GET /files/<name>."""
        bp = Blueprint("media_files", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/files/<name>", methods=["GET", "HEAD"])
        async def serve(request: Request, name: str) -> HTTPResponse:
            if not is_valid_name(name):
                return response.text("not found", status=404)
            data = await asyncio.to_thread(self.store.load, name)
            if data is None:
                return response.text("not found", status=404)
            return response.raw(b"" if request.method == "HEAD" else data, headers=HEADERS)

        return bp
