"""The evaluation's arithmetic, on hand-made predictions with known answers."""

from __future__ import annotations

import pytest

from bot.tools.nlu_metrics import Example, evaluate, normalise_place, top_level


def ex(intent: str, predicted: str, places=(), found=()) -> Example:
    return Example("text", intent, tuple(places), predicted, tuple(found))


def test_reports_count_as_one_intent_for_accuracy_but_services_are_scored_apart():
    report = evaluate([ex("report_pothole", "report_sidewalk"), ex("greet", "greet")])
    assert report.intent_accuracy == 1.0  # both are "report a problem"
    assert report.raw_intent_accuracy == 0.5
    assert report.services["pothole"].recall == 0.0


def test_service_precision_recall_and_macro_f1():
    examples = [
        ex("report_pothole", "report_pothole"),
        ex("report_pothole", "report_sidewalk"),
        ex("report_sidewalk", "report_sidewalk"),
        ex("greet", "report_pothole"),  # a false alarm counts against pothole's precision
    ]
    report = evaluate(examples)
    assert report.services["pothole"].precision == pytest.approx(0.5)
    assert report.services["pothole"].recall == pytest.approx(0.5)
    assert report.services["sidewalk"].precision == pytest.approx(0.5)
    assert report.services["sidewalk"].recall == pytest.approx(1.0)
    assert report.service_macro_f1 == pytest.approx((0.5 + 2 / 3) / 2)
    assert report.confused[0][:2] in {("report_pothole", "report_sidewalk"), ("greet", "report_pothole")}


@pytest.mark.parametrize(
    ("gold", "found", "f1"),
    [
        (["Mannerheimintie 5"], ["mannerheimintie 5"], 1.0),  # case does not matter
        (["Ateneum"], ["the Ateneum,"], 1.0),  # a leading "the" and punctuation do not matter
        (["Mannerheimintie 5"], ["Mannerheimintie"], 0.0),  # a missing house number is a miss
        (["Annankatu and Bulevardi"], [], 0.0),  # nothing found
    ],
)
def test_location_f1_is_exact_span_with_loose_normalisation(gold, found, f1):
    report = evaluate([ex("inform_location", "inform_location", gold, found)])
    assert report.location.f1 == pytest.approx(f1)


def test_overlap_f1_credits_a_partial_span():
    report = evaluate([ex("inform_location", "inform_location", ["Mannerheimintie 5"], ["Mannerheimintie"])])
    assert report.location.f1 == 0.0 and report.location_overlap_f1 == 1.0


def test_helpers():
    assert top_level("faq/bulky_waste") == "faq" and top_level("report_tree") == "report_problem"
    assert normalise_place("  The Oodi library. ") == "oodi library"
