"""Reading W3C (ISO 8601) datetimes from query and form parameters."""

from __future__ import annotations

from datetime import datetime, timezone


def parse_w3c(raw: str) -> datetime:
    """Parses a W3C datetime (`2024-05-01`, `2024-05-01T12:00Z`, `2024-05-01T12:00:00.5+03:00`) into UTC.

    A value without a zone is taken as UTC.

    Raises:
        ValueError: not a W3C datetime.
    """
    text = raw.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    if len(text) == 4 and text.isdigit():
        text += "-01-01"
    elif len(text) == 7 and text[4] == "-":
        text += "-01"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
