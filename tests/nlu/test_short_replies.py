"""Answers to yes/no questions in residents' own words."""

from __future__ import annotations

import pytest

from bot.nlu.short_replies import read_short_reply


@pytest.mark.parametrize(
    ("text", "polarity", "rest"),
    [
        ("ya thats rite", "yes", ""),  # misspelt, and the affirmation repeated
        ("Yesss!! send it", "yes", ""),  # stretched letters, shouting, a second yes phrase
        ("yup", "yes", ""),
        ("👍", "yes", ""),  # an emoji is an answer on a phone
        ("no problem", "yes", ""),  # the longest opening wins over the "no" it starts with
        ("yes same building site", "yes", "building site"),  # a detail after the answer is kept
        ("nah", "no", ""),
        ("nope not that", "no", ""),
        ("oh actually i cant, no", "no", ""),  # fillers before the answer
        ("no cant right now", "no", ""),  # more ways of saying no, and when: nothing about the problem
        ("no, its a loose manhole cover", "no", "its a loose manhole cover"),  # a correction follows
        ("not sure", "unsure", ""),  # starts like a "no"
        ("no idea", "unsure", ""),
        ("dunno", "unsure", ""),
        ("hmm honestly not sure", "unsure", ""),
        ("maybe 40cm across", "unsure", "40cm across"),  # the words after it are kept for the crew
        ("skip", "skip", ""),
    ],
)
def test_own_words_answers(text: str, polarity: str, rest: str) -> None:
    reply = read_short_reply(text)
    assert reply is not None and (reply.polarity, reply.rest) == (polarity, rest)


@pytest.mark.parametrize(
    "text",
    [
        "Fredrikinkatu 5",  # a place is not a yes or a no
        "the light flickers all night",  # a description
        "",
        "so",  # a filler alone
    ],
)
def test_words_that_do_not_answer_yes_or_no(text: str) -> None:
    assert read_short_reply(text) is None
