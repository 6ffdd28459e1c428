"""Sending the assistant's messages to a Telegram chat with python-telegram-bot.

Plain text only (no parse mode), so whatever a resident typed stays text when it is echoed back. A failed
send is logged and never raised: an exception here would make Rasa drop the whole turn (its tracker is saved
after the messages go out), which hurts the resident more than one lost message.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.channels.channel import OutputChannel
from telegram import Bot, InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.channels.telegram.bot_client import BotHolder, Outcome, attempt
from bot.channels.telegram.markup import (
    CAPTION_LIMIT,
    ChatMemory,
    inline_keyboard,
    location_keyboard,
    remove_keyboard,
    split_buttons,
    split_text,
    utf16_len,
)
from bot.sentences import say

logger = logging.getLogger(__name__)
CHANNEL = "telegram"
PREFIX = CHANNEL + ":"
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


def sender_id(chat_id: int) -> str:
    """The assistant's id for a Telegram chat (prefixed so it never collides with other channels)."""
    return f"{PREFIX}{chat_id}"


def chat_id_of(recipient_id: str) -> int | None:
    """The chat a sender id stands for, or None when it is not a Telegram sender id."""
    if not recipient_id.startswith(PREFIX):
        return None
    try:
        return int(recipient_id[len(PREFIX) :])
    except ValueError:
        return None


class TelegramOutput(OutputChannel):
    """Sends to any Telegram chat by sender id; used for replies and for messages sent later on."""

    @classmethod
    def name(cls) -> str:  # noqa: D102
        return CHANNEL

    def __init__(self, bots: BotHolder, memory: ChatMemory) -> None:
        self._bots = bots
        self._memory = memory

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Sends one assistant message; an image with a short text goes as one photo with a caption."""
        message = dict(message)
        text, image = message.get("text"), message.get("image")
        plain = not (message.get("buttons") or message.get("quick_replies"))
        if image and text and plain and utf16_len(str(text)) <= CAPTION_LIMIT:
            chat = self._chat(recipient_id)
            if chat is not None:
                await self._send_photo(chat, str(image), str(text))
            message.pop("text")
            message.pop("image")
        await super().send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Sends text, split into several messages when it is longer than Telegram allows."""
        chat = self._chat(recipient_id)
        if chat is not None:
            await self._send_text(chat, text, None)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Sends a photo by URL (Telegram fetches it)."""
        chat = self._chat(recipient_id)
        if chat is not None:
            await self._send_photo(chat, image, None)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Sends text with an inline keyboard; `/share_location` becomes a request_location reply keyboard."""
        chat = self._chat(recipient_id)
        if chat is None:
            return
        inline, wants_location = split_buttons(buttons)
        text = text if text and text.strip() else say("telegram.choose")  # Telegram refuses a bare keyboard
        if inline:
            await self._send_text(chat, text, inline_keyboard(chat, inline, self._memory))
        if wants_location:
            prompt = say("telegram.share_location_prompt") if inline else text
            await self._send_text(chat, prompt, location_keyboard())
            self._memory.keyboard_shown(chat)
        if not inline and not wants_location:
            await self._send_text(chat, text, None)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """Custom payloads are for other channels; nothing is sent."""
        logger.debug("telegram.custom_json_skipped")

    def _chat(self, recipient_id: str) -> int | None:
        chat = chat_id_of(recipient_id)
        if chat is None:
            logger.warning("telegram.not_a_telegram_recipient")
        return chat

    async def _send_text(self, chat: int, text: str, markup: Markup | None) -> bool:
        parts = split_text(text)
        if not parts:
            return True
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            outcome = await self._call("sendMessage", chat, part, markup if last else None)
            if not outcome.ok:
                return False
        return True

    async def _call(self, method: str, chat: int, text: str, markup: Markup | None) -> Outcome[Any]:
        if markup is None and self._memory.take_removal(chat):
            markup = remove_keyboard()

        async def send() -> Any:
            bot = await self._bots.get()
            return await bot.send_message(chat, text, reply_markup=markup)

        return await attempt(method, send)

    async def _send_photo(self, chat: int, url: str, caption: str | None) -> None:
        async def send() -> Any:
            bot: Bot = await self._bots.get()
            return await bot.send_photo(chat, photo=url, caption=caption or None)

        outcome = await attempt("sendPhoto", send)
        if outcome.reason == "bad_request" and caption:
            # Telegram could not fetch or use the picture; the words still matter.
            await self._send_text(chat, caption, None)

    async def answer_callback(self, callback_id: str, text: str | None = None) -> None:
        """Stops the spinner on a tapped inline button (optionally with a short notice)."""

        async def answer() -> bool:
            bot = await self._bots.get()
            return await bot.answer_callback_query(callback_id, text=text)

        await attempt("answerCallbackQuery", answer)
