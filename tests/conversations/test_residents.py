"""Scripted residents, written without reading the training data, played against the real stack.

Two sets by two writers: `residents/` (whose failures developers read while fixing) and
`residents_holdout/` (only its numbers are read). Prints completion, median resident messages, re-asks and
fallbacks per set, writes each set's failed transcripts to results/, and keeps completion above its floor.
"""

from __future__ import annotations

import os
import statistics
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conversations.player import BackOffice, CityFacts, Result, play
from tests.conversations.scripts import HOLDOUT_DIR, SCRIPTS_DIR, Script, load_scripts
from tests.fixtures.stack import Stack

pytestmark = pytest.mark.e2e

# Floors: completion may not slide back below what was measured (2026-11-30: 0.90 and 0.71, a few
# conversations' margin for timing). The goal (issue 11) is printed beside each set's number.
COMPLETION_FLOORS = {"residents": 0.86, "residents_holdout": 0.66}
COMPLETION_GOAL = 0.97
RESULTS = Path(__file__).resolve().parents[2] / "results"
SETS = {"residents": SCRIPTS_DIR, "residents_holdout": HOLDOUT_DIR}


def summary(name: str, results: list[Result]) -> str:
    """The numbers of one set, as Markdown lines."""
    done = [r for r in results if r.ok]
    filed = [r.resident_messages for r in done if r.script.outcome in ("filed", "followed")]
    rate = len(done) / len(results)
    lines = [
        f"# {name}: {len(results)} conversations, {len(done)} reached their goal ({rate:.3f}; "
        f"floor {COMPLETION_FLOORS[name]}, goal {COMPLETION_GOAL})",
        f"median resident messages per report: {statistics.median(filed) if filed else '-'}",
        f"re-asks: {sum(r.re_asks for r in results)}, fallbacks: {sum(r.fallbacks for r in results)}",
    ]
    quick = [r.resident_messages for r in done if r.named_both_first and r.script.outcome == "filed"]
    if quick:
        within = sum(m <= 3 for m in quick)
        lines.append(
            f"reports whose first message named problem and place: {len(quick)}, "
            f"median {statistics.median(quick)} messages, {within} in <= 3"
        )
    for outcome in ("filed", "followed", "cancelled", "answered"):
        group = [r for r in results if r.script.outcome == outcome]
        if group:
            lines.append(f"  {outcome}: {sum(r.ok for r in group)}/{len(group)}")
    return "\n".join(lines)


def transcripts(results: list[Result]) -> str:
    """Every failed conversation, turn by turn."""
    lines: list[str] = []
    for result in (r for r in results if not r.ok):
        lines += ["", f"## {result.script.id} ({result.script.source}): {result.reason}", ""]
        lines += [f"    {line}" for line in result.transcript]
    return "\n".join(lines)


def play_all(stack: Stack, scripts: list[Script]) -> list[Result]:
    office, city = BackOffice(stack.backoffice.url, stack.backoffice.api_key), CityFacts()
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda s: play(s, stack, office, city), scripts))


def test_scripted_residents_reach_their_goal(residents_stack: Stack) -> None:
    stack = residents_stack
    only = os.environ.get("RESIDENTS")  # e.g. RESIDENTS=id1,id2 to replay some while debugging
    rates, report = {}, []
    for name, folder in SETS.items():
        scripts = load_scripts(folder)
        assert len(scripts) >= 45
        scripts = [s for s in scripts if not only or s.id in only.split(",")]
        if not scripts:
            continue
        results = play_all(stack, scripts)
        report.append(summary(name, results))
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"{name}.md").write_text(report[-1] + "\n" + transcripts(results) + "\n", encoding="utf-8")
        rates[name] = sum(r.ok for r in results) / len(results)
    print("\n" + "\n\n".join(report))
    assert all(rate >= COMPLETION_FLOORS[name] for name, rate in rates.items()), "\n\n".join(report)
