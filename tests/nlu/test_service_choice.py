"""The confidence contract: a service is set only when the NLU is sure, else the likely ones are offered."""

import pytest

from bot.nlu.service_choice import ServiceChoice, choose_service, report_ranking


def test_the_ranking_keeps_report_intents_only_in_order():
    ranking = [
        {"name": "faq/opening_hours", "confidence": 0.5},
        {"name": "report_pothole", "confidence": 0.3},
        {"name": "report_sidewalk", "confidence": 0.1},
    ]
    assert report_ranking(ranking) == [("pothole", 0.3), ("sidewalk", 0.1)]


@pytest.mark.parametrize(
    ("ranking", "expected"),
    [
        # confident and clearly ahead: set
        ([("pothole", 0.8), ("sidewalk", 0.1)], ServiceChoice("pothole")),
        # confident but the runner-up is close: ask, best first
        ([("pothole", 0.6), ("sidewalk", 0.5)], ServiceChoice(None, ("pothole", "sidewalk"))),
        # not confident: the likely ones, at most three, none under the floor
        (
            [("tree", 0.3), ("weeds", 0.25), ("park", 0.2), ("litter", 0.1), ("sign", 0.01)],
            ServiceChoice(None, ("tree", "weeds", "park")),
        ),
        # every service under the floor: the best one is still offered
        ([("other", 0.04)], ServiceChoice(None, ("other",))),
        # no report intent at all
        ([], ServiceChoice(None)),
    ],
)
def test_choose_service(ranking, expected):
    assert choose_service(ranking, threshold=0.55) == expected
