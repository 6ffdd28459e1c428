"""The read-back of a report and what a resident says to it.

"Yes" sends (a detail said with it is added first). A bare "no" asks what to change; naming a part ("the
address is wrong") asks for that part again. A correction of the service switches it, keeping the place and
the words; a correction of an answer ("it's more like a shoe box") changes that answer. A new place is taken
by the slot extraction. Anything else is a detail for the crew, added to the description. Each of these
reads the report back again, so nothing is sent that the resident has not seen.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import resources
from bot.actions.common import (
    entity_values,
    latest_intent,
    latest_text,
    looks_like_question,
    said,
    words_reply,
)
from bot.actions.report_answers import MAX_DESCRIPTION, join_words, requested
from bot.actions.slot_extraction import latest_report_ranking
from bot.catalogue.answers import LIST_TYPES, attribute_state, infer_answers
from bot.nlu.service_choice import choose_service
from bot.sentences import say
from bot.wording import content_words
from citydata.catalogue import Attribute

FIELD_WORDS = {
    "location": ("address", "place", "location", "where", "street", "spot", "house number", "number"),
    "description": ("description", "details"),
    "photo": ("photo", "picture", "image", "pic"),
    "service": ("type", "service", "category", "kind of problem"),
    "contact": ("contact", "email", "e-mail", "phone"),
}
# Words that make a message a correction of what the report holds, not more about it.
CORRECTION = re.compile(
    r"\b(no|not|isn'?t|wasn'?t|wrong|actually|wait|sorry|oops|meant|mean|mistake|instead|rather|change)\b",
    re.IGNORECASE,
)
# A correction names another service when the classifier gave it at least this much.
OTHER_SERVICE_FLOOR = 0.15
SURE = 0.8
FEW_WORDS = 3
KEEP_CURRENT = 0.5
# Words of an option's name that say nothing on their own ("About a shoe box" is about a shoe box).
NAME_FILLER = frozenset({"about", "than", "yes", "the", "and", "has", "its", "it's", "one", "or", "is"})
RESETS: dict[str, dict[str, Any]] = {
    "location": {
        "location_text": None,
        "location_words": None,
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


def changed_field(tracker: Tracker) -> str:
    """Which part of the report the resident names ("" when none)."""
    fields = entity_values(tracker, "report_field")
    text = (fields[0] if fields else latest_text(tracker)).lower()
    for field, words in FIELD_WORDS.items():
        if field == text or any(re.search(rf"\b{w}\b", text) for w in words):
            return field
    return ""


def has_words(text: str) -> bool:
    """Whether the words say something beyond filler ("and", "please")."""
    return len(content_words(text)) >= 1


def service_switch(tracker: Tracker) -> dict[str, Any]:
    """Slots for a correction of the service ("oh wait, it's the traffic lights, not a street light").

    Only words that correct switch; the best other service replaces the current one when the ranking is
    confident, else the likely ones are offered as buttons (a tapped one is final).
    """
    current = tracker.get_slot("service_code")
    text = latest_text(tracker)
    if not text or not CORRECTION.search(text):
        return {}
    ranking = latest_report_ranking(tracker)
    others = [(code, p) for code, p in ranking if code != current and p >= OTHER_SERVICE_FLOOR]
    # The current service still first and sure of itself: the words are more about it, not a correction.
    if not ranking or (ranking[0][0] == current and ranking[0][1] >= KEEP_CURRENT):
        return {}
    if not others:
        return {}  # no other service in view: the words are a detail (or name the part to change)
    choice = choose_service(others, resources.settings().service_confidence)
    resets = {**RESETS["service"], "service_code": choice.service}
    if choice.service is None:
        resets["service_candidates"] = list(choice.candidates)
    return resets


def mentioned_option(question: Attribute, text: str) -> str | None:
    """The option a message names, by its hints or by every telling word of its name."""
    hinted = infer_answers([question], text, {"answers": {}, "skipped": []})["answers"].get(question.code)
    if hinted:
        return str(hinted)
    words = set(re.findall(r"[\w']+", text.lower()))
    for option in question.values:
        telling = {w for w in re.findall(r"[\w']+", option.name.lower()) if len(w) > 2} - NAME_FILLER
        if telling and telling <= words:
            return option.key
    return None


def answer_changes(tracker: Tracker) -> dict[str, Any] | None:
    """The service's answers with those the message corrects, or None when it corrects none."""
    code = tracker.get_slot("service_code")
    if not code:
        return None
    state = attribute_state(tracker.get_slot("attributes"), code)
    text = latest_text(tracker)
    changed = False
    for question in resources.catalogue().questions(code):
        key = mentioned_option(question, text) if question.datatype in LIST_TYPES else None
        if key and state["answers"].get(question.code) != key:
            state["answers"][question.code] = key
            state["skipped"] = [c for c in state["skipped"] if c != question.code]
            state["notes"].pop(question.code, None)
            changed = True
    return state if changed else None


