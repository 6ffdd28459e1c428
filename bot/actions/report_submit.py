"""Filing a confirmed report (or following the open one nearby), and cancelling one.

The report goes into the outbox first, so the resident always gets a reference; sending is tried at once and,
when the back office is down, retried by the outbox worker until it is filed exactly once.
"""

from __future__ import annotations

import hashlib
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import resources
from bot.actions.common import REPORT_SLOTS, run_blocking
from bot.catalogue.answers import attribute_state
from bot.open311 import NewRequest
from bot.sentences import say
from bot.workers.outbox import Delivery


def report_key(tracker: Tracker, kind: str = "file") -> str:
    """A key that is the same for every attempt to file this one report (and different for the next)."""
    started = next(
        (
            str(e.get("timestamp"))
            for e in reversed(tracker.events)
            if e.get("event") == "active_loop" and e.get("name") == "report_form"
        ),
        "",
    )
    digest = hashlib.sha256(f"{tracker.sender_id}|{started}|{kind}".encode()).hexdigest()
    return f"{kind}-{digest[:40]}"


def address_string(found: str | None, words: str | None) -> str | None:
    """The place found on the map, with the resident's own words when they say more.

    "Tähtitornin vuori (the observatory hill park, by the swings)": a clerk sees both.
    """
    if not words or not found or " ".join(words.lower().split()) in found.lower():
        return found or words
    return f"{found} ({words})"[:255]


def build_request(tracker: Tracker) -> NewRequest:
    """The Open311 request for the report held in the tracker's slots."""
    code = tracker.get_slot("service_code") or "other"
    photos = list(tracker.get_slot("photo_urls") or [])
    description = (
        tracker.get_slot("description") or tracker.get_slot("report_text") or resources.catalogue().name(code)
    )
    state = attribute_state(tracker.get_slot("attributes"), code)
    for question in resources.catalogue().questions(code) if state["notes"] else []:
        if question.code in state["notes"]:
            description += f"\n{question.description} {state['notes'][question.code]}"
    duplicate = tracker.get_slot("duplicate_candidate") or {}
    if tracker.get_slot("duplicate_step") == "unsure" and duplicate.get("id"):
        description += f"\n(The resident was not sure whether this is report {duplicate['id']}.)"
    if len(photos) > 1:
        # Open311 carries one media_url; the others travel in the description so nothing is lost.
        description += "\nMore photos: " + " ".join(photos[1:])
    contact: dict[str, Any] = tracker.get_slot("contact") or {}
    return NewRequest(
        service_code=code,
        lat=tracker.get_slot("latitude"),
        long=tracker.get_slot("longitude"),
        address_string=address_string(tracker.get_slot("location_text"), tracker.get_slot("location_words")),
        description=description,
        media_url=photos[0] if photos else None,
        attributes={k: str(v) for k, v in state["answers"].items()},
        email=contact.get("email"),
        phone=contact.get("phone"),
    )


def outcome_text(delivery: Delivery, following: bool) -> str:
    """What the resident is told after the report was handed to the outbox."""
    if following and delivery.state == "sent":
        return say("submit.following", number=delivery.service_request_id)
    if delivery.state == "sent":
        return say("submit.sent", number=delivery.service_request_id)
    if delivery.state == "awaiting_id":
        return say("submit.awaiting_number", reference=delivery.reference)
    if delivery.state == "failed":
        if delivery.error and delivery.error.description:
            return say(
                "submit.refused_because", reason=delivery.error.description, reference=delivery.reference
            )
        return say("submit.refused", reference=delivery.reference)
    return say("submit.queued", reference=delivery.reference)


def reset_report() -> list[EventType]:
    """Events that clear every report slot, ready for the next report."""
    return [SlotSet(slot, None) for slot in REPORT_SLOTS]


class SubmitReport(Action):
    """Files the confirmed report, or follows the open report nearby."""

    def name(self) -> str:
        return "action_submit_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        outbox = resources.outbox()
        duplicate = tracker.get_slot("duplicate_candidate") or {}
        following = tracker.get_slot("duplicate_step") == "follow" and bool(duplicate.get("id"))
        if following:
            entry = await run_blocking(
                outbox.add_follow, tracker.sender_id, str(duplicate["id"]), report_key(tracker, "follow")
            )
        else:
            request = await run_blocking(build_request, tracker)
            entry = await run_blocking(outbox.add_report, tracker.sender_id, request, report_key(tracker))
        delivery = await run_blocking(outbox.deliver, entry.reference)
        dispatcher.utter_message(text=outcome_text(delivery, following))
        number = delivery.service_request_id or delivery.reference
        mine = [n for n in tracker.get_slot("my_requests") or [] if n != number] + [number]
        outcome = {"sent": "followed" if following else "filed", "failed": "rejected"}.get(
            delivery.state, "queued"
        )
        return [*reset_report(), SlotSet("my_requests", mine[-10:]), SlotSet("report_outcome", outcome)]


class CancelReport(Action):
    """Drops the report in progress; nothing is sent."""

    def name(self) -> str:
        return "action_cancel_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=say("submit.cancelled"))
        return reset_report()
