"""Small helpers every action shares: reading the latest message, and running blocking calls off the loop."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any, TypeVar

from rasa_sdk import Tracker

T = TypeVar("T")

# Messages with these intents are questions or commands, never an answer to the question the form asked.
INTERRUPTIONS = frozenset(
    {
        "cancel",
        "help",
        "faq",
        "check_status",
        "list_services",
        "human_handoff",
        "greet",
        "goodbye",
        "thanks",
        "out_of_scope",
    }
)
# Below this confidence an interruption intent is not trusted to override an answer.
INTERRUPTION_CONFIDENCE = 0.75

# Report fields stored in slots while a report is being made (all reset after filing or cancelling).
REPORT_SLOTS = (
    "service_code",
    "service_candidates",
    "location_text",
    "latitude",
    "longitude",
    "location_suggestion",
    "photo_urls",
    "photo_step",
    "description",
    "report_text",
    "attributes",
    "attribute_answer",
    "contact_step",
    "contact",
    "duplicate_step",
    "duplicate_candidate",
    "confirm_report",
    "change_requested",
    "location_attempts",
)


async def run_blocking(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Runs a blocking call (HTTP, database) in a worker thread so the action server keeps serving."""
    return await asyncio.to_thread(function, *args, **kwargs)


def latest_intent(tracker: Tracker) -> tuple[str, float]:
    """The name and confidence of the latest message's intent ("" when there is none)."""
    intent = tracker.latest_message.get("intent") or {}
    return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)


def latest_text(tracker: Tracker) -> str:
    """What the resident wrote last, or "" for a button press."""
    text = str(tracker.latest_message.get("text") or "")
    return "" if is_payload(text) else text.strip()


def is_payload(text: str) -> bool:
    """Whether a message is a button payload (`/intent{...}`) rather than typed words.

    Channels turn typed text that starts with "/" into plain words before it reaches Rasa, so a payload can
    only come from a button the assistant offered.
    """
    return bool(re.match(r"^/\w", text.strip()))


def metadata(tracker: Tracker) -> dict[str, Any]:
    """The channel metadata of the latest message (photos, coordinates, channel name)."""
    value = tracker.latest_message.get("metadata") or {}
    return value if isinstance(value, dict) else {}


def entity_values(tracker: Tracker, entity: str) -> list[str]:
    """Values of one entity type in the latest message, longest first."""
    values = [
        str(e.get("value"))
        for e in tracker.latest_message.get("entities") or []
        if e.get("entity") == entity and e.get("value")
    ]
    return sorted(values, key=len, reverse=True)


def is_interruption(tracker: Tracker) -> bool:
    """Whether the latest message is a question or command rather than an answer."""
    name, confidence = latest_intent(tracker)
    if name == "cancel":
        return True  # a cancel must always win, even when it is not phrased confidently
    return name in INTERRUPTIONS and confidence >= INTERRUPTION_CONFIDENCE


def said(tracker: Tracker, *intents: str) -> bool:
    """Whether the latest message's intent is one of `intents`."""
    return latest_intent(tracker)[0] in intents


def channel_of(tracker: Tracker) -> str:
    """The channel the resident uses ("twilio", "telegram", "webchat", "rest", …)."""
    name = metadata(tracker).get("channel") or tracker.get_latest_input_channel() or ""
    return str(name)
