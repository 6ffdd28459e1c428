"""Sending SMS/MMS through Twilio's REST API.

`POST /2010-04-01/Accounts/{sid}/Messages.json`, without blocking the event loop, and never raising into
Rasa: every send ends in a `SendResult`.

Failures are logged with the HTTP status and Twilio's error code only: Twilio's error messages can quote
the recipient's number.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from rasa.core.channels.channel import OutputChannel

from bot.channels.twilio.optout import OptOutStore
from bot.channels.twilio.sms import PendingOptions, numbered_options, split_message

logger = logging.getLogger(__name__)

SENDER_PREFIX = "twilio:"
DEFAULT_TIMEOUT = 10.0
# Twilio error 21610: the recipient texted STOP; Twilio will refuse every message until they text START.
UNSUBSCRIBED = 21610
_MAX_ERROR_BODY = 16 * 1024


@dataclass(frozen=True)
class TwilioAccount:
    """What the REST API needs: the account, its auth token and the number residents text."""

    account_sid: str
    auth_token: str
    number: str
    api_base: str = "https://api.twilio.com"

    @property
    def messages_url(self) -> str:
        """The Messages resource of this account."""
        return f"{self.api_base.rstrip('/')}/2010-04-01/Accounts/{self.account_sid}/Messages.json"


@dataclass(frozen=True)
class SendResult:
    """How one outgoing message ended.

    Attributes:
        ok: Twilio accepted it.
        reason: "sent", "opted_out", "not_configured", "empty", "http_error", "timeout" or "network".
        status: Twilio's HTTP status, when it answered.
        error_code: Twilio's error code (e.g. 21610), when it gave one.
        sid: The new message's SID, when accepted.
    """

    ok: bool
    reason: str
    status: int | None = None
    error_code: int | None = None
    sid: str | None = None


def recipient_number(recipient_id: str) -> str:
    """The phone number in a sender id ("twilio:+3584..." → "+3584...")."""
    return recipient_id[len(SENDER_PREFIX) :] if recipient_id.startswith(SENDER_PREFIX) else recipient_id


class TwilioOutput(OutputChannel):
    """Rasa's way to answer a resident by SMS, and to message one proactively."""

    @classmethod
    def name(cls) -> str:  # noqa: D102
        return "twilio"

    def __init__(
        self,
        account: TwilioAccount,
        *,
        opt_outs: OptOutStore,
        options: PendingOptions,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.account = account
        self._opt_outs = opt_outs
        self._options = options
        self._timeout = timeout

    async def send_sms(
        self, recipient_id: str, text: str, media_urls: Sequence[str] = ()
    ) -> list[SendResult]:
        """Sends a text (split into several messages when over 1,600 characters) with optional images.

        Args:
            recipient_id: "twilio:<number>" or the number itself.
            text: The message; may be empty when there are images.
            media_urls: Public image URLs; they go with the first part (MMS).

        Returns:
            One result per message, in order; sending stops at the first failure so no part arrives
            out of order.
        """
        number = recipient_number(recipient_id)
        if self._opt_outs.is_opted_out(number):
            logger.info("twilio.send_skipped reason=opted_out")
            return [SendResult(False, "opted_out")]
        parts: list[str] = split_message(text) or [""]
        results = []
        for index, part in enumerate(parts):
            result = await self._post(number, part, media_urls if index == 0 else ())
            results.append(result)
            if not result.ok:
                break
        return results

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Sends one assistant message; its text, buttons and image travel together as one SMS/MMS."""
        message = dict(message)
        text = str(message.pop("text", "") or "")
        buttons = message.pop("buttons", None) or message.pop("quick_replies", None) or []
        image = message.pop("image", None)
        if buttons:
            text = self._offer(recipient_id, text, buttons)
        if text or image:
            await self.send_sms(recipient_id, text, [str(image)] if image else ())
        if message.get("custom"):
            await self.send_custom_json(recipient_id, message.pop("custom"))
        if message.get("attachment"):
            await self.send_attachment(recipient_id, message.pop("attachment"))
        if message.get("elements"):
            await self.send_elements(recipient_id, message.pop("elements"))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Sends a text (several SMS when long)."""
        await self.send_sms(recipient_id, text)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Sends an image as an MMS (with `text` from kwargs, if any)."""
        await self.send_sms(recipient_id, str(kwargs.get("text") or ""), [image])

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Sends the text with the buttons as a numbered list; a numeric reply picks one."""
        await self.send_sms(recipient_id, self._offer(recipient_id, text, buttons))

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """Custom payloads are for richer channels; SMS has nothing to show for them."""
        logger.debug("twilio.custom_json_ignored")

    def _offer(self, recipient_id: str, text: str, buttons: list[dict[str, Any]]) -> str:
        body, options = numbered_options(text, buttons)
        # Remembered before sending, so even an instant reply finds its options.
        self._options.offer(recipient_number(recipient_id), options)
        return body

    async def _post(self, number: str, body: str, media_urls: Sequence[str]) -> SendResult:
        account = self.account
        if not (account.account_sid and account.auth_token and account.number):
            logger.error("twilio.send_failed reason=not_configured")
            return SendResult(False, "not_configured")
        if not body and not media_urls:
            return SendResult(False, "empty")
        form: list[tuple[str, str]] = [("To", number), ("From", account.number)]
        form += [("Body", body)] if body else []
        form += [("MediaUrl", url) for url in media_urls]
        try:
            async with (
                aiohttp.ClientSession(
                    timeout=aiohttp.ClientTimeout(total=self._timeout), trust_env=False
                ) as session,
                session.post(
                    account.messages_url,
                    data=form,
                    auth=aiohttp.BasicAuth(account.account_sid, account.auth_token),
                    allow_redirects=False,
                ) as response,
            ):
                payload = await response.content.read(_MAX_ERROR_BODY)
                return await self._result(number, response.status, payload)
        except asyncio.TimeoutError:
            logger.warning("twilio.send_failed reason=timeout after=%ss", self._timeout)
            return SendResult(False, "timeout")
        except (aiohttp.ClientError, OSError) as error:
            logger.warning("twilio.send_failed reason=network error=%s", type(error).__name__)
            return SendResult(False, "network")

    async def _result(self, number: str, status: int, payload: bytes) -> SendResult:
        data = _json(payload)
        if 200 <= status < 300:
            sid = str(data.get("sid") or "") or None
            logger.debug("twilio.sent sid=%s", sid)
            return SendResult(True, "sent", status=status, sid=sid)
        code = data.get("code") if isinstance(data.get("code"), int) else None
        logger.warning("twilio.send_failed reason=http_error status=%s code=%s", status, code)
        if code == UNSUBSCRIBED:  # opted out at the carrier without our seeing the STOP
            await self._opt_outs.opt_out(number)
        return SendResult(False, "http_error", status=status, error_code=code)


def _json(payload: bytes) -> dict[str, Any]:
    try:
        data = json.loads(payload.decode("utf-8"))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
