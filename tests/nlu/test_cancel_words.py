"""A resident calling a report off in their own words is a cancel, whatever the classifier heard."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.cancel_words import CancelWords, says_cancel


@pytest.mark.parametrize(
    "text",
    [
        "ugh forget it, i'll deal with it later",  # a mood and a reason after it
        "no. cancel",  # a "no" first
        "nah never mind",
        "I changed my mind",
        "dont send it",
        "Forget about it",
    ],
)
def test_words_that_call_a_report_off(text: str) -> None:
    assert says_cancel(text)


@pytest.mark.parametrize(
    "text",
    [
        "forget about the lamp, the sign is the problem",  # not a way of cancelling
        "the cancel button on the ticket machine at the station is broken and nobody fixes it",  # a report
        "no photo",
    ],
)
def test_words_that_do_not(text: str) -> None:
    assert not says_cancel(text)


def test_the_component_sets_the_intent_and_keeps_the_ranking() -> None:
    message = Message(data={"text": "ugh forget it", "intent": {"name": "report_other", "confidence": 0.6}})
    message.set("intent_ranking", [{"name": "report_other", "confidence": 0.6}])
    CancelWords().process([message])
    assert message.get("intent") == {"name": "cancel", "confidence": 1.0}
    assert [r["name"] for r in message.get("intent_ranking")] == ["cancel", "report_other"]
