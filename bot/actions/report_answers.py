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
    intent_reply,
    is_interruption,
    latest_text,
    looks_like_question,
    run_blocking,
    said,
    words_reply,
)
from bot.catalogue.answers import LIST_TYPES, attribute_state, infer_answers, match_answer, next_question
from bot.nlu.short_replies import read_short_reply
from bot.sentences import say
from bot.wording import is_thin
from citydata.catalogue import Attribute

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"\+?\d[\d \-()]{6,}\d")
MAX_DESCRIPTION = 4000


def requested(tracker: Tracker, slot: str, fits: bool = False) -> bool:
    """Whether the form just asked for `slot` and the latest message may answer it.

    Words that `fit` the question answer it whatever the classifier thought ("ya" is not a goodbye at the
    read-back, "it goes on and off" is not a question about buses); other words are an answer unless they
    are a question or command.
    """
    if said(tracker, "cancel"):
        return False  # a cancel always wins
    return tracker.get_slot("requested_slot") == slot and (fits or not is_interruption(tracker))


def spare_optional(tracker: Tracker) -> bool:
    """Whether the resident is spared the service's optional questions (see `next_question`)."""
    return bool(tracker.get_slot("photo_urls")) or not resources.settings().ask_optional_questions


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
        question = next_question(questions, inferred, spare_optional(tracker))
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
        question = next_question(questions, state, spare_optional(tracker))
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
            dispatcher.utter_message(text=say("report.need_option", options=names))
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
        words = words_reply(tracker)
        if not requested(tracker, "photo_step", fits=words is not None) or said(tracker, "share_photo"):
            return {}
        if words is None and looks_like_question(latest_text(tracker)):
            return {}  # a question mid-report is answered, then the photo is offered again
        reply = words or intent_reply(tracker)
        if reply is not None and reply.polarity == "yes" and not reply.rest:
            return {"photo_step": None}
        if reply is not None and not reply.rest:
            return {"photo_step": "skipped"}
        text = latest_text(tracker)
        if not text:
            return {"photo_step": "skipped"} if said(tracker, "deny") else {}
        return {"photo_step": "skipped", "description": join_words(tracker.get_slot("description"), text)}

    def extract_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The resident's words: their first message when it says enough, or their answer when asked."""
        if requested(tracker, "description") and not looks_like_question(latest_text(tracker)):
            text = latest_text(tracker)
            return {"description": join_words(tracker.get_slot("report_text"), text)} if text else {}
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
        """Yes: follow the open report nearby instead; no: file a new one.

        Anything else files a new one that names the open report, so the crew can merge them (never a
        silent join, never a loop).
        """
        words = words_reply(tracker)
        if not requested(tracker, "duplicate_step", fits=words is not None):
            return {}
        reply = words or intent_reply(tracker)
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
        dispatcher.utter_message(text=say("report.contact_not_understood"))
        return {}


def join_words(first: str | None, more: str) -> str:
    """The resident's earlier words and the new ones, once each."""
    if not first or first.strip().lower() == more.strip().lower():
        return more
    return f"{first.rstrip('. ')}. {more}"
