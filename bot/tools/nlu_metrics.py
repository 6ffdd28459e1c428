"""Scores NLU predictions against labelled messages.

Intent accuracy, per-service precision/recall/F1, confused pairs and location-entity F1. Pure functions over
plain data, so the numbers are testable.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

REPORT = "report_"
NO_SERVICE = "(none)"
# Intents that answer a question rather than take a report: a report read as one of these is never filed.
QUESTION_INTENTS = frozenset({"faq", "check_status", "list_services"})


@dataclass(frozen=True)
class Example:
    """One labelled message and what the assistant made of it."""

    text: str
    intent: str
    locations: tuple[str, ...]
    predicted_intent: str
    predicted_locations: tuple[str, ...]
    confidence: float = 1.0
    settled: str | None = None  # the service the confidence contract sets from this message alone
    options: tuple[str, ...] = ()  # the services offered as buttons when it sets none
    parse_ms: float = 0.0
    source: str = ""


@dataclass
class ClassScore:
    """Precision, recall and F1 of one class."""

    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Report:
    """Every number `make eval` prints."""

    intent_accuracy: float
    raw_intent_accuracy: float
    services: dict[str, ClassScore]
    service_macro_f1: float
    confused: list[tuple[str, str, int]]
    location: ClassScore
    location_overlap_f1: float
    examples: int
    errors: list[Example] = field(default_factory=list)


def top_level(intent: str) -> str:
    """The intent as the gate counts it: every report is `report_problem`, every FAQ entry is `faq`."""
    if intent.startswith(REPORT):
        return "report_problem"
    return intent.split("/", 1)[0]


def service_of(intent: str) -> str:
    """The service a report intent names, or NO_SERVICE."""
    return intent[len(REPORT) :] if intent.startswith(REPORT) else NO_SERVICE


def normalise_place(text: str) -> str:
    """A place span compared loosely: case, surrounding punctuation and a leading "the" do not matter."""
    cleaned = re.sub(r"\s+", " ", text.strip().strip(".,!?;:\"'()").lower())
    return cleaned[4:] if cleaned.startswith("the ") else cleaned


def _score(tp: int, fp: int, fn: int) -> ClassScore:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ClassScore(precision, recall, f1, tp + fn)


def service_scores(examples: list[Example]) -> dict[str, ClassScore]:
    """Per-service scores over all messages (a non-report predicted as a report is a false positive)."""
    labels = sorted({service_of(e.intent) for e in examples} - {NO_SERVICE})
    scores = {}
    for label in labels:
        tp = sum(
            1 for e in examples if service_of(e.intent) == label and service_of(e.predicted_intent) == label
        )
        fp = sum(
            1 for e in examples if service_of(e.intent) != label and service_of(e.predicted_intent) == label
        )
        fn = sum(
            1 for e in examples if service_of(e.intent) == label and service_of(e.predicted_intent) != label
        )
        scores[label] = _score(tp, fp, fn)
    return scores


def location_scores(examples: list[Example]) -> tuple[ClassScore, float]:
    """Exact-span F1 of `location` entities, and a looser F1 where overlapping spans count as found."""
    tp = fp = fn = overlap_tp = 0
    for e in examples:
        gold = Counter(normalise_place(p) for p in e.locations)
        predicted = Counter(normalise_place(p) for p in e.predicted_locations)
        hits = sum((gold & predicted).values())
        tp += hits
        fp += sum(predicted.values()) - hits
        fn += sum(gold.values()) - hits
        overlap_tp += sum(
            1 for g in gold.elements() if any(g in p or p in g for p in predicted.elements() if p)
        )
    exact = _score(tp, fp, fn)
    overlap = _score(overlap_tp, max(fp - (overlap_tp - tp), 0), max(fn - (overlap_tp - tp), 0))
    return exact, overlap.f1


def evaluate(examples: list[Example]) -> Report:
    """All the numbers for a set of labelled, predicted messages."""
    n = len(examples)
    accuracy = sum(top_level(e.intent) == top_level(e.predicted_intent) for e in examples) / n
    raw = sum(e.intent.split("/")[0] == e.predicted_intent.split("/")[0] for e in examples) / n
    services = service_scores(examples)
    macro = sum(s.f1 for s in services.values()) / len(services) if services else 0.0
    pairs = Counter(
        (e.intent, e.predicted_intent)
        for e in examples
        if e.intent.split("/")[0] != e.predicted_intent.split("/")[0]
    )
    location, overlap = location_scores(examples)
    errors = [
        e
        for e in examples
        if top_level(e.intent) != top_level(e.predicted_intent)
        or service_of(e.intent) != service_of(e.predicted_intent)
    ]
    return Report(
        intent_accuracy=accuracy,
        raw_intent_accuracy=raw,
        services=services,
        service_macro_f1=macro,
        confused=[(a, b, c) for (a, b), c in pairs.most_common(10)],
        location=location,
        location_overlap_f1=overlap,
        examples=n,
        errors=errors,
    )


@dataclass
class FirstMessage:
    """What a resident meets when a report is the first message: the service set, a choice, or no report."""

    reports: int
    settled_right: float
    settled_wrong: float
    asked_to_pick: float
    right_in_options: float
    taken_as_question: float
    not_taken_as_report: float


def first_message(examples: list[Example]) -> FirstMessage:
    """Rates over the report examples, as each would go as a conversation's first message."""
    reports = [e for e in examples if e.intent.startswith(REPORT)]
    n = len(reports) or 1
    settled = [e for e in reports if e.settled]
    not_report = [e for e in reports if not e.predicted_intent.startswith(REPORT)]
    return FirstMessage(
        reports=len(reports),
        settled_right=sum(e.settled == service_of(e.intent) for e in settled) / n,
        settled_wrong=sum(e.settled != service_of(e.intent) for e in settled) / n,
        asked_to_pick=sum(not e.settled and e.predicted_intent.startswith(REPORT) for e in reports) / n,
        right_in_options=sum(not e.settled and service_of(e.intent) in e.options for e in reports) / n,
        taken_as_question=sum(top_level(e.predicted_intent) in QUESTION_INTENTS for e in not_report) / n,
        not_taken_as_report=len(not_report) / n,
    )
