"""The confidence contract: when the NLU's ranking settles a report's service, and which to offer otherwise.

One rule, used by the conversation (`action_validate_slot_mappings`) and by `make eval`, so the evaluation
measures what a resident meets: the service is set from the first message only when the best report intent
is confident and clearly ahead of the next; otherwise the likely services are offered as buttons.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

REPORT_INTENT_PREFIX = "report_"
# Two services closer than this in confidence are too close to call: ask instead of guessing.
MIN_MARGIN = 0.15
CANDIDATE_FLOOR = 0.05
MAX_CANDIDATES = 3


@dataclass(frozen=True)
class ServiceChoice:
    """`service` when settled, else up to three `candidates` to offer (most likely first)."""

    service: str | None
    candidates: tuple[str, ...] = ()


def report_ranking(ranking: Iterable[Mapping[str, Any]]) -> list[tuple[str, float]]:
    """The report services in an intent ranking, most likely first, as (service code, confidence)."""
    return [
        (str(r["name"])[len(REPORT_INTENT_PREFIX) :], float(r.get("confidence") or 0.0))
        for r in ranking
        if str(r.get("name") or "").startswith(REPORT_INTENT_PREFIX)
    ]


def choose_service(ranking: list[tuple[str, float]], threshold: float) -> ServiceChoice:
    """Settles the best service when confident and ahead by `MIN_MARGIN`, else lists the likely ones."""
    if not ranking:
        return ServiceChoice(None)
    best, confidence = ranking[0]
    runner_up = ranking[1][1] if len(ranking) > 1 else 0.0
    if confidence >= threshold and confidence - runner_up >= MIN_MARGIN:
        return ServiceChoice(best)
    candidates = tuple(code for code, c in ranking if c >= CANDIDATE_FLOOR)[:MAX_CANDIDATES]
    return ServiceChoice(None, candidates or (best,))
