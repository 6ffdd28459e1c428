"""The questions the report form asks (`action_ask_<slot>`), worded from what the report holds so far.

Buttons carry either a payload (`/affirm`) or the option's own words; channels without buttons (SMS) show them
as a numbered list and map "1", "2", … back. The payload `/share_location` is drawn by each channel as its own
"share my location" control.
"""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import resources
from bot.actions.common import channel_of, run_blocking, step_answered, yes_or_no
from bot.actions.report_answers import spare_optional
from bot.catalogue.answers import attribute_state, next_question, unanswered_optional
from bot.sentences import say
from bot.wording import distance_words, readback

COMMON_SERVICES = ("pothole", "streetlight", "graffiti", "illegal_dumping", "litter", "tree")


def skip_button() -> dict[str, str]:
    """The button that skips an optional step."""
    return {"title": say("report.skip_button"), "payload": "/deny"}


def service_button(code: str) -> dict[str, str]:
    """A button that picks a service (its payload is the service's report intent)."""
    return {"title": resources.catalogue().name(code), "payload": f"/report_{code}"}


def change_button(title: str, field: str) -> dict[str, str]:
    """A button asking to change one part of the report."""
    return {"title": title, "payload": "/change_report" + json.dumps({"report_field": field})}


class AskServiceCode(Action):
    """Asks which service the problem is, offering the likely ones first."""

    def name(self) -> str:
        return "action_ask_service_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        candidates = list(tracker.get_slot("service_candidates") or [])
        if candidates:
            buttons = [service_button(c) for c in candidates if c != "other"] + [service_button("other")]
            dispatcher.utter_message(text=say("report.ask_service_among"), buttons=buttons)
        else:
            buttons = [service_button(c) for c in COMMON_SERVICES] + [service_button("other")]
            dispatcher.utter_message(text=say("report.ask_service"), buttons=buttons)
        return []


class AskLocationText(Action):
    """Asks where the problem is; offers the photo's own position when it has one."""

    def name(self) -> str:
        return "action_ask_location_text"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        suggestion = tracker.get_slot("location_suggestion")
        if suggestion:
            place = await run_blocking(resources.geocoder().reverse, suggestion["lat"], suggestion["lon"])
            where = say("place.near", place=place.label) if place else say("report.photo_place_unknown")
            dispatcher.utter_message(
                text=say("report.ask_photo_place", place=where),
                buttons=[
                    {"title": say("report.photo_place_yes_button"), "payload": "/affirm"},
                    {"title": say("report.photo_place_no_button"), "payload": "/deny"},
                ],
            )
            return []
        dispatcher.utter_message(
            text=say("report.ask_location"),
            buttons=[{"title": say("report.share_location_button"), "payload": "/share_location"}],
        )
        return []


class AskAttributeAnswer(Action):
    """Asks the service's next Open311 attribute question."""

    def name(self) -> str:
        return "action_ask_attribute_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        code = tracker.get_slot("service_code")
        questions = await run_blocking(resources.catalogue().questions, code) if code else []
        state = attribute_state(tracker.get_slot("attributes"), code or "")
        question = next_question(questions, state, spare_optional(tracker))
        if question is None:
            return []
        buttons: list[dict[str, Any]] = [{"title": o.name, "payload": o.name} for o in question.values]
        if not question.required:
            buttons.append(skip_button())
        dispatcher.utter_message(text=question.description, buttons=buttons)
        return []


class AskPhotoStep(Action):
    """Offers to add a photo."""

    def name(self) -> str:
        return "action_ask_photo_step"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reply = yes_or_no(tracker) if step_answered(tracker) == "photo_step" else None
        again = reply is not None and reply.polarity == "yes"
        text = say("report.ask_photo_again") if again else say("report.ask_photo")
        dispatcher.utter_message(text=text, buttons=[skip_button()])
        return []


class AskDescription(Action):
    """Asks for a few words when the first message said too little."""

    def name(self) -> str:
        return "action_ask_description"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=say("report.ask_description"))
        return []


