"""What SMS cannot do that chat can, done in words.

Long replies are split into several texts, buttons become a numbered list the resident answers with a
digit, and the carrier keywords (STOP, START, HELP) are recognised.

Pure logic, no I/O: the Twilio connector (`bot.channels.twilio.connector`) uses it for both directions.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.bounded_cache import BoundedCache
from bot.channels.message_metadata import LOCATION_ONLY
from bot.sentences import say

# Twilio refuses a Body over 1,600 characters (it counts UTF-16 code units, like the handsets do).
MAX_SMS_CHARS = 1600


class Keyword(enum.Enum):
    """The carrier keywords Twilio itself acts on (SMS STOP filtering)."""

    STOP = "stop"
    START = "start"
    HELP = "help"


# Twilio's default keyword lists; only a message that is exactly one word of these counts.
_KEYWORDS: Mapping[str, Keyword] = {
    **dict.fromkeys(("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"), Keyword.STOP),
    **dict.fromkeys(("START", "YES", "UNSTOP"), Keyword.START),
    **dict.fromkeys(("HELP", "INFO"), Keyword.HELP),
}


def keyword(text: str | None) -> Keyword | None:
    """The carrier keyword a message is, if it is exactly one (any case, trailing "." or "!" allowed).

    "cancel" alone is a keyword, as Twilio's filter treats it; "cancel my report" is ordinary text.
    """
    word = (text or "").strip().rstrip(".!").strip().upper()
    return _KEYWORDS.get(word)


def is_bare_yes(text: str | None) -> bool:
    """True for "yes" alone: opt-in for an opted-out number, an ordinary answer for everyone else."""
    return (text or "").strip().rstrip(".!").strip().upper() == "YES"


# -------------------------------------------------------------------------------------------- splitting


def _units(text: str) -> int:
    """Length in UTF-16 code units, the way Twilio counts a Body (an emoji can count twice)."""
    return len(text.encode("utf-16-le")) // 2


# Where a long text may be cut, best first: paragraph, line, sentence end, word.
_BOUNDARIES = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"[.!?…]\s+"), re.compile(r"\s+"))


def split_message(text: str, limit: int = MAX_SMS_CHARS) -> list[str]:
    """Cuts a text into parts of at most `limit` characters, on paragraph, line or sentence boundaries.

    Args:
        text: The reply.
        limit: Longest part allowed.

    Returns:
        The parts in order (one part when the text fits; none for blank text).
    """
    parts: list[str] = []
    rest = text.strip()
    while rest:
        if _units(rest) <= limit:
            parts.append(rest)
            break
        cut = _cut_point(rest, limit)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return parts


def _cut_point(text: str, limit: int) -> int:
    """Index after the best boundary inside the first `limit` units (a hard cut when there is none)."""
    window = text[:limit]
    while _units(window) > limit:  # astral characters count twice
        window = window[:-1]
    floor = len(window) // 3  # a boundary very near the start would leave a tiny part
    for pattern in _BOUNDARIES:
        ends = [m.end() for m in pattern.finditer(window) if m.end() > floor]
        if ends:
            return ends[-1]
    return len(window)


# ---------------------------------------------------------------------------------------------- options


@dataclass(frozen=True)
class Option:
    """One button offered over SMS: its number is its place in the list."""

    title: str
    payload: str


def numbered_options(text: str, buttons: Iterable[Mapping[str, Any]]) -> tuple[str, list[Option]]:
    """The text with the buttons as a numbered list under it, and the options in that order.

    `/share_location` is left out: SMS has no "share my position" control, residents type the address.

    Args:
        text: The message above the buttons.
        buttons: Rasa buttons, dicts with "title" and "payload".

    Returns:
        (text to send, options offered); no options leaves the text as it was.
    """
    options = []
    for button in buttons:
        payload = str(button.get("payload") or "").strip()
        title = str(button.get("title") or "").strip() or payload.lstrip("/")
        if payload and not payload.startswith(LOCATION_ONLY):
            options.append(Option(title, payload))
    if not options:
        return text, []
    lines = "\n".join(f"{number}. {option.title}" for number, option in enumerate(options, 1))
    head = f"{text.strip()}\n\n" if text.strip() else ""
    return f"{head}{say('sms.choose')}\n{lines}", options


_NUMBER_REPLY = re.compile(r"\s*(\d{1,3})\s*[.)]?\s*")


def chosen_option(text: str | None, options: list[Option]) -> Option | None:
    """The option a reply picks: its number ("2", "2.", " 2 ") or its exact title (any case).

    Returns:
        The option, or None when the reply is not a pick (a number out of range is plain text).
    """
    if not options or not text:
        return None
    match = _NUMBER_REPLY.fullmatch(text)
    if match:
        index = int(match.group(1))
        return options[index - 1] if 1 <= index <= len(options) else None
    wanted = text.strip().rstrip(".!").strip().casefold()
    return next((option for option in options if option.title.casefold() == wanted), None)


class PendingOptions:
    """The numbered options last offered to each number, until the resident's next message.

    Bounded and expiring: a resident who walks away leaves nothing behind for long.
    """

    def __init__(self, ttl: float = 12 * 3600.0, max_items: int = 20_000) -> None:
        self._items: BoundedCache[str, list[Option]] = BoundedCache(max_items, ttl)

    def offer(self, number: str, options: list[Option]) -> None:
        """Remembers what `number` was offered last (an empty list forgets the previous offer)."""
        if options:
            self._items.put(number, list(options))
        else:
            self._items.pop(number)

    def take(self, number: str) -> list[Option]:
        """The options pending for `number`, forgotten as they are taken: a reply answers one offer."""
        return self._items.pop(number) or []

    def forget(self, number: str) -> None:
        """Drops whatever `number` was offered."""
        self._items.pop(number)
