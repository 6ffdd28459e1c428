"""How the assistant words what it knows: statuses in plain words, the read-back of a report, option lists.

The sentences themselves are in `bot/sentences.yml` (`say`); this module puts them together. Pure functions
(the sentences are read once per process) so every sentence a resident sees can be tested directly.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from bot.open311 import ServiceRequest
from bot.sentences import has, say

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "were",
        "it",
        "its",
        "it's",
        "there",
        "theres",
        "there's",
        "this",
        "that",
        "on",
        "in",
        "at",
        "by",
        "of",
        "to",
        "for",
        "and",
        "or",
        "but",
        "near",
        "outside",
        "opposite",
        "next",
        "corner",
        "just",
        "some",
        "my",
        "our",
        "your",
        "please",
        "hi",
        "hello",
        "hey",
        "again",
        "very",
        "really",
        "so",
        "too",
        "have",
        "has",
        "had",
        "been",
        "be",
        "with",
        "from",
        "up",
        "down",
        "here",
        "also",
        "all",
        "any",
        "can",
        "could",
        "would",
        "will",
    ]
)


def plain_date(moment: datetime | None) -> str:
    """A date as residents say it ("21 November 2026"), or "" when unknown."""
    if moment is None:
        return ""
    return say("date.plain", day=moment.day, month=say(f"date.month_{moment.month}"), year=moment.year)


def status_words(status: str) -> str:
    """A request's state in plain words ("being worked on"); a state without words is shown as it is."""
    return say(f"status_words.{status}") if has(f"status_words.{status}") else status


def status_sentence(request: ServiceRequest, service_name: str | None = None) -> str:
    """Describes a back-office request's status, latest note and last update in plain words."""
    what = service_name or request.service_name or say("status.unnamed_service")
    state = status_words(request.detailed_status or request.status)
    number = request.service_request_id
    if request.address:
        parts = [say("status.report_at", number=number, service=what, address=request.address, state=state)]
    else:
        parts = [say("status.report", number=number, service=what, state=state)]
    if request.status_notes:
        parts.append(say("status.note", note=request.status_notes.strip()))
    updated = plain_date(request.updated_datetime or request.requested_datetime)
    if updated:
        parts.append(say("status.updated", date=updated))
    if request.followers == 1:
        parts.append(say("status.followers_one"))
    elif request.followers:
        parts.append(say("status.followers_many", count=request.followers))
    return " ".join(parts)


def content_words(text: str, ignore: str = "") -> list[str]:
    """The words of a message that say something, without the place and filler words."""
    if ignore:
        text = re.sub(re.escape(ignore), " ", text, flags=re.IGNORECASE)
    words = re.findall(r"[^\W\d_]{2,}", text.lower())
    return [w for w in words if w not in _STOPWORDS]


def is_thin(text: str | None, place: str | None = None) -> bool:
    """Whether a description says too little for a crew (fewer than two meaningful words)."""
    return len(content_words(text or "", place or "")) < 2


def readback(
    service_name: str,
    place: str | None,
    description: str | None,
    photos: int,
    answers: list[tuple[str, str]],
    contact: dict[str, Any] | None,
    note: str | None = None,
) -> str:
    """The summary read back to the resident before anything is sent (`note` just before the question)."""
    lines = [say("readback.heading", service=service_name)]
    lines.append(say("readback.where", place=place) if place else say("readback.where_unknown"))
    if description:
        # Long: the start and the end, where a detail added at the read-back is.
        short = (
            description
            if len(description) <= 160
            else f"{description[:100].rstrip()} … {description[-55:].lstrip()}"
        )
        lines.append(say("readback.what", description=short))
    if photos == 1:
        lines.append(say("readback.photos_one"))
    elif photos:
        lines.append(say("readback.photos_many", count=photos))
    for question, answer in answers:
        lines.append(say("readback.answer", question=question, answer=answer))
    if contact and (contact.get("email") or contact.get("phone")):
        lines.append(say("readback.contact"))
    else:
        lines.append(say("readback.anonymous"))
    if note:
        lines.append(note)
    lines.append(say("readback.question"))
    return "\n".join(lines)


def numbered(options: list[str]) -> str:
    """Options as a numbered list, for channels without buttons."""
    return "\n".join(f"{i}. {option}" for i, option in enumerate(options, start=1))


def distance_words(metres: float | None) -> str:
    """A distance as residents say it ("about 10 m away")."""
    if metres is None:
        return say("distance.unknown")
    if metres < 5:
        return say("distance.same_spot")
    return say("distance.about", metres=round(metres / 5) * 5 if metres >= 10 else round(metres))
