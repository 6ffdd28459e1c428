"""The routes every webhook connector exposes: `GET /` (health) and `POST /webhook` (deliveries)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
Receive = Callable[[Request, OnNewMessage], Awaitable[HTTPResponse]]


def webhook_blueprint(name: str, receive: Receive, on_new_message: OnNewMessage) -> Blueprint:
    """A blueprint answering health checks and handing each delivery to `receive`.

    Args:
        name: The blueprint's name (unique in the Sanic app).
        receive: The connector's handler; it authenticates first and answers the provider.
        on_new_message: Rasa's callback for a resident's message, passed on to `receive`.

    Returns:
        The blueprint Rasa mounts under `/webhooks/<channel>/`.
    """
    bp = Blueprint(name, __name__)

    @bp.route("/", methods=["GET"])
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    # Streamed, so a connector can refuse an oversized body before reading it.
    @bp.route("/webhook", methods=["POST"], stream=True)
    async def webhook(request: Request) -> HTTPResponse:
        return await receive(request, on_new_message)

    return bp
