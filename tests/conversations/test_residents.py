"""Scripted residents, written without reading the training data, played against the real stack.

Prints completion, median resident messages, re-asks and fallbacks, and every failed conversation's
transcript (also written to results/residents.md); gates completion (issue 11).
"""

from __future__ import annotations

import os
import statistics
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conversations.player import BackOffice, CityFacts, Result, play
from tests.conversations.scripts import load_scripts
from tests.fixtures.stack import Stack

pytestmark = pytest.mark.e2e

COMPLETION_GATE = 0.95
RESULTS = Path(__file__).resolve().parents[2] / "results" / "residents.md"


def summary(results: list[Result]) -> str:
    """The numbers and the failed transcripts, as Markdown."""
    done = [r for r in results if r.ok]
    filed = [r.resident_messages for r in done if r.script.outcome in ("filed", "followed")]
    lines = [
        f"conversations: {len(results)}, reached their goal: {len(done)} ({len(done) / len(results):.3f})",
        f"median resident messages per report: {statistics.median(filed) if filed else '-'}",
        f"re-asks: {sum(r.re_asks for r in results)}, fallbacks: {sum(r.fallbacks for r in results)}",
    ]
    for outcome in ("filed", "followed", "cancelled", "answered"):
        group = [r for r in results if r.script.outcome == outcome]
        if group:
            lines.append(f"  {outcome}: {sum(r.ok for r in group)}/{len(group)}")
    for result in (r for r in results if not r.ok):
        lines += ["", f"## {result.script.id} ({result.script.source}): {result.reason}", ""]
        lines += [f"    {line}" for line in result.transcript]
    return "\n".join(lines)


def test_scripted_residents_reach_their_goal(stack: Stack) -> None:
    scripts = load_scripts()
    assert len(scripts) >= 60
    only = os.environ.get("RESIDENTS")  # e.g. RESIDENTS=id1,id2 to replay some while debugging
    scripts = [s for s in scripts if not only or s.id in only.split(",")]
    office, city = BackOffice(stack.backoffice.url, stack.backoffice.api_key), CityFacts()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda s: play(s, stack, office, city), scripts))
    report = summary(results)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(report + "\n", encoding="utf-8")
    print("\n" + report)
    rate = sum(r.ok for r in results) / len(results)
    assert rate >= COMPLETION_GATE, report
