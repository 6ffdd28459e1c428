"""Rasa's REST channel behind a bearer token, for operators, tests and the benchmark.

Rasa's own REST channel lets any caller pick any conversation id and send `/intent` payloads; that is fine for
a trusted operator, not for the open internet. This one refuses every call without the `REST_TOKEN`
(constant-time comparison, 403), and is not offered at all when no token is configured.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.settings import get_settings


class TokenRestInput(RestInput):
    """`POST /webhooks/rest/webhook` with `Authorization: Bearer <REST_TOKEN>`."""

    @classmethod
    def name(cls) -> str:  # noqa: D102
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:  # noqa: D102
        return cls(get_settings().rest_token)

    def __init__(self, token: str) -> None:
        self._token = token

    def authenticated(self, request: Request) -> bool:
        """Whether the request carries the configured token (never true when none is configured)."""
        if not self._token:
            return False
        header = request.headers.get("Authorization", "")
        offered = header[7:] if header.startswith("Bearer ") else ""
        return hmac.compare_digest(offered.encode(), self._token.encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's REST routes; every POST is refused before Rasa sees it unless it carries the token."""
        bp = super().blueprint(on_new_message)

        @bp.middleware("request")
        async def authenticate(request: Request) -> HTTPResponse | None:
            if request.method == "POST" and not self.authenticated(request):
                return response.json({"error": "forbidden"}, status=403)
            return None

        return bp
