"""What Telegram shows for the assistant's buttons, and the little per-chat memory that needs.

- Buttons become an inline keyboard. A button's `callback_data` is its payload when that fits Telegram's
  64 bytes; a longer payload gets a short key, remembered for the chat it was offered to.
- The payload `/share_location` is the resident's own "share my location" control: a one-time reply
  keyboard with a request_location button, removed again once the resident answered.
- Texts are split to Telegram's 4096-character limit (counted in UTF-16 units, as Telegram counts).
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.bounded_cache import BoundedCache
from bot.channels.message_metadata import LOCATION_ONLY
from bot.sentences import say

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
KEY_PREFIX = "~k:"


def utf16_len(text: str) -> int:
    """The length Telegram counts: UTF-16 code units (an emoji outside the BMP counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cuts `text` into parts of at most `limit` UTF-16 units, at a line break or space when possible.

    Returns:
        The parts in order; empty when the text is blank (Telegram refuses empty messages).
    """
    parts: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        cut = _fitting_prefix(rest, limit)
        window = rest[:cut]
        space = max(window.rfind("\n"), window.rfind(" "))
        if space > cut // 2:  # a break in the second half of the window: cut there, not mid-word
            cut = space + 1
        part = rest[:cut].rstrip()
        if part:
            parts.append(part)
        rest = rest[cut:].lstrip()
    if rest.strip():
        parts.append(rest)
    return parts


def _fitting_prefix(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` UTF-16 units."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return max(index, 1)
    return len(text)


class ChatMemory:
    """Per chat: long button payloads behind short keys, and whether a location keyboard is up.

    Kept in this process (bounded): after a restart an old long-payload button answers "expired".
    """

    def __init__(self, max_keys: int = 50_000) -> None:
        self._keys: BoundedCache[tuple[int, str], str] = BoundedCache(max_keys)
        self._keyboard_shown: set[int] = set()
        self._keyboard_to_remove: set[int] = set()
        self._lock = threading.Lock()

    def callback_data(self, chat_id: int, payload: str) -> str:
        """The `callback_data` for a payload offered to this chat."""
        if len(payload.encode()) <= CALLBACK_DATA_LIMIT and not payload.startswith(KEY_PREFIX):
            return payload
        key = KEY_PREFIX + hashlib.sha256(payload.encode()).hexdigest()[:24]
        self._keys.put((chat_id, key), payload)
        return key

    def payload(self, chat_id: int, data: str) -> str | None:
        """The payload behind a tapped button's data; None for a key this chat was never given."""
        if not data.startswith(KEY_PREFIX):
            return data
        return self._keys.get((chat_id, data))

    def keyboard_shown(self, chat_id: int) -> None:
        """A share-location reply keyboard was just sent to the chat."""
        with self._lock:
            self._keyboard_shown.add(chat_id)
            self._keyboard_to_remove.discard(chat_id)

    def resident_answered(self, chat_id: int) -> None:
        """The resident sent something: a location keyboard still up should go with the next reply."""
        with self._lock:
            if chat_id in self._keyboard_shown:
                self._keyboard_shown.discard(chat_id)
                self._keyboard_to_remove.add(chat_id)

    def take_removal(self, chat_id: int) -> bool:
        """True (once) when the next message to the chat should remove the reply keyboard."""
        with self._lock:
            if chat_id in self._keyboard_to_remove:
                self._keyboard_to_remove.discard(chat_id)
                return True
            return False


def inline_keyboard(chat_id: int, buttons: list[dict[str, Any]], memory: ChatMemory) -> InlineKeyboardMarkup:
    """One button per row (titles can be long); link buttons open their URL."""
    rows = []
    for button in buttons:
        payload = str(button.get("payload") or button.get("title") or "")
        title = str(button.get("title") or payload)
        if button.get("url"):
            rows.append([InlineKeyboardButton(title, url=str(button["url"]))])
        else:
            rows.append([InlineKeyboardButton(title, callback_data=memory.callback_data(chat_id, payload))])
    return InlineKeyboardMarkup(rows)


def location_keyboard() -> ReplyKeyboardMarkup:
    """The resident's own share-my-location control, shown once."""
    button = KeyboardButton(say("report.share_location_button"), request_location=True)
    return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)


def remove_keyboard() -> ReplyKeyboardRemove:
    """Takes a reply keyboard away."""
    return ReplyKeyboardRemove()


def split_buttons(buttons: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], bool]:
    """The buttons for the inline keyboard, and whether a share-location control was asked for."""
    wants_location = any(b.get("payload") == LOCATION_ONLY for b in buttons)
    return [b for b in buttons if b.get("payload") != LOCATION_ONLY], wants_location
