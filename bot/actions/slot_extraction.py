"""Global slot extraction (Rasa's `action_validate_slot_mappings`), run after every resident message.

It turns what the message carries into report slots, whether or not a report is under way:

- a report intent → `service_code` when confident, else the likely services in `service_candidates`;
- a place named in the text (`location` entity) → `location_text`;
- coordinates shared from the phone → `latitude` / `longitude`;
- photos (already cleaned and stored by the channel) → appended to `photo_urls`; their GPS → a suggestion.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from bot import resources
from bot.actions.common import (
    entity_values,
    is_interruption,
    is_payload,
    latest_intent,
    metadata,
)
from bot.nlu.service_choice import REPORT_INTENT_PREFIX, ServiceChoice, choose_service, report_ranking

FORM = "report_form"
MAX_PHOTOS = 5


def latest_report_ranking(tracker: Tracker) -> list[tuple[str, float]]:
    """The report services the NLU considered for the latest message, most likely first."""
    latest = tracker.latest_message
    return report_ranking(latest.get("intent_ranking") or [latest.get("intent") or {}])


def top_intent_is_report(tracker: Tracker) -> bool:
    """Whether the message is mainly a report (also when the NLU fell back for low confidence)."""
    name, _ = latest_intent(tracker)
    if name.startswith(REPORT_INTENT_PREFIX):
        return True
    if name != "nlu_fallback":
        return False
    ranking = [
        r for r in tracker.latest_message.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"
    ]
    return bool(ranking) and str(ranking[0].get("name", "")).startswith(REPORT_INTENT_PREFIX)


# "not Fredrikinkatu", "isn't on Bulevardi": the place named right after these words is the one ruled out.
RULED_OUT = re.compile(r"\b(not|isn'?t|wasn'?t|instead of|rather than|wrong)\s+(?:\w+\s+){0,2}$", re.I)


def meant_place(tracker: Tracker) -> str | None:
    """The place the latest message means: not one it rules out, a house number before a bare street."""
    text = str(tracker.latest_message.get("text") or "")
    places = [
        e
        for e in tracker.latest_message.get("entities") or []
        if e.get("entity") == "location" and e.get("value")
    ]
    kept = [e for e in places if not RULED_OUT.search(text[: int(e.get("start") or 0)])] or places
    if not kept:
        return None
    best = max(kept, key=lambda e: (any(c.isdigit() for c in str(e["value"])), len(str(e["value"]))))
    return str(best["value"])


class ValidateSlotMappings(ValidationAction):
    """Extracts report slots from every message; answers to the form's questions are handled by the form."""

    def name(self) -> str:
        """Rasa's fixed name for the global slot validation action."""
        return "action_validate_slot_mappings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Returns the extracted slots; values are already in their final shape, so nothing to validate."""
        return await self.get_extraction_events(dispatcher, tracker, domain)

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        """Only the slots extracted here (the order matters: service first, photos before their GPS)."""
        return ["service_code", "report_text", "location_text", "latitude", "photo_urls", "request_id"]

    def extract_service_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Settles the service from a report intent, or lists the likely ones when unsure."""
        if not top_intent_is_report(tracker):
            return {}
        in_report = tracker.active_loop_name == FORM and tracker.get_slot("service_code")
        chosen_by_button = is_payload(str(tracker.latest_message.get("text") or ""))
        if in_report and tracker.get_slot("requested_slot") != "service_code" and not chosen_by_button:
            return {}  # mid-report, more words about the problem must not switch its service
        ranking = latest_report_ranking(tracker)
        if not ranking:
            return {}
        best = ranking[0][0]
        # A tapped option is final; typed words go through the confidence contract.
        choice = (
            ServiceChoice(best)
            if chosen_by_button
            else choose_service(ranking, resources.settings().service_confidence)
        )
        if choice.service and resources.catalogue().is_known(choice.service):
            if in_report and choice.service != tracker.get_slot("service_code"):
                # A tapped service is final, also mid-report: the new service's own questions follow.
                return {
                    "service_code": choice.service,
                    "service_candidates": None,
                    "attributes": None,
                    "duplicate_candidate": None,
                    "confirm_report": None,
                }
            return {"service_code": choice.service, "service_candidates": None}
        return {"service_code": None, "service_candidates": list(choice.candidates or (best,))}

    def extract_report_text(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keeps the resident's own words of the message that started a report."""
        text = str(tracker.latest_message.get("text") or "").strip()
        if not text or is_payload(text) or not top_intent_is_report(tracker):
            return {}
        if tracker.active_loop_name == FORM and tracker.get_slot("report_text"):
            return {}
        return {"report_text": text}

    def extract_location_text(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A place named in any message (except questions) becomes the report's place, to be geocoded."""
        meta = metadata(tracker)
        place = meta.get("place_address") or meta.get("place_name")
        if place:
            return {"location_text": str(place)[:200]}
        place = meant_place(tracker)
        if not place or is_interruption(tracker):
            return {}
        return {"location_text": place, "latitude": None, "longitude": None}

    def extract_latitude(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Coordinates the resident shared from their phone (Telegram location, browser geolocation)."""
        meta = metadata(tracker)
        try:
            lat, lon = float(meta["latitude"]), float(meta["longitude"])
        except (KeyError, TypeError, ValueError):
            return {}
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return {}
        slots: dict[str, Any] = {"latitude": lat, "longitude": lon, "location_suggestion": None}
        if not (meta.get("place_address") or meta.get("place_name")):
            slots["location_text"] = None  # the form words the place from the coordinates
        return slots

    def extract_photo_urls(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Photos attached to the message, and where the first one was taken (offered as the place)."""
        meta = metadata(tracker)
        new = [str(u) for u in meta.get("photo_urls") or [] if isinstance(u, str)]
        if not new:
            return {}
        known = list(tracker.get_slot("photo_urls") or [])
        photos = (known + [u for u in new if u not in known])[:MAX_PHOTOS]
        slots: dict[str, Any] = {"photo_urls": photos}
        gps = meta.get("photo_gps")
        has_place = tracker.get_slot("location_text") or tracker.get_slot("latitude") is not None
        if (
            isinstance(gps, list | tuple)
            and len(gps) == 2
            and not has_place
            and not entity_values(tracker, "location")
        ):
            slots["location_suggestion"] = {"lat": float(gps[0]), "lon": float(gps[1])}
        return slots

    def extract_request_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A report number the resident mentioned."""
        values = entity_values(tracker, "request_id")
        return {"request_id": values[0]} if values else {}
