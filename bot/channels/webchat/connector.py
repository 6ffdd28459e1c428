"""The web chat on the city's site: the page, its files and the JSON API it uses, under `/webhooks/webchat/`.

- `POST /session` issues a signed random session id (`WEBCHAT_SECRET`); the conversation is `web:<id>`.
- `POST /webhook` (bearer token verified first) takes one message (text, a button, a position or a photo)
  and answers with the assistant's replies to it. Messages of one session are handled in arrival order.
- `GET /updates` hands over what the assistant said on its own meanwhile (a report filed later, a status
  change), which cannot be pushed to a browser.
- `GET /chat` is the page; `GET /static/<name>` its allowlisted files.

Only buttons the assistant offered the session may reach Rasa as payloads; anything else is words.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.dedupe import SeenStore, make_seen_store
from bot.channels.message_metadata import LOCATION_ONLY, PHOTO_ONLY, photo_metadata
from bot.channels.sender_queues import SenderQueues
from bot.channels.turns import run_turn
from bot.channels.webchat.inbound import MAX_JSON_BYTES, BadRequest, Inbound, read_body, read_inbound
from bot.channels.webchat.page import API_HEADERS, content_security_policy, origin_of, page, static_file
from bot.channels.webchat.state import Mailbox, Message, OfferedButtons, Turn
from bot.channels.webchat.tokens import SessionTokens
from bot.channels.webhook import OnNewMessage
from bot.photos.intake import PhotoIntake
from bot.photos.pipeline import PhotoRejected, too_large
from bot.sentences import say
from bot.settings import get_settings
from bot.text import as_plain_text

logger = logging.getLogger(__name__)

CHANNEL = "webchat"
PREFIX = "web:"
SHARE_LOCATION = LOCATION_ONLY  # the button payload that means "offer the browser's own location control"
TURN_TIMEOUT = 25.0
MIN_SECRET_LENGTH = 32
MAX_SESSION_BYTES = 4096  # `{"token": …}` and nothing more

Sink = Callable[[str, Message], None]


def sender_id(session_id: str) -> str:
    """The conversation id of a web chat session."""
    return PREFIX + session_id


class WebchatOutput(OutputChannel):
    """Turns what the assistant sends into the page's message shape `{"text", "buttons", "image"}`.

    Where a message goes is the `sink`'s business: into the answer of the request that is waiting, or into
    the session's mailbox for the browser's next visit.
    """

    def __init__(self, sink: Sink) -> None:
        self._sink = sink

    @classmethod
    def name(cls) -> str:  # noqa: D102
        return CHANNEL

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:  # noqa: D102
        self._send(recipient_id, {"text": str(text or ""), "buttons": [], "image": None})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:  # noqa: D102
        if origin_of(str(image)) is None:  # only http(s) images: never data:, javascript: or relative paths
            logger.warning("webchat.image_dropped reason=not_http")
            return
        self._send(recipient_id, {"text": "", "buttons": [], "image": str(image)})

    async def send_text_with_buttons(  # noqa: D102
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        self._send(recipient_id, {"text": str(text or ""), "buttons": _buttons(buttons), "image": None})

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """Custom payloads have no meaning on the page: ignored."""
        logger.debug("webchat.custom_json_ignored")

    def _send(self, recipient_id: str, message: Message) -> None:
        session_id = recipient_id[len(PREFIX) :] if recipient_id.startswith(PREFIX) else ""
        if not session_id:
            logger.warning("webchat.unknown_recipient")
            return
        self._sink(session_id, message)


def _buttons(buttons: list[dict[str, Any]]) -> list[dict[str, str]]:
    result = []
    for button in buttons or []:
        title = str(button.get("title") or "").strip()
        payload = str(button.get("payload") or title).strip()
        if title or payload:
            result.append({"title": title or payload, "payload": payload})
    return result


class WebchatInput(InputChannel):
    """The web chat connector (sessions, messages, the page)."""

    @classmethod
    def name(cls) -> str:  # noqa: D102
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Reads everything from the settings (credentials.yml entries stay empty)."""
        s = get_settings()
        # Stored photos are served under PUBLIC_URL, or by the bucket (its public URL, else its endpoint).
        media_base = s.media_s3_public_url or s.media_s3_endpoint
        origins = [o for o in (origin_of(s.public_url), origin_of(media_base)) if o]
        return cls(s.webchat_secret, seen=make_seen_store(s.redis_url), image_origins=origins)

    def __init__(
        self,
        secret: str,
        *,
        seen: SeenStore | None = None,
        photos: PhotoIntake | None = None,
        max_photo_bytes: int | None = None,
        image_origins: list[str] | None = None,
        turn_timeout: float = TURN_TIMEOUT,
    ) -> None:
        """Sets the connector up.

        Args:
            secret: `WEBCHAT_SECRET`, which signs session ids; empty refuses every session (503).
            seen: Delivered message ids (`make_seen_store`); memory when None.
            photos: The photo pipeline; built from the settings when None.
            max_photo_bytes: Largest upload accepted; `MEDIA_MAX_BYTES` when None.
            image_origins: Origins besides the page's own that may serve the assistant's images.
            turn_timeout: Seconds a request waits for the assistant; later replies wait in the mailbox.
        """
        self.tokens = SessionTokens(secret)
        self._seen = seen or make_seen_store()
        self._photos = photos
        self._max_photo_bytes = max_photo_bytes or get_settings().media_max_bytes
        self._csp = content_security_policy(image_origins or [])
        self._turn_timeout = turn_timeout
        self.mailbox = Mailbox()
        self.offered = OfferedButtons()
        self._queues = SenderQueues()
        if not self.tokens.configured:
            logger.error("webchat.not_configured: set WEBCHAT_SECRET on the assistant")
        elif len(secret) < MIN_SECRET_LENGTH:
            logger.warning("webchat.weak_secret: use a WEBCHAT_SECRET of %d+ characters", MIN_SECRET_LENGTH)

    @property
    def photos(self) -> PhotoIntake:
        """The photo pipeline (built on first use)."""
        if self._photos is None:
            self._photos = PhotoIntake()
        return self._photos

    def get_output_channel(self) -> OutputChannel:
        """What the assistant says on its own waits in the session's mailbox for the browser to fetch."""
        return WebchatOutput(self._keep_for_later)

    def _keep_for_later(self, session_id: str, message: Message) -> None:
        self._remember_buttons(session_id, message)
        self.mailbox.put(session_id, message)

    def _remember_buttons(self, session_id: str, message: Message) -> None:
        # The location button is the page's own control: it sends a position, never this payload.
        payloads = [b["payload"] for b in message["buttons"] if b["payload"] != SHARE_LOCATION]
        self.offered.offer(session_id, payloads)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """GET / (health), GET /chat, GET /static/<name>, POST /session, POST /webhook, GET /updates."""
        bp = Blueprint("webchat")

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            if "text/html" in request.headers.get("accept", ""):
                # A person who opened the channel's address in a browser: show them the page.
                return response.redirect(request.path.rstrip("/") + "/chat")
            if not self.tokens.configured:
                return _not_configured()
            return response.json({"status": "ok"}, headers=API_HEADERS)

        @bp.route("/chat", methods=["GET"])
        async def chat_page(_: Request) -> HTTPResponse:
            return page(self._csp)

        @bp.route("/static/<name>", methods=["GET"])
        async def static(_: Request, name: str) -> HTTPResponse:
            return static_file(name)

        @bp.route("/session", methods=["POST"], stream=True)
        async def session(request: Request) -> HTTPResponse:
            return await self._session(request)

        @bp.route("/webhook", methods=["POST"], stream=True)
        async def webhook(request: Request) -> HTTPResponse:
            return await self._webhook(request, on_new_message)

        @bp.route("/updates", methods=["GET"])
        async def updates(request: Request) -> HTTPResponse:
            session_id = self.tokens.from_authorization(request.headers.get("authorization"))
            if session_id is None:
                return _forbidden(self.tokens.configured)
            return response.json({"messages": self.mailbox.take(session_id)}, headers=API_HEADERS)

        return bp

    async def _session(self, request: Request) -> HTTPResponse:
        try:
            raw = await read_body(request, MAX_SESSION_BYTES, say("webchat.request_too_large"))
        except BadRequest as error:
            return _error(error.status, error.error, error.message)
        if not self.tokens.configured:
            return _not_configured()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:  # broken JSON: a new session then
            body = None
        token = body.get("token") if isinstance(body, dict) else None
        resumed = bool(token) and self.tokens.verify(token) is not None
        return response.json(
            {
                "token": token if resumed else self.tokens.issue(),
                "resumed": resumed,
                "max_photo_bytes": self._max_photo_bytes,
            },
            headers=API_HEADERS,
        )

    async def _webhook(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        session_id = self.tokens.from_authorization(request.headers.get("authorization"))
        if session_id is None:
            if request.stream is not None:
                request.stream.request_max_size = MAX_JSON_BYTES  # never take in a large upload unasked
            return _forbidden(self.tokens.configured)
        try:
            refusal = too_large(self._max_photo_bytes).user_message
            inbound = await read_inbound(request, self._max_photo_bytes, refusal)
            text, metadata = await self._user_message(session_id, inbound)
        except BadRequest as error:
            return _error(error.status, error.error, error.message)
        if inbound.message_id and not self._seen.first_time(f"webchat:{session_id}:{inbound.message_id}"):
            logger.info("webchat.duplicate_ignored")
            return response.json({"messages": [], "duplicate": True}, headers=API_HEADERS)
        if inbound.photo is not None:
            try:
                stored = await self.photos.from_bytes_async(inbound.photo)
            except PhotoRejected as error:
                logger.info("webchat.photo_rejected reason=%s", error.reason)
                return _error(422, "photo_rejected", error.user_message)
            metadata.update(photo_metadata([stored]))
        messages, done = await self._run_turn(session_id, text, metadata, on_new_message)
        body: dict[str, Any] = {"messages": messages}
        if not done:
            body["pending"] = True  # the assistant is still answering: the page fetches the rest later
        return response.json(body, headers=API_HEADERS)

    async def _user_message(self, session_id: str, inbound: Inbound) -> tuple[str, dict[str, Any]]:
        """The text for Rasa and the message metadata (before any photo is stored).

        Raises:
            BadRequest: 400 when there is nothing to send.
        """
        metadata: dict[str, Any] = {"channel": CHANNEL}
        if inbound.photo is not None:
            return as_plain_text(inbound.text) or PHOTO_ONLY, metadata
        if inbound.latitude is not None and inbound.longitude is not None:
            metadata.update(latitude=inbound.latitude, longitude=inbound.longitude)
            return LOCATION_ONLY, metadata
        if inbound.payload is not None and self.offered.accepts(session_id, inbound.payload):
            metadata["button"] = True
            return inbound.payload, metadata
        text = as_plain_text(inbound.payload if inbound.payload is not None else inbound.text)
        if not text:
            raise BadRequest(400, "empty", say("webchat.empty"))
        return text, metadata

    async def _run_turn(
        self,
        session_id: str,
        text: str,
        metadata: dict[str, Any],
        on_new_message: OnNewMessage,
    ) -> tuple[list[Message], bool]:
        """Hands the message to Rasa behind the session's earlier ones and waits (bounded) for the replies.

        Returns:
            The replies (after any that were waiting in the mailbox), and whether the assistant had finished.
        """
        self.offered.forget(session_id)  # a new turn: buttons offered before it are stale
        turn = Turn(session_id, self.mailbox)

        def collect(_: str, message: Message) -> None:
            self._remember_buttons(session_id, message)
            turn.add(message)

        async def job() -> None:
            try:
                output = WebchatOutput(collect)
                await run_turn(
                    on_new_message,
                    UserMessage(
                        text, output, sender_id(session_id), input_channel=CHANNEL, metadata=metadata
                    ),
                )
            finally:
                turn.finish()

        self._queues.submit(sender_id(session_id), job)
        try:
            await asyncio.wait_for(asyncio.shield(turn.finished), self._turn_timeout)
        except asyncio.TimeoutError:
            logger.warning("webchat.turn_slow timeout=%s", self._turn_timeout)
        finally:
            # Also when the browser hung up (the request is cancelled): later replies wait in the mailbox.
            replies = turn.close()
        return self.mailbox.take(session_id) + replies, turn.finished.done()


def _error(status: int, error: str, message: str) -> HTTPResponse:
    return response.json({"error": error, "message": message}, status=status, headers=API_HEADERS)


def _forbidden(configured: bool) -> HTTPResponse:
    if not configured:
        return _not_configured()
    return _error(403, "forbidden", say("webchat.session_invalid"))


def _not_configured() -> HTTPResponse:
    return _error(503, "not_configured", say("webchat.not_configured"))
