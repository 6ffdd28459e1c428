"""Turning one signed Twilio webhook (an SMS or MMS) into what Rasa sees, in the background.

In order: carrier keywords (STOP / START / HELP), a number picking one of the options last offered, the
photos (downloaded from Twilio's media hosts with the account's credentials, cleaned and stored; a refused
one is explained to the resident by SMS), then the message itself.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Collection
from typing import Any

from rasa.core.channels.channel import UserMessage

from bot.channels.message_metadata import LOCATION_ONLY, PHOTO_ONLY, photo_metadata
from bot.channels.turns import run_turn
from bot.channels.twilio.auth import FormFields
from bot.channels.twilio.optout import OptOutStore
from bot.channels.twilio.output import SENDER_PREFIX, TwilioOutput
from bot.channels.twilio.sms import Keyword, PendingOptions, chosen_option, is_bare_yes, keyword
from bot.channels.webhook import OnNewMessage
from bot.photos.intake import PhotoIntake, StoredPhoto
from bot.photos.pipeline import PhotoRejected
from bot.sentences import say
from bot.text import as_plain_text

logger = logging.getLogger(__name__)

CHANNEL = "twilio"
GREETING = "hi"  # what a resident who opted back in "says" to the assistant
MAX_MEDIA = 10  # Twilio's limit per MMS


class InboundHandler:
    """Handles one resident's message; the connector runs these one at a time per resident."""

    def __init__(
        self,
        *,
        photos: PhotoIntake,
        media_hosts: Collection[str],
        media_auth: tuple[str, str],
        opt_outs: OptOutStore,
        options: PendingOptions,
    ) -> None:
        self._photos = photos
        self._media_hosts = tuple(media_hosts)
        self._media_auth = media_auth
        self._opt_outs = opt_outs
        self._options = options

    async def handle(self, fields: FormFields, output: TwilioOutput, on_new_message: OnNewMessage) -> None:
        """Acts on one inbound message: a keyword, an option picked, or words and photos for Rasa."""
        number = fields.first("From")
        body = fields.first("Body")
        if not number:
            logger.warning("twilio.message_dropped reason=no_sender")
            return
        text = await self._keyword(number, body, output)
        metadata: dict[str, Any] = {"channel": CHANNEL}
        if text is None:
            if self._opt_outs.is_opted_out(number):
                # Twilio refuses our replies until the resident texts START; a conversation could not go on.
                logger.info("twilio.message_dropped reason=opted_out")
                return
            text, metadata = await self._content(number, fields, output)
        if not text:
            return
        sender_id = f"{SENDER_PREFIX}{number}"
        message_id = fields.first("MessageSid") or None
        await run_turn(
            on_new_message,
            UserMessage(
                text, output, sender_id, input_channel=CHANNEL, metadata=metadata, message_id=message_id
            ),
        )

    async def _keyword(self, number: str, body: str, output: TwilioOutput) -> str | None:
        """Acts on STOP / START / HELP.

        Returns:
            None when the message is no keyword; otherwise what to tell Rasa ("" for nothing).
        """
        word = keyword(body)
        if word is Keyword.STOP:
            logger.info("twilio.opted_out")
            self._options.forget(number)
            await self._opt_outs.opt_out(number)
            return ""
        if word is Keyword.HELP:
            await output.send_sms(number, say("sms.help"))
            return ""
        # "yes" from a subscribed resident is an answer to a question, not an opt-in.
        if word is Keyword.START and (not is_bare_yes(body) or self._opt_outs.is_opted_out(number)):
            logger.info("twilio.opted_in")
            self._options.forget(number)
            await self._opt_outs.opt_in(number)
            return GREETING
        return None

    async def _content(
        self, number: str, fields: FormFields, output: TwilioOutput
    ) -> tuple[str, dict[str, Any]]:
        """The text for Rasa and its metadata ("" when there is nothing to say)."""
        body = fields.first("Body")
        metadata: dict[str, Any] = {"channel": CHANNEL}
        options = self._options.take(number)
        media = _media(fields)
        choice = None if media else chosen_option(body, options)
        if choice is not None:
            return choice.payload, {**metadata, "button": True}
        photos = await self._store_photos(number, media, output)
        metadata.update(photo_metadata(photos))
        location = _location(fields)
        metadata.update(location)
        text = as_plain_text(body)
        if not text:
            text = PHOTO_ONLY if photos else LOCATION_ONLY if location else ""
        return text, metadata

    async def _store_photos(
        self, number: str, media: list[tuple[str, str]], output: TwilioOutput
    ) -> list[StoredPhoto]:
        """Downloads and stores every photo; each distinct refusal is explained to the resident once."""
        results = await asyncio.gather(*(self._store_photo(url, kind) for url, kind in media))
        photos = [result for result in results if isinstance(result, StoredPhoto)]
        refusals = [result.user_message for result in results if isinstance(result, PhotoRejected)]
        for message in dict.fromkeys(refusals):
            await output.send_sms(number, message)
        return photos

    async def _store_photo(self, url: str, content_type: str) -> StoredPhoto | PhotoRejected:
        if content_type and not content_type.lower().startswith("image/"):
            logger.info("twilio.photo_refused reason=type")  # a video, a contact card…: never fetched
            return PhotoRejected("type")
        try:
            return await self._photos.from_url_async(url, self._media_hosts, self._media_auth)
        except PhotoRejected as rejected:
            logger.info("twilio.photo_refused reason=%s", rejected.reason)
            return rejected
        except Exception as error:  # a bug must cost the resident one photo, not the whole message
            logger.error("twilio.photo_failed error=%s", type(error).__name__)
            return PhotoRejected("download")


def _media(fields: FormFields) -> list[tuple[str, str]]:
    """(URL, content type) of each attachment, `MediaUrl{N}` for N below `NumMedia` (at most ten)."""
    try:
        count = min(int(fields.first("NumMedia") or 0), MAX_MEDIA)
    except ValueError:
        count = 0
    items = ((fields.first(f"MediaUrl{n}"), fields.first(f"MediaContentType{n}")) for n in range(count))
    return [(url, kind) for url, kind in items if url]


def _location(fields: FormFields) -> dict[str, float]:
    """A position shared over WhatsApp (`Latitude` / `Longitude`), when valid."""
    try:
        lat, lon = float(fields.first("Latitude")), float(fields.first("Longitude"))
    except ValueError:
        return {}
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return {}
    return {"latitude": lat, "longitude": lon}
