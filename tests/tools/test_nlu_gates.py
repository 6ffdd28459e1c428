"""The accuracy gates of the NLU on both held-out sets (the same numbers `make eval` prints)."""

from __future__ import annotations

import pytest

from bot.tools.evaluate_nlu import GATES, REAL_GATES, real_values, run
from tests.fixtures.stack import MODEL


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test does it first)")
    return run(MODEL, tmp_path_factory.mktemp("eval"))


@pytest.fixture(scope="module")
def report(results):
    return results[0].report


@pytest.fixture(scope="module")
def real(results):
    assert results[1] is not None
    return results[1]


def test_the_held_out_set_is_big_enough_and_covers_every_service(report):
    assert report.examples >= 300
    assert len(report.services) == 21 and min(s.support for s in report.services.values()) >= 10


def test_service_macro_f1(report):
    assert report.service_macro_f1 >= GATES["service_macro_f1"], report.confused


def test_intent_accuracy(report):
    assert report.intent_accuracy >= GATES["intent_accuracy"], report.confused


def test_location_f1(report):
    assert report.location.f1 >= GATES["location_f1"]


def test_the_real_held_out_set_is_big_enough_and_covers_every_service(real):
    assert real.report.examples >= 400
    assert len(real.report.services) == 21 and len(real.by_source) >= 3


def test_a_real_report_is_not_answered_as_a_question(real):
    assert real.first.taken_as_question <= REAL_GATES["taken_as_question_max"], real.first


def test_real_service_scores_do_not_slide_back(real):
    values = real_values(real)
    assert values["service_macro_f1"] >= REAL_GATES["service_macro_f1"], real.report.confused
    assert values["service_accuracy"] >= REAL_GATES["service_accuracy"], real.report.confused


def test_emoji_and_links_do_not_change_the_answer(real):
    assert real.variants["emoji"] == 0 and real.variants["link"] == 0, real.variants
