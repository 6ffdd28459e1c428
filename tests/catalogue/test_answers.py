"""Which Open311 attribute questions are asked, and how answers map to option keys."""

from __future__ import annotations

import pytest

from bot.catalogue.answers import (
    attribute_state,
    infer_answers,
    match_answer,
    next_question,
    unanswered_optional,
)
from citydata.catalogue import Attribute, AttributeValue

LANE = Attribute(
    "in_traffic_lane",
    "Is it in the traffic lane?",
    "singlevaluelist",
    False,
    1,
    (
        AttributeValue("yes", "Yes, where cars drive", ("traffic lane",)),
        AttributeValue("no", "No, at the edge"),
    ),
)
LIGHT = Attribute(
    "light_problem",
    "What is wrong with the light?",
    "singlevaluelist",
    True,
    1,
    (
        AttributeValue("out", "It is out", ("out", "dark")),
        AttributeValue("flickering", "It flickers", ("flickering",)),
    ),
)
POLE = Attribute("pole_number", "Number on the post?", "string", False, 2)


def test_required_questions_are_always_asked_optional_ones_only_when_not_spared():
    state = attribute_state(None, "streetlight")
    assert next_question([POLE, LIGHT], state, spare_optional=True) is LIGHT
    assert next_question([POLE, LIGHT], state, spare_optional=False) is POLE


def test_answered_and_skipped_questions_are_not_asked_again():
    state = {"service": "pothole", "answers": {"in_traffic_lane": "yes"}, "skipped": ["pole_number"]}
    assert next_question([LANE, POLE], state, spare_optional=False) is None


def test_the_read_back_invites_only_optional_list_questions_still_open():
    state = {"service": "streetlight", "answers": {}, "skipped": [], "notes": {}}
    assert unanswered_optional([LANE, LIGHT, POLE], state) == [LANE]  # not the required one, not free text
    state["notes"]["in_traffic_lane"] = "by the bus stop"
    assert unanswered_optional([LANE, LIGHT, POLE], state) == []  # words kept for it count as an answer


def test_a_new_service_starts_with_no_answers():
    old = {"service": "pothole", "answers": {"size": "large"}, "skipped": []}
    assert attribute_state(old, "graffiti")["answers"] == {}


def test_the_residents_words_answer_questions_before_they_are_asked():
    state = infer_answers(
        [LIGHT, LANE], "the light keeps flickering, it's in the traffic lane", attribute_state(None, "x")
    )
    assert state["answers"] == {"light_problem": "flickering", "in_traffic_lane": "yes"}


@pytest.mark.parametrize(
    ("question", "reply", "key"),
    [
        (LIGHT, "It flickers", "flickering"),  # a button's own words
        (LIGHT, "2", "flickering"),  # an SMS number
        (LIGHT, "completely dark", "out"),  # a hint
        (LIGHT, "it flicker", "flickering"),  # close to an option's name
        (LIGHT, "purple", None),  # fits nothing: asked again
        (POLE, "H-1234", "H-1234"),  # free text is kept as written
        (Attribute("n", "How many?", "number", True, 1), "about 3", "3"),
    ],
)
def test_replies_map_to_option_keys(question, reply, key):
    assert match_answer(question, reply) == key
