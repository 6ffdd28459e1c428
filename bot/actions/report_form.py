"""The report form's validation action: which steps a report still needs, in which order.

Order: service → place → (an open report nearby?) → the service's questions → photo → a few words →
(contact details, when the resident asked to add them) → read-back. Steps the resident's first message already
answered are skipped, so a photo with a caption naming the problem and the place goes straight to the
read-back.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker, utils
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from bot import resources
from bot.actions.common import REPORT_SLOTS, is_interruption, run_blocking
from bot.actions.faq import question_mid_report
from bot.actions.report_answers import AnswerSteps, spare_optional
from bot.actions.report_location import LocationSteps
from bot.actions.report_readback import ReadbackSteps
from bot.actions.report_service import ServiceSteps
from bot.catalogue.answers import attribute_state, next_question


def plan_steps(tracker: Tracker, questions: list[Any]) -> list[str]:
    """The form's required slots for the report as it stands now."""
    steps = ["service_code", "location_text"]
    if tracker.get_slot("duplicate_candidate"):
        steps.append("duplicate_step")
    if tracker.get_slot("duplicate_step") == "follow":
        return steps  # following the open report nearby: nothing more to ask
    has_photo = bool(tracker.get_slot("photo_urls"))
    code = tracker.get_slot("service_code")
    state = attribute_state(tracker.get_slot("attributes"), code or "")
    if code and next_question(questions, state, spare_optional(tracker)):
        steps.append("attribute_answer")
    if not has_photo:
        steps.append("photo_step")  # its question also invites a few words about the problem
    elif tracker.get_slot("description") is None and tracker.get_slot("report_text") is None:
        steps.append("description")  # a photo with no words at all
    if (tracker.get_slot("contact") or {}).get("wanted") or tracker.get_slot("contact_step") == "given":
        steps.append("contact_step")
    steps.append("confirm_report")
    return steps


class ValidateReportForm(ServiceSteps, LocationSteps, AnswerSteps, ReadbackSteps, FormValidationAction):
    """Validates the report form's slots and decides which to ask next."""

    def name(self) -> str:
        """The action name Rasa calls to validate `report_form`."""
        return "validate_report_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Extracts answers, validates them, and names the next slot to ask.

        Unlike rasa-sdk's default, slots a validator fills beside its own (a geocoded place's coordinates, the
        description a photo step adds) are kept; slots set elsewhere this turn and not part of the report
        (a report number in a status question) are not echoed, so such a message still counts as a
        digression and Rasa's rules answer it.
        """
        requested = tracker.get_slot("requested_slot")
        faq = question_mid_report(tracker) if requested and not is_interruption(tracker) else None
        if faq:
            # Answered here, then the same step is asked again with the report intact.
            dispatcher.utter_message(response=faq)
            return [SlotSet(requested, None), SlotSet("requested_slot", requested)]
        extraction = await self.get_extraction_events(dispatcher, tracker, domain)
        tracker.add_slots(extraction)
        extracted = {str(e["name"]) for e in extraction}
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        # Report slots the global extraction filled this turn (a photo, a shared position) are progress too.
        keep = set(required) | extracted | set(REPORT_SLOTS)
        slots = {k: v for k, v in tracker.slots_to_validate().items() if k in keep}
        for name, value in list(slots.items()):
            validate = getattr(self, f"validate_{name}", None) if name in required else None
            if validate is None:
                continue
            output = await utils.call_potential_coroutine(validate(value, dispatcher, tracker, domain))
            slots.update(output)
            tracker.slots.update(output)
        events: list[EventType] = [SlotSet(k, v) for k, v in slots.items()]
        next_slot = await self.next_requested_slot(dispatcher, tracker, domain)
        return events + ([next_slot] if next_slot else [])

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        """The steps this report still goes through (see `plan_steps`)."""
        code = tracker.get_slot("service_code")
        questions = await run_blocking(resources.catalogue().questions, code) if code else []
        return plan_steps(tracker, questions)
