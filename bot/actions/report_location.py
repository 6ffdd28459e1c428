"""The "where is it?" step of a report.

Typed places, shared coordinates and a photo's GPS are geocoded offline,
checked against the city boundary; `report_duplicates` then looks for open reports of the same problem nearby.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import resources
from bot.actions.common import entity_values, is_interruption, latest_text, run_blocking, said
from bot.actions.report_duplicates import nearby_report_slots
from bot.sentences import say

logger = logging.getLogger(__name__)

# After this many places the geocoder cannot find, the resident's own words are sent as the address.
MAX_LOCATION_ATTEMPTS = 2
MIN_SCORE = 0.5


class LocationSteps:
    """Extraction and validation of `location_text` (with `latitude`, `longitude`) for the report form."""

    async def extract_location_text(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Fills the place from shared coordinates, an accepted photo position, or a typed answer."""
        lat, lon = tracker.get_slot("latitude"), tracker.get_slot("longitude")
        if tracker.get_slot("location_text") is None and lat is not None and lon is not None:
            return await run_blocking(_place_from_point, float(lat), float(lon), dispatcher)
        if tracker.get_slot("requested_slot") != "location_text" or is_interruption(tracker):
            return {}
        suggestion = tracker.get_slot("location_suggestion")
        if suggestion and said(tracker, "affirm"):
            return await run_blocking(_place_from_point, suggestion["lat"], suggestion["lon"], dispatcher)
        if suggestion and said(tracker, "deny"):
            return {"location_suggestion": None}
        text = latest_text(tracker)
        if text and not entity_values(tracker, "location") and not said(tracker, "share_photo"):
            return {"location_text": text[:200], "latitude": None, "longitude": None}
        return {}

    async def validate_location_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Geocodes the place; refuses places outside the city; offers a nearby open report."""
        if value is None:
            return {"location_text": None}
        lat, lon = tracker.get_slot("latitude"), tracker.get_slot("longitude")
        if lat is not None and lon is not None:  # a shared position or the photo's, already checked
            slots: dict[str, Any] = {"location_text": value, "latitude": lat, "longitude": lon}
        else:
            slots = await run_blocking(_geocode, str(value), tracker, dispatcher)
        if slots.get("latitude") is not None:
            code = tracker.get_slot("service_code")
            slots.update(await nearby_report_slots(code, slots["latitude"], slots["longitude"]))
        return slots


def _place_from_point(lat: float, lon: float, dispatcher: CollectingDispatcher) -> dict[str, Any]:
    geocoder = resources.geocoder()
    if not geocoder.in_city(lat, lon):
        dispatcher.utter_message(text=say("place.outside"))
        return {"location_text": None, "latitude": None, "longitude": None, "location_suggestion": None}
    place = geocoder.reverse(lat, lon)
    label = say("place.near", place=place.label) if place else f"{lat:.5f}, {lon:.5f}"
    return {"location_text": label, "latitude": lat, "longitude": lon, "location_suggestion": None}


def _geocode(text: str, tracker: Tracker, dispatcher: CollectingDispatcher) -> dict[str, Any]:
    geocoder = resources.geocoder()
    place = geocoder.geocode(text)
    attempts = int(tracker.get_slot("location_attempts") or 0) + 1
    if place is not None and place.score >= MIN_SCORE:
        return {
            "location_text": place.label,
            "location_words": text[:200],
            "latitude": place.lat,
            "longitude": place.lon,
            "location_attempts": 0,
        }
    if attempts >= MAX_LOCATION_ATTEMPTS:
        # Nothing a resident sent is lost: a clerk can still read the place as they wrote it.
        dispatcher.utter_message(text=say("place.not_found_again"))
        return {"location_text": text, "latitude": None, "longitude": None, "location_attempts": 0}
    dispatcher.utter_message(text=say("place.not_found", place=text[:80]))
    return {"location_text": None, "latitude": None, "longitude": None, "location_attempts": attempts}
