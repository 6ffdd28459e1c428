"""The "where is it?" step of a report.

Typed places, shared coordinates and a photo's GPS are geocoded offline,
checked against the city boundary, then looked up for open reports of the same problem nearby.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import resources
from bot.actions.common import entity_values, is_interruption, latest_text, run_blocking, said
from bot.open311 import Open311Error

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

    async def validate_service_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Accepts a service the back office offers; a new service starts its questions afresh."""
        if value is None or not resources.catalogue().is_known(str(value)):
            return {"service_code": None}
        slots: dict[str, Any] = {"service_code": value, "service_candidates": None}
        answers = tracker.get_slot("attributes")
        if isinstance(answers, dict) and answers.get("service") != value:
            slots["attributes"] = None  # answers to another service's questions no longer apply
        lat, lon = tracker.get_slot("latitude"), tracker.get_slot("longitude")
        if lat is not None and lon is not None:
            slots.update(await nearby_report_slots(str(value), float(lat), float(lon)))
        return slots


def _place_from_point(lat: float, lon: float, dispatcher: CollectingDispatcher) -> dict[str, Any]:
    geocoder = resources.geocoder()
    if not geocoder.in_city(lat, lon):
        dispatcher.utter_message(text=_outside_text())
        return {"location_text": None, "latitude": None, "longitude": None, "location_suggestion": None}
    place = geocoder.reverse(lat, lon)
    label = f"near {place.label}" if place else f"{lat:.5f}, {lon:.5f}"
    return {"location_text": label, "latitude": lat, "longitude": lon, "location_suggestion": None}


def _geocode(text: str, tracker: Tracker, dispatcher: CollectingDispatcher) -> dict[str, Any]:
    geocoder = resources.geocoder()
    place = geocoder.geocode(text)
    attempts = int(tracker.get_slot("location_attempts") or 0) + 1
    if place is not None and place.score >= MIN_SCORE:
        return {
            "location_text": place.label,
            "latitude": place.lat,
            "longitude": place.lon,
            "location_attempts": 0,
        }
    if attempts >= MAX_LOCATION_ATTEMPTS:
        # Nothing a resident sent is lost: a clerk can still read the place as they wrote it.
        dispatcher.utter_message(
            text="I still can't find that on the map, so I'll send the place to the city exactly as you "
            "wrote it."
        )
        return {"location_text": text, "latitude": None, "longitude": None, "location_attempts": 0}
    dispatcher.utter_message(
        text=f'Sorry, I couldn\'t find "{text[:80]}" in the city. Could you give a street and house number '
        '(like "Mannerheimintie 5"), two streets that cross, or a landmark nearby?'
    )
    return {"location_text": None, "latitude": None, "longitude": None, "location_attempts": attempts}


def _outside_text() -> str:
    return (
        "That place is outside the area this city looks after, so I can't send a report about it here. "
        "If it's somewhere else in the city, tell me the street and number."
    )


async def nearby_report_slots(service_code: str | None, lat: float, lon: float) -> dict[str, Any]:
    """Looks for an open report of the same service nearby, to offer following it instead of a duplicate."""
    if not service_code:
        return {}
    settings = resources.settings()
    since = datetime.now(timezone.utc) - timedelta(days=settings.duplicate_days)
    try:
        nearby = await run_blocking(
            resources.open311().nearby,
            lat,
            lon,
            settings.duplicate_radius(service_code),
            service_code=service_code,
            start_date=since,
        )
    except Open311Error as error:
        logger.info("duplicates.lookup_failed kind=%s", error.kind.name)
        return {"duplicate_candidate": None}
    if not nearby:
        return {"duplicate_candidate": None, "duplicate_step": None}
    match = nearby[0]
    return {
        "duplicate_candidate": {
            "id": match.service_request_id,
            "distance_m": match.distance_m,
            "address": match.address,
            "status": match.detailed_status or match.status,
            "requested": match.requested_datetime.isoformat() if match.requested_datetime else None,
            "media_url": match.media_url,
            "description": (match.description or "")[:140],
        },
        "duplicate_step": None,
    }
