"""The accuracy gates of the NLU, on the held-out set (the same numbers `make eval` prints)."""

from __future__ import annotations

import pytest

from bot.tools.evaluate_nlu import DEFAULT_DATA, GATES, run
from tests.fixtures.stack import MODEL


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test does it first)")
    result, _ = run(MODEL, DEFAULT_DATA, tmp_path_factory.mktemp("eval"))
    return result


def test_the_held_out_set_is_big_enough_and_covers_every_service(report):
    assert report.examples >= 300
    assert len(report.services) == 21 and min(s.support for s in report.services.values()) >= 10


def test_service_macro_f1(report):
    assert report.service_macro_f1 >= GATES["service_macro_f1"], report.confused


def test_intent_accuracy(report):
    assert report.intent_accuracy >= GATES["intent_accuracy"], report.confused


def test_location_f1(report):
    assert report.location.f1 >= GATES["location_f1"]
