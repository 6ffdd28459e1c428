"""The steps of a report after the place.

The service's questions, photo, description, duplicate offer, contact details and the read-back. Each
`extract_<slot>` reads an answer; each `validate_<slot>` accepts it
or asks again (a rejected answer is `{slot: None}` plus a message, never an exception).
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import resources
from bot.actions.common import channel_of, entity_values, is_interruption, latest_text, run_blocking, said
from bot.catalogue.answers import attribute_state, infer_answers, match_answer, next_question
from bot.wording import is_thin

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"\+?\d[\d \-()]{6,}\d")
FIELD_WORDS = {
    "location": ("address", "place", "location", "where", "street", "spot"),
    "description": ("description", "details", "words", "text", "what"),
    "photo": ("photo", "picture", "image", "pic"),
    "service": ("type", "service", "category", "kind", "problem"),
    "contact": ("contact", "email", "phone", "number", "name"),
}
MAX_DESCRIPTION = 4000


def requested(tracker: Tracker, slot: str) -> bool:
    """Whether the form just asked for `slot` and the latest message may answer it."""
    return tracker.get_slot("requested_slot") == slot and not is_interruption(tracker)


def changed_field(tracker: Tracker) -> str:
    """Which part of the report the resident wants to change ("" when they did not say)."""
    fields = entity_values(tracker, "report_field")
    text = (fields[0] if fields else latest_text(tracker)).lower()
    for field, words in FIELD_WORDS.items():
        if field == text or any(re.search(rf"\b{w}\b", text) for w in words):
            return field
    return ""


class AnswerSteps:
    """Extraction and validation of the report form's later steps."""

    async def extract_attribute_answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Fills answers the resident's own words already give, and reads the answer to the last question."""
        code = tracker.get_slot("service_code")
        if not code:
            return {}
        questions = await run_blocking(resources.catalogue().questions, code)
        state = attribute_state(tracker.get_slot("attributes"), code)
        words = " ".join(filter(None, [tracker.get_slot("report_text"), tracker.get_slot("description")]))
        inferred = infer_answers(questions, words, state)
        # Only new answers count as "something was said": an unchanged state must not hide a digression.
        slots: dict[str, Any] = {"attributes": inferred} if inferred["answers"] != state["answers"] else {}
        if requested(tracker, "attribute_answer"):
            # A typed "no" may be the answer to a yes/no question; the Skip button sends no words.
            reply = latest_text(tracker) or ("skip" if said(tracker, "deny") else "")
            if reply:
                slots["attribute_answer"] = reply[:500]
        return slots

    async def validate_attribute_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Matches the answer to the question asked; asks again when it fits none of the options."""
        code = tracker.get_slot("service_code")
        if value is None or not code:
            return {"attribute_answer": None}
        questions = await run_blocking(resources.catalogue().questions, code)
        state = attribute_state(tracker.get_slot("attributes"), code)
        has_photo = bool(tracker.get_slot("photo_urls"))
        question = next_question(questions, state, has_photo)
        if question is None:
            return {"attribute_answer": None}
        answer = match_answer(question, str(value)) if value != "skip" else None
        if answer is None and not question.required and (value == "skip" or said(tracker, "deny")):
            state["skipped"].append(question.code)
            return {"attributes": state, "attribute_answer": None}
        if answer is None:
            names = ", ".join(o.name for o in question.values)
            dispatcher.utter_message(text=f"Sorry, I need one of these: {names}.")
            return {"attribute_answer": None}
        state["answers"][question.code] = answer
        return {"attributes": state, "attribute_answer": None}

    def extract_photo_step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A photo at any time completes this step; "no" skips it; other words go to the description."""
        if tracker.get_slot("photo_urls"):
            return {"photo_step": "added"} if tracker.get_slot("photo_step") != "added" else {}
        if not requested(tracker, "photo_step") or said(tracker, "share_photo"):
            return {}
        if said(tracker, "deny"):
            return {"photo_step": "skipped"}
        text = latest_text(tracker)
        if not text or said(tracker, "affirm"):
            return {}
        return {"photo_step": "skipped", "description": _join(tracker.get_slot("description"), text)}

    def extract_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The resident's words: their first message when it says enough, or their answer when asked."""
        if requested(tracker, "description"):
            text = latest_text(tracker)
            return {"description": _join(tracker.get_slot("report_text"), text)} if text else {}
        first = tracker.get_slot("report_text")
        if (
            tracker.get_slot("description") is None
            and first
            and not is_thin(first, tracker.get_slot("location_text"))
        ):
            return {"description": first}
        return {}

    def validate_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keeps the description within Open311's 4,000 characters."""
        text = str(value or "").strip()
        return {"description": text[:MAX_DESCRIPTION] if text else None}

    def extract_duplicate_step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes: follow the open report nearby instead; no: file a new one."""
        if not requested(tracker, "duplicate_step"):
            return {}
        if said(tracker, "affirm"):
            return {"duplicate_step": "follow"}
        if said(tracker, "deny"):
            return {"duplicate_step": "new"}
        return {}

    def extract_contact_step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """An e-mail address or phone number the resident agrees to give, or "no"."""
        if not requested(tracker, "contact_step"):
            return {}
        text = latest_text(tracker)
        contact: dict[str, Any] = {}
        if email := EMAIL.search(text):
            contact["email"] = email.group(0)[:254]
        if phone := PHONE.search(text):
            contact["phone"] = re.sub(r"[^\d+]", "", phone.group(0))[:20]
        if not contact and said(tracker, "affirm") and channel_of(tracker) == "twilio":
            contact["phone"] = tracker.sender_id.split(":", 1)[
                -1
            ]  # consent to share the number they text from
        if contact:
            return {"contact": contact, "contact_step": "given"}
        if said(tracker, "deny"):
            return {"contact": None, "contact_step": "declined"}
        dispatcher.utter_message(
            text="That doesn't look like an e-mail address or phone number. Try again, or say no."
        )
        return {}

    def extract_confirm_report(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Reads the resident's answer to the read-back: send, or change something."""
        if not requested(tracker, "confirm_report"):
            return {}
        if said(tracker, "affirm"):
            return {"confirm_report": "yes"}
        if entity_values(tracker, "location"):
            return {}  # "no, it's at Bulevardi 5": the new place is applied, then read back again
        if said(tracker, "change_report", "deny"):
            return {"confirm_report": f"change:{changed_field(tracker)}"}
        return {}

    def validate_confirm_report(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Sends on "yes"; otherwise clears the part to change so the form asks for it again."""
        if value == "yes":
            return {"confirm_report": "yes"}
        field = str(value or "").removeprefix("change:")
        # With no part named, the read-back question turns into "what would you like to change?".
        return {"confirm_report": None, "change_requested": not field, **RESETS.get(field, {})}


RESETS: dict[str, dict[str, Any]] = {
    "location": {
        "location_text": None,
        "latitude": None,
        "longitude": None,
        "location_suggestion": None,
        "duplicate_candidate": None,
        "duplicate_step": None,
    },
    "service": {
        "service_code": None,
        "service_candidates": None,
        "attributes": None,
        "duplicate_candidate": None,
    },
    "description": {"description": None, "report_text": None},
    "photo": {"photo_urls": None, "photo_step": None},
    "contact": {"contact": {"wanted": True}, "contact_step": None},
}


def _join(first: str | None, more: str) -> str:
    if not first or first.strip().lower() == more.strip().lower():
        return more
    return f"{first.rstrip('. ')}. {more}"
