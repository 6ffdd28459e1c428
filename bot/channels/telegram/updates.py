"""Reading a Telegram update: parse it with python-telegram-bot and say what the resident did.

Only private chats are conversations: a group or channel would mix several people into one report, so
those updates are acknowledged and ignored. Edits never reach the assistant (an edit must not file a
second report, and live locations arrive as a stream of edits).
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field
from typing import Any, Literal

from telegram import Document, Message, PhotoSize, Update

from bot.channels.message_metadata import LOCATION_ONLY, PHOTO_ONLY
from bot.text import as_plain_text

logger = logging.getLogger(__name__)

Kind = Literal["text", "photo", "document", "location", "callback", "edited", "unsupported", "ignored"]

# Commands Telegram clients send on their own (the "Start" button, the menu), as words Rasa understands.
COMMAND_WORDS = {"/start": "hi", "/help": "help"}
# Message contents the assistant cannot read, but a resident deserves to hear that.
_UNREADABLE = ("sticker", "voice", "audio", "video", "video_note", "animation", "contact", "poll", "dice")


@dataclass(frozen=True)
class FileRef:
    """A file Telegram holds for us: its id and the size Telegram told us (if any)."""

    file_id: str
    file_size: int | None


@dataclass(frozen=True)
class Inbound:
    """What one update means for the assistant.

    Attributes:
        kind: "text", "photo" (a photo or an image sent as a file), "document" (any other file),
            "location", "callback" (a button was tapped), "edited", "unsupported" (a sticker, voice...)
            or "ignored".
        chat_id: The private chat, or None when there is no conversation to answer.
        text: What to tell Rasa (already plain words, a `/start` → "hi", or a button's raw data).
        metadata: Channel-independent message metadata (see `bot.channels.message_metadata`).
        file: The photo to fetch, for "photo".
        callback_id: The callback query to answer, for "callback".
        message_id: The message concerned (edits are answered once per message).
    """

    kind: Kind
    chat_id: int | None = None
    text: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    file: FileRef | None = None
    callback_id: str = ""
    message_id: int | None = None


def parse_update(data: dict[str, Any]) -> Update | None:
    """The update as PTB objects, or None when it cannot be read.

    Args:
        data: The decoded JSON body of a webhook delivery (not modified).
    """
    try:
        return Update.de_json(_fill_legacy_fields(copy.deepcopy(data)), None)
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        logger.warning("telegram.update_unreadable error=%s", type(error).__name__)
        return None


def _fill_legacy_fields(node: Any) -> Any:
    """Adds fields older Bot API versions did not send (`file_unique_id`, `is_bot`) so PTB accepts them."""
    if isinstance(node, list):
        for item in node:
            _fill_legacy_fields(item)
    elif isinstance(node, dict):
        if "file_id" in node and "file_unique_id" not in node:
            node["file_unique_id"] = node["file_id"]
        # A User has a first name and no type (a Chat has a type).
        if "id" in node and "first_name" in node and "type" not in node and "is_bot" not in node:
            node["is_bot"] = False
        for value in node.values():
            _fill_legacy_fields(value)
    return node


def classify(update: Update) -> Inbound:
    """What the resident did, from a parsed update."""
    if update.callback_query is not None:
        return _callback(update)
    if update.message is not None:
        return _message(update.message)
    edited = update.edited_message
    if edited is not None and _private(edited) and (edited.text or edited.caption):
        return Inbound("edited", edited.chat.id, message_id=edited.message_id)
    return Inbound("ignored")


def _private(message: Message) -> bool:
    return message.chat.type == "private"


def _callback(update: Update) -> Inbound:
    query = update.callback_query
    assert query is not None
    message = query.message
    if message is None or message.chat.type != "private" or not query.data:
        # An inline-mode message, a group, or a game: nothing to continue; still stop the client's spinner.
        return Inbound("callback", None, callback_id=query.id)
    return Inbound(
        "callback", message.chat.id, query.data, {"channel": "telegram", "button": True}, callback_id=query.id
    )


def _message(message: Message) -> Inbound:
    if not _private(message):
        return Inbound("ignored")
    chat_id = message.chat.id
    meta: dict[str, Any] = {"channel": "telegram"}
    if message.location is not None:
        meta.update(latitude=message.location.latitude, longitude=message.location.longitude)
        if message.venue is not None:
            meta.update(place_name=message.venue.title, place_address=message.venue.address)
        return Inbound("location", chat_id, LOCATION_ONLY, meta)
    caption = as_plain_text(message.caption) or PHOTO_ONLY
    if message.photo:
        return Inbound("photo", chat_id, caption, meta, file=_largest(message.photo))
    if message.document is not None:
        if _is_image(message.document):
            document = message.document
            return Inbound(
                "photo", chat_id, caption, meta, file=FileRef(document.file_id, document.file_size)
            )
        return Inbound("document", chat_id, metadata=meta)
    if message.text is not None:
        text = command_text(message.text)
        return Inbound("text", chat_id, text, meta) if text else Inbound("ignored")
    if any(getattr(message, kind, None) for kind in _UNREADABLE):
        return Inbound("unsupported", chat_id, metadata=meta)
    return Inbound("ignored")


def _largest(sizes: tuple[PhotoSize, ...]) -> FileRef:
    best = max(sizes, key=lambda size: (size.width * size.height, size.file_size or 0))
    return FileRef(best.file_id, best.file_size)


def _is_image(document: Document) -> bool:
    return (document.mime_type or "").lower().startswith("image/")


def command_text(text: str) -> str:
    """What a typed message means for Rasa.

    `/start` (with or without a deep-link parameter or @botname) is "hi", `/help` is "help", anything else
    is plain words: a leading "/" never reaches Rasa as a command.
    """
    words = text.strip().split(maxsplit=1)
    if words:
        command = words[0].split("@", 1)[0].lower()
        if command in COMMAND_WORDS:
            return COMMAND_WORDS[command]
    return as_plain_text(text)
