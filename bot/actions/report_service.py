"""The "what is it?" step of a report: the service, checked against what the back office offers."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import resources
from bot.actions.report_duplicates import nearby_report_slots


class ServiceSteps:
    """Validation of `service_code` for the report form."""

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
