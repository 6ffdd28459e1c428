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
from bot.actions.common import (
    channel_of,
    entity_values,
    is_interruption,
    latest_text,
    run_blocking,
    said,
    words_reply,
    yes_or_no,
)
from bot.actions.slot_extraction import latest_report_ranking, top_intent_is_report
from bot.catalogue.answers import LIST_TYPES, attribute_state, infer_answers, match_answer, next_question
from bot.nlu.service_choice import choose_service
from bot.nlu.short_replies import read_short_reply
from bot.wording import content_words, is_thin
from citydata.catalogue import Attribute

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
# Words that make a message a correction of what the report holds, not more about it.
CORRECTION = re.compile(
    r"\b(no|not|isn'?t|wasn'?t|wrong|actually|wait|sorry|oops|meant|mean|mistake|instead|rather)\b", re.I
)


def requested(tracker: Tracker, slot: str, fits: bool = False) -> bool:
    """Whether the form just asked for `slot` and the latest message may answer it.

    Words that `fit` the question answer it whatever the classifier thought ("ya" is not a goodbye at the
    read-back, "it goes on and off" is not a question about buses); other words are an answer unless they
    are a question or command.
    """
    return tracker.get_slot("requested_slot") == slot and (fits or not is_interruption(tracker))


def answer_fits(question: Attribute | None, text: str) -> bool:
    """Whether typed words answer the service's question (an option, or yes/no/skip to an optional one)."""
    if question is None or not text:
        return False
    if match_answer(question, text) is not None and question.datatype in LIST_TYPES:
        return True
    return read_short_reply(text) is not None and (
        not question.required or question.datatype not in LIST_TYPES
    )


def plain_value(question: Attribute, value: str) -> str:
    """A free-text answer without the yes/no around it ("yes, 118" → "118"; "no there isn't" → skip)."""
    reply = read_short_reply(value) if question.datatype not in LIST_TYPES and value != "skip" else None
    if reply is None:
        return value
    return (
        reply.rest if reply.polarity == "yes" and reply.rest else "skip" if reply.polarity != "yes" else value
    )


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
        question = next_question(questions, inferred, bool(tracker.get_slot("photo_urls")))
        if requested(tracker, "attribute_answer", fits=answer_fits(question, latest_text(tracker))):
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
        value = plain_value(question, str(value))
        answer = match_answer(question, value) if value != "skip" else None
        if answer is None and not question.required:
            reply = read_short_reply(str(value))
            if value != "skip" and not said(tracker, "deny") and (reply is None or reply.rest):
                # Words that fit no option ("maybe 40cm across") are kept for the crew, not refused.
                state["notes"][question.code] = str(value)[:500]
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
        """A photo at any time completes this step; "no" skips it; other words go to the description.

        A "yes" without a photo keeps the step open (the question then says how to attach one), so the
        report stays in progress rather than falling out of the form.
        """
        if tracker.get_slot("photo_urls"):
            return {"photo_step": "added"} if tracker.get_slot("photo_step") != "added" else {}
        if not requested(tracker, "photo_step", fits=words_reply(tracker) is not None) or said(
            tracker, "share_photo"
        ):
            return {}
        reply = yes_or_no(tracker)
        if reply is not None and reply.polarity == "yes" and not reply.rest:
            return {"photo_step": None}
        if reply is not None and not reply.rest:
            return {"photo_step": "skipped"}
        text = latest_text(tracker)
        if not text:
            return {"photo_step": "skipped"} if said(tracker, "deny") else {}
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
        """Yes: follow the open report nearby instead; no: file a new one; anything else: file a new one that
        names the open report, so the crew can merge them (never a silent join, never a loop).
        """
        if not requested(tracker, "duplicate_step", fits=words_reply(tracker) is not None):
            return {}
        reply = yes_or_no(tracker)
        polarity = reply.polarity if reply else "unsure"
        return {"duplicate_step": {"yes": "follow", "no": "new"}.get(polarity, "unsure")}

    def extract_contact_step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """An e-mail address or phone number the resident agrees to give, or "no"."""
        text = latest_text(tracker)
        fits = bool(EMAIL.search(text) or PHONE.search(text)) or words_reply(tracker) is not None
        if not requested(tracker, "contact_step", fits=fits):
            return {}
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
        """Reads the resident's answer to the read-back: send, change something, or add a detail.

        Yes sends (a detail said with it is added first); no asks what to change or changes the part it
        names; a report of another service switches the service; anything else is a detail for the crew and
        the report is read back again. A new place ("no, it's at Bulevardi 5") is taken by the slot
        extraction and read back again.
        """
        if not requested(tracker, "confirm_report", fits=words_reply(tracker) is not None):
            return {}
        text = latest_text(tracker)
        if not text and said(tracker, "change_report"):
            return {"confirm_report": f"change:{changed_field(tracker)}"}
        reply = yes_or_no(tracker)
        if entity_values(tracker, "location") and (reply is None or reply.polarity != "yes"):
            return {"confirm_report": None}
        if reply is not None and reply.polarity == "yes":
            detail = {"description": self.with_detail(tracker, reply.rest)} if has_words(reply.rest) else {}
            return {"confirm_report": "yes", **detail}
        switch = service_switch(tracker)
        if switch:
            return {**switch, "confirm_report": None}
        if reply is not None or said(tracker, "change_report"):
            return {"confirm_report": f"change:{changed_field(tracker)}"}
        dispatcher.utter_message(text="Thanks, I've added that to the report.")
        return {"confirm_report": None, "description": self.with_detail(tracker, text)}

    @staticmethod
    def with_detail(tracker: Tracker, detail: str) -> str:
        """The description with one more detail the resident gave."""
        current = tracker.get_slot("description") or tracker.get_slot("report_text") or ""
        return _join(current, detail)[:MAX_DESCRIPTION]

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


def has_words(text: str) -> bool:
    """Whether the words say something beyond filler ("and", "please", "thanks")."""
    return len(content_words(text)) >= 1


def service_switch(tracker: Tracker) -> dict[str, Any]:
    """Slots for a correction of the service said mid-report ("oh wait, it's the traffic lights, not a
    street light").

    Only words that correct ("not", "wrong", "actually", …) switch; then the best other service replaces the
    current one when the ranking is confident, else the likely ones are offered as buttons (a tapped one is
    final). The place, the words and the photos stay; the new service's own questions are asked.
    """
    current = tracker.get_slot("service_code")
    text = latest_text(tracker)
    if not text or not CORRECTION.search(text) or not top_intent_is_report(tracker):
        return {}
    ranking = latest_report_ranking(tracker)
    others = [(code, p) for code, p in ranking if code != current]
    if not others or ranking[0][0] == current:
        return {}
    choice = choose_service(others, resources.settings().service_confidence)
    resets = {**RESETS["service"], "service_code": choice.service}
    if choice.service is None:
        resets["service_candidates"] = list(choice.candidates)
    return resets


def _join(first: str | None, more: str) -> str:
    if not first or first.strip().lower() == more.strip().lower():
        return more
    return f"{first.rstrip('. ')}. {more}"
