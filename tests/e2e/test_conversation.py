"""Whole conversations against the real stack: back office, action server, Rasa with the trained model and
the worker, all on loopback, spoken to over the REST channel the way an operator's curl would."""

from __future__ import annotations

import re
import uuid

import pytest
import requests

from tests.fixtures.stack import Stack, text_of

pytestmark = pytest.mark.e2e


def resident() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}"


def buttons(replies: list[dict]) -> list[str]:
    return [b["payload"] for r in replies for b in r.get("buttons") or []]


def number_in(text: str) -> str:
    found = re.search(r"number is (\d+)", text)
    assert found, text
    return found.group(1)


def test_a_report_typed_step_by_step_is_filed_and_its_status_answered(stack: Stack):
    who = resident()
    replies = stack.say(who, "there's a pothole")
    assert stack.slot(who, "service_code") == "pothole"
    assert "Where is it?" in text_of(replies)
    replies = stack.say(who, "Mannerheimintie 5")
    assert stack.slot(who, "latitude") is not None
    assert "traffic lane" in text_of(replies)  # the service's own question from the back office
    replies = stack.say(who, "Yes, where cars drive")
    assert "How big" in text_of(replies)
    replies = stack.say(who, "/deny")  # skip the optional question
    assert "photo" in text_of(replies).lower() and "few words" in text_of(replies)  # words are welcome too
    replies = stack.say(who, "it is deep and cyclists swerve around it into traffic")
    readback = text_of(replies)
    assert "Pothole or damaged road" in readback and "Mannerheimintie 5" in readback
    replies = stack.say(who, "oh and there's broken glass all round it")  # a detail after the read-back
    assert "added that" in text_of(replies) and "Shall I send it" in text_of(replies)
    replies = stack.say(who, "/affirm")
    number = number_in(text_of(replies))

    filed = requests.get(f"{stack.backoffice.url}requests/{number}.json", timeout=10).json()[0]
    assert filed["service_code"] == "pothole"
    assert filed["address"] == "Mannerheimintie 5" and abs(filed["lat"] - 60.169) < 0.01
    assert "cyclists swerve" in filed["description"] and "broken glass" in filed["description"]
    # The district containing the point decided which crew gets it.
    assert filed["district"] == "Kluuvi" and filed["agency_responsible"].endswith("Kluuvi crew")

    answer = text_of(stack.say(who, f"what's the status of {number}?"))
    assert f"Report {number}" in answer and "received" in answer


def test_the_read_back_can_be_corrected_before_sending(stack: Stack):
    who = resident()
    replies = stack.say(who, "graffiti tags all over the wall of the bus shelter at Annankatu 12")
    # "bus shelter" already says whose property it is; the optional question and the photo offer follow.
    assert "offensive" in text_of(replies)
    replies = stack.say(who, "nope")
    assert "photo" in text_of(replies)
    replies = stack.say(who, "/deny")
    assert "Shall I send it" in text_of(replies)
    replies = stack.say(who, '/change_report{"report_field":"location"}')
    assert "Where is it?" in text_of(replies)
    replies = stack.say(who, "Bulevardi 10")
    assert "Bulevardi 10" in text_of(replies) and "Shall I send it" in text_of(replies)
    number = number_in(text_of(stack.say(who, "/affirm")))
    filed = requests.get(f"{stack.backoffice.url}requests/{number}.json", timeout=10).json()[0]
    assert filed["address"] == "Bulevardi 10" and filed["service_code"] == "graffiti"


def test_cancel_mid_report_sends_nothing(stack: Stack):
    who = resident()
    before = len(requests.get(f"{stack.backoffice.url}requests.json", timeout=10).json())
    stack.say(who, "a street light is out")
    replies = stack.say(who, "cancel")
    assert "Nothing was sent" in text_of(replies)
    assert stack.slot(who, "service_code") is None
    assert len(requests.get(f"{stack.backoffice.url}requests.json", timeout=10).json()) == before


def test_an_unknown_report_number_gets_a_helpful_answer(stack: Stack):
    answer = text_of(stack.say(resident(), "status of 99999?"))
    assert "couldn't find a report with number 99999" in answer


def test_small_talk_and_the_menu(stack: Stack):
    who = resident()
    assert "/list_services" in buttons(stack.say(who, "hello"))
    assert "Pothole or damaged road" in text_of(stack.say(who, "what can I report?"))
    assert "112" in text_of(stack.say(who, "what can you do"))
    assert text_of(stack.say(who, "thanks"))


def test_a_city_question_is_answered_from_the_knowledge_base(stack: Stack):
    answer = text_of(stack.say(resident(), "how do I get rid of an old sofa"))
    assert answer and "Sorry" not in answer
