"""The accuracy gates of the NLU on both held-out sets (the same numbers `make eval` prints)."""

from __future__ import annotations

import pytest

from bot.tools.evaluate_nlu import GATES, run
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
