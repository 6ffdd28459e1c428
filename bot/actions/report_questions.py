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
from bot.catalogue.answers import attribute_state, next_question
from bot.wording import distance_words, readback

COMMON_SERVICES = ("pothole", "streetlight", "graffiti", "illegal_dumping", "litter", "tree")
SHARE_LOCATION = {"title": "📍 Share my location", "payload": "/share_location"}
SKIP = {"title": "Skip", "payload": "/deny"}


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
            dispatcher.utter_message(
                text="I want to get this to the right crew. Which of these fits best?", buttons=buttons
            )
        else:
            buttons = [service_button(c) for c in COMMON_SERVICES] + [service_button("other")]
            dispatcher.utter_message(
                text="What's the problem? Tell me in a few words, or pick one:", buttons=buttons
            )
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
            where = f"near {place.label}" if place else "where the photo's GPS says"
            dispatcher.utter_message(
                text=f"Is this where you took the photo: {where}?",
                buttons=[
                    {"title": "Yes, that's the place", "payload": "/affirm"},
                    {"title": "No", "payload": "/deny"},
                ],
            )
            return []
        dispatcher.utter_message(
            text='Where is it? Send a street and house number (like "Mannerheimintie 5"), two streets that '
            "cross, or a landmark nearby.",
            buttons=[SHARE_LOCATION],
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
        question = next_question(questions, state, bool(tracker.get_slot("photo_urls")))
        if question is None:
            return []
        buttons: list[dict[str, Any]] = [{"title": o.name, "payload": o.name} for o in question.values]
        if not question.required:
            buttons.append(SKIP)
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
        if reply is not None and reply.polarity == "yes":
            text = (
                'Go ahead: attach the photo to your next message. Or say "no photo" to carry on without one.'
            )
        else:
            text = "A photo helps the crew find and fix it. Would you like to send one now? Or tap Skip."
        dispatcher.utter_message(text=text, buttons=[SKIP])
        return []


class AskDescription(Action):
    """Asks for a few words when the first message said too little."""

    def name(self) -> str:
        return "action_ask_description"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(
            text="Could you describe it in a few words? For example how big it is, how long it's been there, "
            "or whether it's dangerous."
        )
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
        where = f" at {match['address']}" if match.get("address") else ""
        text = (
            f"Someone already reported a {service.lower()} {distance_words(match.get('distance_m'))}{where} "
            f"(report {match.get('id')}, {match.get('status', 'open').replace('_', ' ')}). "
            "Is it the same problem? If so, I'll add you to that report and tell you when it's fixed."
        )
        if match.get("description"):
            text += f'\nIt says: "{match["description"]}"'
        buttons = [
            {"title": "Yes, same problem", "payload": "/affirm"},
            {"title": "No, mine is different", "payload": "/deny"},
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
        text = (
            "What e-mail address or phone number can the city use about this report? "
            "It's only used for this report."
        )
        if channel_of(tracker) == "twilio":
            text += " Or reply YES to share the number you're texting from."
        dispatcher.utter_message(text=text, buttons=[{"title": "No, stay anonymous", "payload": "/deny"}])
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
                text="What would you like to change?",
                buttons=[
                    change_button("The place", "location"),
                    change_button("The description", "description"),
                    change_button("The photo", "photo"),
                    change_button("The type of problem", "service"),
                    change_button("My contact details", "contact"),
                ],
            )
            return [SlotSet("change_requested", "asked")]
        dispatcher.utter_message(
            text=await run_blocking(summary, tracker),
            buttons=[
                {"title": "Send it", "payload": "/affirm"},
                change_button("Add my contact details", "contact"),
                {"title": "Change something", "payload": "/change_report"},
                {"title": "Cancel", "payload": "/cancel"},
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
    text = readback(
        catalogue.name(code),
        tracker.get_slot("location_text"),
        tracker.get_slot("description") or tracker.get_slot("report_text"),
        len(tracker.get_slot("photo_urls") or []),
        answers,
        tracker.get_slot("contact"),
    )
    step = tracker.get_slot("duplicate_step")
    if duplicate and step in ("new", "unsure"):
        note = "Not the same as" if step == "new" else "Perhaps the same as"
        text = text.replace("Shall I send", f"({note} report {duplicate.get('id')}.)\nShall I send")
    return text
