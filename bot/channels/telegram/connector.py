"""The Telegram channel: residents message the city's bot, Telegram delivers each update to our webhook.

`POST /webhooks/telegram/webhook` checks, in order, the content type and body size, then Telegram's
secret header (constant-time; refused when missing, wrong, or when no secret is configured), parses the
update with python-telegram-bot, drops a repeated `update_id`, queues the work behind the chat's earlier
messages and answers 200 at once. Photos are fetched through the Bot API (`getFile`, then the file server
of the same host) and go through the one photo pipeline before Rasa sees their stored URLs.

The `Bot` is created once, lazily, in the server's event loop; nothing calls Telegram just because an
update arrived. `python -m bot.channels.telegram.admin` registers the webhook or polls in development.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Coroutine
from dataclasses import replace
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.dedupe import MemorySeenStore, SeenStore, make_seen_store
from bot.channels.message_metadata import photo_metadata
from bot.channels.sender_queues import SenderQueues
from bot.channels.telegram.bot_client import (
    DEFAULT_API_BASE,
    SECRET_HEADER,
    TELEGRAM_FILE_LIMIT,
    BotHolder,
    BotUnavailable,
    attempt,
    same_origin,
)
from bot.channels.telegram.markup import ChatMemory
from bot.channels.telegram.output import CHANNEL, TelegramOutput, sender_id
from bot.channels.telegram.updates import FileRef, Inbound, classify, parse_update
from bot.channels.turns import run_turn
from bot.channels.webhook import OnNewMessage, webhook_blueprint
from bot.photos.intake import PhotoIntake, StoredPhoto
from bot.photos.pipeline import PhotoRejected, too_large
from bot.sentences import say
from bot.settings import Settings, get_settings

logger = logging.getLogger(__name__)

# Updates are a few kilobytes; files never travel in them.
MAX_BODY = 256 * 1024


class TelegramInput(InputChannel):
    """Receives Telegram webhook deliveries and hands residents' messages to Rasa in order."""

    @classmethod
    def name(cls) -> str:  # noqa: D102
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Builds the channel from settings (environment); credentials.yml values are only a fallback."""
        s = get_settings()
        creds = credentials or {}
        return cls(
            token=s.telegram_token or str(creds.get("access_token") or ""),
            secret=s.telegram_secret or str(creds.get("secret_token") or ""),
            api_base=s.telegram_api_base,
            seen=make_seen_store(s.redis_url),
            settings=s,
        )

    def __init__(
        self,
        token: str = "",
        secret: str = "",
        api_base: str = DEFAULT_API_BASE,
        *,
        intake: PhotoIntake | None = None,
        seen: SeenStore | None = None,
        settings: Settings | None = None,
        max_body: int = MAX_BODY,
    ) -> None:
        self._bots = BotHolder(token, api_base)
        self._secret = secret.encode()
        self._settings = settings
        self._intake = intake
        self._seen = seen or MemorySeenStore()
        self._max_body = max_body
        self._memory = ChatMemory()
        self._queues = SenderQueues()
        self._tasks: set[asyncio.Task[None]] = set()
        if not secret:
            logger.warning(
                "telegram.no_secret: every webhook delivery will be refused until TELEGRAM_SECRET is set"
            )

    @property
    def settings(self) -> Settings:
        """The settings in force (read on first use)."""
        if self._settings is None:
            self._settings = get_settings()
        return self._settings

    @property
    def intake(self) -> PhotoIntake:
        """The photo pipeline (built on first use)."""
        if self._intake is None:
            self._intake = PhotoIntake(self.settings)
        return self._intake

    def get_output_channel(self) -> TelegramOutput:
        """An output channel that can message any resident by sender id (`telegram:<chat id>`)."""
        return TelegramOutput(self._bots, self._memory)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """GET / (health) and POST /webhook (Telegram's deliveries)."""
        bp = webhook_blueprint("telegram_webhook", self._receive, on_new_message)

        @bp.listener("before_server_stop")
        async def finish(_app: Sanic, _loop: asyncio.AbstractEventLoop) -> None:
            await self.close()

        return bp

    async def close(self, timeout: float = 10.0) -> None:
        """Lets queued messages finish (up to `timeout` seconds), then closes the Bot's connections."""
        try:
            await asyncio.wait_for(self._queues.drain(), timeout)
        except asyncio.TimeoutError:
            logger.warning("telegram.shutdown_with_pending_messages senders=%d", self._queues.busy())
        await self._bots.close()

    # ------------------------------------------------------------------------------------------ webhook

    async def _receive(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if content_type != "application/json":
            return response.text("expected application/json", status=415)
        body = await _read_capped(request, self._max_body)
        if body is None:
            return response.text("too large", status=413)
        if not self._secret_ok(request.headers.get(SECRET_HEADER)):
            logger.warning("telegram.webhook_refused reason=secret")
            return response.text("forbidden", status=403)
        data = _decode(body)
        if data is None:
            return response.text("not a Telegram update", status=400)
        if not await asyncio.to_thread(self._seen.first_time, f"telegram:update:{data['update_id']}"):
            logger.info("telegram.duplicate_update")
            return response.json({"ok": True, "duplicate": True})
        update = parse_update(data)
        inbound = classify(update) if update is not None else Inbound("ignored")
        logger.debug("telegram.update kind=%s", inbound.kind)
        self._dispatch(inbound, on_new_message)
        return response.json({"ok": True})

    def _secret_ok(self, given: str | None) -> bool:
        # Fail closed: with no secret configured, nobody can prove the delivery came from Telegram.
        if not self._secret or given is None:
            return False
        return hmac.compare_digest(given.encode(), self._secret)

    def _dispatch(self, inbound: Inbound, on_new_message: OnNewMessage) -> None:
        chat = inbound.chat_id
        if inbound.kind == "callback":
            payload = self._memory.payload(chat, inbound.text) if chat is not None else None
            notice = say("telegram.expired_button") if chat is not None and payload is None else None
            # Answered at once, not behind the chat's queue: the client shows a spinner until then.
            self._background(self.get_output_channel().answer_callback(inbound.callback_id, notice))
            if payload is None:
                return
            inbound = replace(inbound, text=payload)
        if chat is None or inbound.kind == "ignored":
            return
        self._queues.submit(sender_id(chat), lambda: self._handle(inbound, on_new_message))

    def _background(self, job: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(job)
        self._tasks.add(task)  # keep a reference until done, or the task may be collected mid-way
        task.add_done_callback(self._tasks.discard)

    # ------------------------------------------------------------------------------------------ handling

    async def _handle(self, inbound: Inbound, on_new_message: OnNewMessage) -> None:
        assert inbound.chat_id is not None
        sender = sender_id(inbound.chat_id)
        output = self.get_output_channel()
        if inbound.kind == "edited":
            if await asyncio.to_thread(self._seen.first_time, f"telegram:edit:{sender}:{inbound.message_id}"):
                await output.send_text_message(sender, say("telegram.edited"))
            return
        self._memory.resident_answered(inbound.chat_id)
        if inbound.kind in ("document", "unsupported"):
            reply = say("telegram.document") if inbound.kind == "document" else say("telegram.unsupported")
            await output.send_text_message(sender, reply)
            return
        metadata = dict(inbound.metadata)
        if inbound.kind == "photo" and inbound.file is not None:
            try:
                stored = await self._fetch_photo(inbound.file)
            except PhotoRejected as rejected:
                logger.info("telegram.photo_rejected reason=%s", rejected.reason)
                await output.send_text_message(sender, rejected.user_message)
                return
            metadata.update(photo_metadata([stored]))
        await run_turn(
            on_new_message,
            UserMessage(inbound.text, output, sender, input_channel=self.name(), metadata=metadata),
        )

    async def _fetch_photo(self, file: FileRef) -> StoredPhoto:
        """Downloads the photo from Telegram's file server and puts it through the photo pipeline.

        Raises:
            PhotoRejected: too large (checked before any download), not fetchable, or not a usable photo.
        """
        limit = min(TELEGRAM_FILE_LIMIT, self.settings.media_max_bytes)
        if file.file_size and file.file_size > limit:
            raise too_large(limit)
        try:
            bot = await self._bots.get()
        except BotUnavailable as error:
            raise PhotoRejected("download", detail="bot unavailable") from error
        found = await attempt("getFile", lambda: bot.get_file(file.file_id))
        if found.value is None:
            raise PhotoRejected("download", detail=f"getFile {found.reason}")
        tg_file = found.value
        if tg_file.file_size and tg_file.file_size > limit:
            raise too_large(limit)
        if not tg_file.file_path or not same_origin(tg_file.file_path, self._bots.api_base):
            raise PhotoRejected("host", detail="file path outside the Bot API host")
        timeout = self.settings.media_download_timeout
        fetched = await attempt("downloadFile", lambda: tg_file.download_as_bytearray(read_timeout=timeout))
        if fetched.value is None:
            raise PhotoRejected("download", detail=f"download {fetched.reason}")
        if len(fetched.value) > limit:
            raise too_large(limit)
        return await self.intake.from_bytes_async(bytes(fetched.value))


async def _read_capped(request: Request, cap: int) -> bytes | None:
    """The request body, or None as soon as it is known to exceed `cap` bytes (nothing more is read)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        return None
    chunks: list[bytes] = []
    size = 0
    assert request.stream is not None
    while (chunk := await request.stream.read()) is not None:
        size += len(chunk)
        if size > cap:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(body: bytes) -> dict[str, Any] | None:
    """The update as a dict with an integer `update_id`, or None for anything else."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        return None
    return data
