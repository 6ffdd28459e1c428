"""Small helpers every action shares: reading the latest message, and running blocking calls off the loop."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any, TypeVar

from rasa_sdk import Tracker

from bot.nlu.short_replies import ShortReply, read_short_reply

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
QUESTION_CONFIDENCE = 0.4
QUESTION_START = re.compile(
    r"(how|what|when|whens|when's|where|why|who|which|can i|can you|could|do i|do you|does|is there|"
    r"are there|will|should i|would)\b",
    re.IGNORECASE,
)

# Report fields stored in slots while a report is being made (all reset after filing or cancelling).
REPORT_SLOTS = (
    "service_code",
    "service_candidates",
    "location_text",
    "location_words",
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
    """Whether the latest message is a question or command rather than an answer.

    Each step first checks whether the words answer its own question ("ya" to the read-back is a yes even
    when the classifier hears a goodbye); this decides only for words that do not.
    """
    name, confidence = latest_intent(tracker)
    if name == "cancel":
        return True  # a cancel must always win, even when it is not phrased confidently
    if name not in INTERRUPTIONS:
        return False
    if name == "faq" and not looks_like_question(latest_text(tracker)):
        return False  # "oh and it's really deep": more about the report, however sure the classifier is
    # A question mark or a question word makes a question more likely than an answer.
    bar = QUESTION_CONFIDENCE if looks_like_question(latest_text(tracker)) else INTERRUPTION_CONFIDENCE
    return confidence >= bar


def looks_like_question(text: str) -> bool:
    """Whether the words are phrased as a question ("how long will it take?", "do i need to give my name")."""
    return text.rstrip().endswith("?") or bool(QUESTION_START.match(text.strip()))


def said(tracker: Tracker, *intents: str) -> bool:
    """Whether the latest message's intent is one of `intents`."""
    return latest_intent(tracker)[0] in intents


def channel_of(tracker: Tracker) -> str:
    """The channel the resident uses ("twilio", "telegram", "webchat", "rest", …)."""
    name = metadata(tracker).get("channel") or tracker.get_latest_input_channel() or ""
    return str(name)


def words_reply(tracker: Tracker) -> ShortReply | None:
    """The latest typed words as a yes/no/unsure/skip answer (never from the classifier's intent)."""
    text = latest_text(tracker)
    return read_short_reply(text) if text else None


def yes_or_no(tracker: Tracker) -> ShortReply | None:
    """The latest message as an answer to a yes/no question: the resident's own words first, then the intent.

    Words decide when they start like an answer ("ya thats rite", "nope not that", "not sure"); a button or
    a longer sentence falls back to the classifier's affirm/deny.
    """
    return words_reply(tracker) or intent_reply(tracker)


def intent_reply(tracker: Tracker) -> ShortReply | None:
    """The classifier's affirm or deny as a yes or no (a button, or words the reader did not know)."""
    if said(tracker, "affirm"):
        return ShortReply("yes", "")
    if said(tracker, "deny"):
        return ShortReply("no", "")
    return None


def step_answered(tracker: Tracker) -> str | None:
    """The step the form had asked for when the resident sent their latest message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == "requested_slot":
            return str(event.get("value")) if event.get("value") else None
    return None