def agrees(tracker: Tracker, text: str) -> bool:
    """Whether words the yes/no reader does not know still say yes.

    The classifier is sure, or hears a yes in a few words that correct nothing ("that's all correct").
    """
    name, confidence = latest_intent(tracker)
    if name != "affirm" or CORRECTION.search(text):
        return False
    return confidence >= SURE or len(content_words(text)) <= FEW_WORDS


class ReadbackSteps:
    """Extraction and validation of `confirm_report`."""

    def extract_confirm_report(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Reads the resident's answer to the read-back (see the module's description)."""
        words = words_reply(tracker)
        if not requested(tracker, "confirm_report", fits=words is not None):
            return {}
        text = latest_text(tracker)
        if not text:  # a button
            if said(tracker, "affirm"):
                return {"confirm_report": "yes"}
            return (
                {"confirm_report": f"change:{changed_field(tracker)}"}
                if said(tracker, "change_report", "deny")
                else {}
            )
        if entity_values(tracker, "location") and (words is None or words.polarity != "yes"):
            return {"confirm_report": None, "change_requested": None}
        if words is None and looks_like_question(text) and not entity_values(tracker, "location"):
            return {}  # a question at the read-back is answered, then the report waits for its answer
        if words is None and agrees(tracker, text):
            return {"confirm_report": "yes", "change_requested": None}  # "that's all correct"
        if words is not None and words.polarity == "yes":
            detail = {"description": self.with_detail(tracker, words.rest)} if has_words(words.rest) else {}
            return {"confirm_report": "yes", "change_requested": None, **detail}
        return self.correction_or_detail(
            dispatcher, tracker, text, words is not None and not has_words(words.rest)
        )

    def correction_or_detail(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, text: str, bare_no: bool
    ) -> dict[str, Any]:
        """A change of a part, of the service or of an answer, or else a detail."""
        field = changed_field(tracker)
        if tracker.get_slot("change_requested") == "asked" and (field or bare_no):
            # The answer to "what would you like to change?": that part, or nothing after all.
            return (
                {"confirm_report": f"change:{field}"}
                if field
                else {"confirm_report": None, "change_requested": None}
            )
        changes = answer_changes(tracker)
        if changes is not None and CORRECTION.search(text):
            dispatcher.utter_message(text=say("readback.changed"))
            return {"attributes": changes, "confirm_report": None, "change_requested": None}
        if changes is not None:
            # New answers in the resident's words ("it's huge, right in the lane"): the words go along too.
            dispatcher.utter_message(text=say("readback.detail_added"))
            return {
                "attributes": changes,
                "confirm_report": None,
                "change_requested": None,
                "description": self.with_detail(tracker, text),
            }
        switch = service_switch(tracker)
        if switch:
            return {**switch, "confirm_report": None, "change_requested": None}
        if field and (CORRECTION.search(text) or said(tracker, "change_report", "deny")):
            return {"confirm_report": f"change:{field}"}
        if bare_no:
            return {"confirm_report": "change:"}
        dispatcher.utter_message(text=say("readback.detail_added"))
        return {
            "confirm_report": None,
            "change_requested": None,
            "description": self.with_detail(tracker, text),
        }

    @staticmethod
    def with_detail(tracker: Tracker, detail: str) -> str:
        """The description with one more detail the resident gave."""
        current = tracker.get_slot("description") or tracker.get_slot("report_text") or ""
        return join_words(current, detail)[:MAX_DESCRIPTION]

    def validate_confirm_report(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Sends on "yes"; otherwise clears the part to change so the form asks for it again."""
        if value is None:
            return {"confirm_report": None}
        if value == "yes":
            return {"confirm_report": "yes"}
        field = str(value).removeprefix("change:")
        # With no part named, the read-back question turns into "what would you like to change?".
        return {
            "confirm_report": None,
            "change_requested": True if not field else None,
            **RESETS.get(field, {}),
        }
