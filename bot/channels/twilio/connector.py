"""The SMS/MMS channel: residents text the city's Twilio number.

Webhook (`POST /webhooks/twilio/webhook`), in this order:
1. Authenticate: without an auth token, or without a valid `X-Twilio-Signature` over the public URL Twilio
   called and every posted field, the answer is 403 and nothing reaches the conversation.
2. Form-encoded bodies only (415), at most `max_body` bytes (413).
3. A `MessageSid` seen before is acknowledged and dropped (Twilio retries; replays).
4. Acknowledge at once with empty TwiML; the message is handled in the background, in arrival order per
   resident (`bot.channels.twilio.inbound`), and answered through the REST API (`TwilioOutput`).

credentials.yml: `bot.channels.twilio.TwilioInput:` with no secrets (they come from the environment, see
`bot.settings`); `trust_forwarded: true` is the one option read from there.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.dedupe import SeenStore, make_seen_store
from bot.channels.sender_queues import SenderQueues
from bot.channels.twilio.auth import SignatureCheck, is_form, parse_form, public_url, read_body
from bot.channels.twilio.inbound import InboundHandler
from bot.channels.twilio.optout import DEFAULT_PATH, OptOutStore
from bot.channels.twilio.output import (
    DEFAULT_TIMEOUT,
    SENDER_PREFIX,
    SendResult,
    TwilioAccount,
    TwilioOutput,
)
from bot.channels.twilio.sms import PendingOptions
from bot.channels.webhook import OnNewMessage, webhook_blueprint
from bot.photos.intake import PhotoIntake
from bot.settings import Settings, get_settings

__all__ = ["SendResult", "TwilioAccount", "TwilioInput", "TwilioOutput"]

logger = logging.getLogger(__name__)

MAX_BODY = 64 * 1024  # a real inbound SMS/MMS webhook is 1-3 KB
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


class TwilioInput(InputChannel):
    """Receives residents' SMS/MMS from Twilio and gives Rasa a way to answer them."""

    @classmethod
    def name(cls) -> str:  # noqa: D102
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Builds the channel from the settings; credentials.yml may only add `trust_forwarded`."""
        trust = str((credentials or {}).get("trust_forwarded", "")).strip().lower() in ("1", "true", "yes")
        return cls.from_settings(get_settings(), trust_forwarded=trust)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        trust_forwarded: bool = False,
        opt_out_path: Path | None = DEFAULT_PATH,
        send_timeout: float = DEFAULT_TIMEOUT,
    ) -> TwilioInput:
        """The channel as the settings describe it (account, number, webhook URL, media hosts, Redis)."""
        account = TwilioAccount(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            settings.twilio_number,
            settings.twilio_api_base,
        )
        return cls(
            account,
            webhook_url=settings.twilio_webhook_url,
            trust_forwarded=trust_forwarded,
            media_hosts=settings.twilio_media_hosts,
            photos=PhotoIntake(settings),
            seen=make_seen_store(settings.redis_url),
            opt_outs=OptOutStore(opt_out_path),
            send_timeout=send_timeout,
        )

    def __init__(
        self,
        account: TwilioAccount,
        *,
        webhook_url: str = "",
        trust_forwarded: bool = False,
        media_hosts: Collection[str] = ("api.twilio.com",),
        photos: PhotoIntake | None = None,
        seen: SeenStore | None = None,
        opt_outs: OptOutStore | None = None,
        send_timeout: float = DEFAULT_TIMEOUT,
        max_body: int = MAX_BODY,
    ) -> None:
        """Creates the channel.

        Args:
            account: Twilio account, auth token (also the signature key) and the city's number.
            webhook_url: The exact URL configured in Twilio; "" rebuilds it from each request.
            trust_forwarded: Rebuild the URL from X-Forwarded-Proto/-Host (only behind a proxy setting them).
            media_hosts: The only hosts photos are downloaded from.
            photos: The photo pipeline (default: from the settings).
            seen: Which MessageSids were handled (default: in memory).
            opt_outs: Numbers that texted STOP (default: memory only).
            send_timeout: Seconds allowed for each REST call.
            max_body: Largest webhook body accepted, in bytes.
        """
        self.account = account
        self._webhook_url = webhook_url
        self._trust_forwarded = trust_forwarded
        self._signatures = SignatureCheck(account.auth_token)
        self._seen = seen or make_seen_store()
        self._opt_outs = opt_outs or OptOutStore(None)
        self._options = PendingOptions()
        self._send_timeout = send_timeout
        self._max_body = max_body
        self._queues = SenderQueues()
        self._inbound = InboundHandler(
            photos=photos or PhotoIntake(),
            media_hosts=media_hosts,
            media_auth=(account.account_sid, account.auth_token),
            opt_outs=self._opt_outs,
            options=self._options,
        )

    @property
    def queues(self) -> SenderQueues:
        """The background work per resident (tests and shutdown can `drain()` it)."""
        return self._queues

    def get_output_channel(self) -> TwilioOutput:
        """An output channel that can text any resident, for replies and proactive messages alike."""
        return TwilioOutput(
            self.account, opt_outs=self._opt_outs, options=self._options, timeout=self._send_timeout
        )

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """GET / (health) and POST /webhook (Twilio's incoming-message webhook)."""
        return webhook_blueprint("twilio_webhook", self._receive, on_new_message)

    async def _receive(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        signature = request.headers.get("x-twilio-signature", "")
        if not self._signatures.configured:
            logger.error("twilio.webhook_refused reason=no_auth_token")
            return _forbidden()
        if not signature:
            logger.warning("twilio.webhook_refused reason=no_signature")
            return _forbidden()
        if not is_form(request):
            return response.text("form-encoded body expected", status=415)
        body = await read_body(request, self._max_body)
        if body is None:
            return response.text("body too large", status=413)
        try:
            fields = parse_form(body)
        except ValueError:
            logger.warning("twilio.webhook_refused reason=unparseable_body")
            return _forbidden()  # an unparseable body cannot carry a valid signature
        url = public_url(request, self._webhook_url, self._trust_forwarded)
        if not self._signatures.is_valid(url, fields, signature):
            logger.warning("twilio.webhook_refused reason=bad_signature")
            logger.debug("twilio.signature_checked_against url=%s", url)
            return _forbidden()
        sid = fields.first("MessageSid") or fields.first("SmsSid")
        if sid and not await asyncio.to_thread(self._seen.first_time, f"twilio:{sid}"):
            logger.info("twilio.duplicate_ignored sid=%s", sid)
            return _twiml()
        sender = fields.first("From")
        output = self.get_output_channel()
        self._queues.submit(
            f"{SENDER_PREFIX}{sender}", lambda: self._inbound.handle(fields, output, on_new_message)
        )
        return _twiml()


def _twiml() -> HTTPResponse:
    """Empty TwiML: "received, nothing to say now" (replies go through the REST API)."""
    return response.text(EMPTY_TWIML, content_type="text/xml")


def _forbidden() -> HTTPResponse:
    return response.text("forbidden", status=403)
