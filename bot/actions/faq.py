"""Answers from the city's FAQ to questions the classifier was not sure were questions."""

from __future__ import annotations

from rasa_sdk import Tracker

from bot.actions.common import latest_text, looks_like_question, words_reply

# A question the classifier thought was probably something else still gets an FAQ answer when the FAQ intent
# was among its guesses and the answer selector is sure which entry it is ("when's bin day for Annankatu 5?").
FAQ_INTENT_FLOOR = 0.05
FAQ_ANSWER_CONFIDENCE = 0.5
# When the classifier fell back (it could not tell what the message was at all), a question needs the
# answer selector to be surer before its answer is given.
UNSURE_ANSWER_CONFIDENCE = 0.65


def faq_answer(tracker: Tracker) -> str | None:
    """The FAQ response (`utter_faq/<key>`) a question-like message most likely asks for, if any."""
    if not looks_like_question(latest_text(tracker)):
        return None
    ranking = tracker.latest_message.get("intent_ranking") or []
    considered = any(
        r.get("name") == "faq" and float(r.get("confidence") or 0) >= FAQ_INTENT_FLOOR for r in ranking
    )
    fell_back = (tracker.latest_message.get("intent") or {}).get("name") == "nlu_fallback"
    if not considered and not fell_back:
        return None
    response = ((tracker.latest_message.get("response_selector") or {}).get("faq") or {}).get(
        "response"
    ) or {}
    needed = FAQ_ANSWER_CONFIDENCE if considered else UNSURE_ANSWER_CONFIDENCE
    if float(response.get("confidence") or 0) < needed:
        return None
    action = response.get("utter_action")
    return str(action) if action else None


def question_mid_report(tracker: Tracker) -> str | None:
    """The FAQ response for a question asked in the middle of a report, when it is not an answer."""
    if words_reply(tracker) is not None:
        return None
    return faq_answer(tracker)
