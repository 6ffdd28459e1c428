"""How the assistant words what it knows: statuses in plain words, the read-back of a report, option lists.

Pure functions (no I/O) so every sentence a resident sees can be tested directly.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from bot.open311 import ServiceRequest

STATUS_WORDS = {
    "received": "received and waiting for a crew",
    "in_progress": "being worked on",
    "closed": "closed",
    "open": "open",
}
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
    return f"{moment.day} {moment.strftime('%B %Y')}"


def status_sentence(request: ServiceRequest, service_name: str | None = None) -> str:
    """Describes a back-office request's status, latest note and last update in plain words."""
    what = service_name or request.service_name or "report"
    place = f" at {request.address}" if request.address else ""
    state = STATUS_WORDS.get(request.detailed_status or request.status, request.status)
    sentence = f"Report {request.service_request_id} ({what}{place}) is {state}."
    if request.status_notes:
        sentence += f' Latest note: "{request.status_notes.strip()}".'
    updated = plain_date(request.updated_datetime or request.requested_datetime)
    if updated:
        sentence += f" Last update: {updated}."
    if request.followers:
        others = request.followers
        sentence += f" {others} other resident{'s' if others != 1 else ''} reported it too."
    return sentence


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
) -> str:
    """The summary read back to the resident before anything is sent."""
    lines = [f"Here's your report: {service_name}"]
    lines.append(f"- Where: {place or 'no place given'}")
    if description:
        short = description if len(description) <= 160 else description[:157].rstrip() + "…"
        lines.append(f'- What: "{short}"')
    if photos:
        lines.append(f"- {photos} photo{'s' if photos > 1 else ''} attached")
    for question, answer in answers:
        lines.append(f"- {question} {answer}")
    if contact and (contact.get("email") or contact.get("phone")):
        lines.append("- The city may contact you about it")
    else:
        lines.append("- Sent anonymously")
    lines.append("Shall I send it to the city?")
    return "\n".join(lines)


def numbered(options: list[str]) -> str:
    """Options as a numbered list, for channels without buttons."""
    return "\n".join(f"{i}. {option}" for i, option in enumerate(options, start=1))


def distance_words(metres: float | None) -> str:
    """A distance as residents say it ("about 10 m away")."""
    if metres is None:
        return "nearby"
    if metres < 5:
        return "at the same spot"
    return f"about {round(metres / 5) * 5 if metres >= 10 else round(metres)} m away"
