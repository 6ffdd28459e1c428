"""Residents' text made safe to hand on: control characters out, length capped, never a command.

Rasa reads a message that starts with "/" as `/intent{...}`; a resident's words must stay words. The same
control-character set is removed from what goes to an Open311 server.
"""

from __future__ import annotations

import re

MAX_TEXT = 10_000
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# However nested or spaced ("/ /restart", " / /inform{...}"), and whatever invisible characters (zero-width
# spaces, byte-order marks) stand between them, no leading slash survives.
LEADING_COMMAND = re.compile(r"^(?:[\s/\u200b-\u200f\u2060\ufeff\u00ad]|\\/)+")


def as_plain_text(text: str | None) -> str:
    """The resident's words as text Rasa will only ever read as words (no `/command`), trimmed and capped."""
    cleaned = CONTROL_CHARS.sub("", text or "").strip()[:MAX_TEXT]
    return LEADING_COMMAND.sub("", cleaned).strip()