class AskDuplicateStep(Action):
    """Shows the open report nearby and offers to follow it instead of filing a new one."""

    def name(self) -> str:
        return "action_ask_duplicate_step"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        match = tracker.get_slot("duplicate_candidate") or {}
        service = resources.catalogue().name(tracker.get_slot("service_code") or "")
        distance = distance_words(match.get("distance_m"))
        number, status = match.get("id"), match.get("status", "open").replace("_", " ")
        if match.get("address"):
            text = say(
                "duplicate.ask_at",
                service=service.lower(),
                distance=distance,
                address=match["address"],
                number=number,
                status=status,
            )
        else:
            text = say(
                "duplicate.ask", service=service.lower(), distance=distance, number=number, status=status
            )
        if match.get("description"):
            text += "\n" + say("duplicate.it_says", description=match["description"])
        buttons = [
            {"title": say("duplicate.same_button"), "payload": "/affirm"},
            {"title": say("duplicate.different_button"), "payload": "/deny"},
        ]
        dispatcher.utter_message(text=text, image=match.get("media_url"), buttons=buttons)
        return []


class AskContactStep(Action):
    """Asks for contact details the resident chose to give."""

    def name(self) -> str:
        return "action_ask_contact_step"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        by_sms = channel_of(tracker) == "twilio"
        text = say("report.ask_contact_sms") if by_sms else say("report.ask_contact")
        dispatcher.utter_message(
            text=text, buttons=[{"title": say("report.stay_anonymous_button"), "payload": "/deny"}]
        )
        return []


class AskConfirmReport(Action):
    """Reads the report back before it is sent, or asks what to change."""

    def name(self) -> str:
        return "action_ask_confirm_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("change_requested") is True:
            dispatcher.utter_message(
                text=say("change.ask"),
                buttons=[
                    change_button(say("change.place_button"), "location"),
                    change_button(say("change.description_button"), "description"),
                    change_button(say("change.photo_button"), "photo"),
                    change_button(say("change.service_button"), "service"),
                    change_button(say("change.contact_button"), "contact"),
                ],
            )
            return [SlotSet("change_requested", "asked")]
        dispatcher.utter_message(
            text=await run_blocking(summary, tracker),
            buttons=[
                {"title": say("readback.send_button"), "payload": "/affirm"},
                change_button(say("readback.add_contact_button"), "contact"),
                {"title": say("readback.change_button"), "payload": "/change_report"},
                {"title": say("readback.cancel_button"), "payload": "/cancel"},
            ],
        )
        return [SlotSet("change_requested", None)]


def summary(tracker: Tracker) -> str:
    """The read-back text of the report in the tracker."""
    code = tracker.get_slot("service_code") or ""
    catalogue = resources.catalogue()
    state = attribute_state(tracker.get_slot("attributes"), code)
    answers = []
    for question in catalogue.questions(code) if code else []:
        key = state["answers"].get(question.code)
        if key is not None:
            name = next((o.name for o in question.values if o.key == key), str(key))
            answers.append((question.description, name))
        elif question.code in state["notes"]:
            answers.append((question.description, state["notes"][question.code]))
    duplicate = tracker.get_slot("duplicate_candidate")
    step = tracker.get_slot("duplicate_step")
    notes = []
    if duplicate and step == "new":
        notes.append(say("readback.not_duplicate", number=duplicate.get("id")))
    elif duplicate and step == "unsure":
        notes.append(say("readback.maybe_duplicate", number=duplicate.get("id")))
    invite = unanswered_optional(catalogue.questions(code), state) if code else []
    if invite:
        # The optional questions are not turns of their own: the resident may answer them here, in words.
        notes.append(say("readback.invite_more", questions=" ".join(q.description for q in invite)))
    note = "\n".join(notes) or None
    return readback(
        catalogue.name(code),
        tracker.get_slot("location_text"),
        tracker.get_slot("description") or tracker.get_slot("report_text"),
        len(tracker.get_slot("photo_urls") or []),
        answers,
        tracker.get_slot("contact"),
        note,
    )
