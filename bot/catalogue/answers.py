"""Answers to a service's Open311 attribute questions.

Which to ask next, which the resident's words already answer, and how a typed or tapped reply maps to an
option key. Pure functions over plain data.
"""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz import fuzz, process

from bot.nlu.short_replies import read_short_reply
from citydata.catalogue import Attribute, AttributeValue

LIST_TYPES = ("singlevaluelist", "multivaluelist")
FUZZY_CUTOFF = 80


def attribute_state(raw: Any, service_code: str) -> dict[str, Any]:
    """The answers so far for this service (a fresh state when the service changed)."""
    if isinstance(raw, dict) and raw.get("service") == service_code:
        return {
            "service": service_code,
            "answers": dict(raw.get("answers") or {}),
            "skipped": list(raw.get("skipped") or []),
            "notes": dict(raw.get("notes") or {}),
        }
    return {"service": service_code, "answers": {}, "skipped": [], "notes": {}}


def next_question(
    questions: list[Attribute], state: dict[str, Any], spare_optional: bool
) -> Attribute | None:
    """The next question to ask: every required one; optional ones unless the resident is spared them.

    Residents are spared optional questions by default (fewer turns: the read-back invites those answers in
    the resident's own words) and whenever they sent a photo, which shows a crew most of what they ask.
    """
    for question in questions:
        if question.code in state["answers"] or question.code in state["skipped"]:
            continue
        if question.required or not spare_optional:
            return question
    return None


def unanswered_optional(questions: list[Attribute], state: dict[str, Any]) -> list[Attribute]:
    """Optional questions with options that nothing the resident said has answered yet."""
    done = set(state["answers"]) | set(state["skipped"]) | set(state.get("notes") or {})
    return [q for q in questions if not q.required and q.datatype in LIST_TYPES and q.code not in done]


def _mentions(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase.lower())}(?!\w)", text) is not None


def infer_answers(questions: list[Attribute], words: str, state: dict[str, Any]) -> dict[str, Any]:
    """Fills unanswered list questions whose answer the resident's words already give (by hints)."""
    text = words.lower()
    answers = dict(state["answers"])
    for question in questions:
        if question.code in answers or question.datatype not in LIST_TYPES:
            continue
        hits = [
            (len(hint), option.key)
            for option in question.values
            for hint in option.hints
            if _mentions(text, hint)
        ]
        if hits:
            answers[question.code] = max(hits)[1]  # the longest matching hint is the most specific
    return {**state, "answers": answers}


def _option_by_number(options: tuple[AttributeValue, ...], reply: str) -> AttributeValue | None:
    if reply.isdigit() and 1 <= int(reply) <= len(options):
        return options[int(reply) - 1]
    return None


def match_answer(question: Attribute, reply: str) -> str | None:
    """The value to send for a reply, or None when the reply fits none of the options."""
    reply = reply.strip()
    if not reply:
        return None
    if question.datatype == "number":
        found = re.search(r"-?\d+(?:[.,]\d+)?", reply)
        return found.group(0).replace(",", ".") if found else None
    if question.datatype not in LIST_TYPES:
        return reply[:500]
    options = question.values
    lowered = reply.lower().rstrip(".! ")
    option = _option_by_number(options, lowered)
    option = option or next((o for o in options if lowered in (o.key.lower(), o.name.lower())), None)
    if option is None:
        hinted = infer_answers([question], lowered, {"answers": {}, "skipped": []})["answers"]
        key = hinted.get(question.code)
        option = next((o for o in options if o.key == key), None) if key else None
    if option is None and {o.key for o in options} >= {"yes", "no"}:
        reply_words = read_short_reply(lowered)
        if reply_words is not None and reply_words.polarity in ("yes", "no"):
            option = next(o for o in options if o.key == reply_words.polarity)
    if option is None and options:
        best = process.extractOne(lowered, [o.name.lower() for o in options], scorer=fuzz.WRatio)
        if best and best[1] >= FUZZY_CUTOFF:
            option = options[best[2]]
    return option.key if option else None
