"""`make eval`: the trained model scored on both held-out sets, side by side.

- "ours": `tests/data/nlu_heldout.yml`, every intent, written independently of the training data;
- "real": residents' own reports from cities whose texts are never trained on (`resident_texts/`, held-out
  sources of `split.yml`), each scored as the first message of a conversation.

Prints accuracy, per-service P/R/F1 and macro-F1, what a resident meets on the first message (service set,
options offered, taken for a question), per source, the most confused pairs, location F1 and parse latency;
writes `results/nlu_eval.json` and a confusion-matrix PNG per set. Exits 1 when a gate is missed.

Run: `python -m bot.tools.evaluate_nlu [--model models/assistant.tar.gz]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.nlu.service_choice import choose_service, report_ranking
from bot.settings import PROJECT_ROOT, get_settings
from bot.text import as_plain_text
from bot.tools import eval_printing
from bot.tools.nlu_metrics import Example, FirstMessage, Report, evaluate, first_message
from bot.tools.resident_texts import load as load_resident_texts

GATES = {"service_macro_f1": 0.90, "intent_accuracy": 0.95, "location_f1": 0.85}
# On residents' own words: a report is never answered as a question (the issue-10 gate), and the service
# scores may not slide back below floors set a little under what the model reaches today. The goal for them
# is REAL_GOALS; it is printed beside the numbers, not yet enforced, because the model does not reach it.
REAL_GATES = {"service_macro_f1": 0.70, "service_accuracy": 0.68, "taken_as_question_max": 0.03}
REAL_GOALS = {"service_macro_f1": 0.88, "service_accuracy": 0.88, "right_first_message": 0.90}
DEFAULT_MODEL = PROJECT_ROOT / "models" / "assistant.tar.gz"
DEFAULT_DATA = PROJECT_ROOT / "tests" / "data" / "nlu_heldout.yml"
RESULTS = PROJECT_ROOT / "results"

Row = tuple[str, str, tuple[str, ...], str]  # text, intent, location spans, source


@dataclass
class SetResult:
    """One held-out set's numbers."""

    name: str
    report: Report
    first: FirstMessage
    timing: dict[str, float]
    by_source: dict[str, tuple[Report, FirstMessage]]
    examples: list[Example]
    variants: dict[str, int] = field(default_factory=dict)
    long: dict[str, float] = field(default_factory=dict)


def load_examples(path: Path) -> list[Row]:
    """(text, intent, location spans, source) of every labelled message in a Rasa NLU file."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    rows = []
    for message in data.intent_examples:
        text = message.get("text")
        places = tuple(
            text[e["start"] : e["end"]]
            for e in message.get("entities") or []
            if e.get("entity") == "location"
        )
        rows.append((text, message.get("intent"), places, path.stem))
    return rows


def real_examples() -> list[Row]:
    """The held-out residents' texts as (text, report intent, no spans, source)."""
    return [(r.text, f"report_{r.service_code}", (), r.source) for r in load_resident_texts("heldout")]


def predicted_intent(parse: dict[str, Any]) -> str:
    """The classifier's choice; under a low-confidence fallback, the best real intent behind it."""
    name = (parse.get("intent") or {}).get("name") or ""
    if name != "nlu_fallback":
        return str(name)
    ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
    return str(ranking[0]["name"]) if ranking else name


async def predict(agent: Any, rows: list[Row], threshold: float) -> tuple[list[Example], dict[str, float]]:
    """Parses every message with a loaded agent; returns the examples and timing numbers."""
    examples, latencies, fallbacks = [], [], 0
    for text, intent, places, source in rows:
        t0 = time.perf_counter()
        # Every channel turns typed "/restart" into words before Rasa sees it; score what Rasa really gets.
        parse = await agent.parse_message(as_plain_text(text))
        latencies.append((time.perf_counter() - t0) * 1000)
        fallbacks += (parse.get("intent") or {}).get("name") == "nlu_fallback"
        found = tuple(e["value"] for e in parse.get("entities") or [] if e.get("entity") == "location")
        confidence = float((parse.get("intent") or {}).get("confidence") or 0.0)
        predicted = predicted_intent(parse)
        choice = choose_service(report_ranking(parse.get("intent_ranking") or []), threshold)
        settled = choice.service if predicted.startswith("report_") else None
        options = choice.candidates if predicted.startswith("report_") else ()
        examples.append(
            Example(
                text,
                intent,
                places,
                predicted,
                found,
                confidence,
                settled=settled,
                options=options,
                source=source,
                parse_ms=latencies[-1],
            )
        )
    latencies.sort()
    timing = {
        "parse_p50_ms": latencies[len(latencies) // 2],
        "parse_p95_ms": latencies[max(int(len(latencies) * 0.95) - 1, 0)],
        "fallbacks": float(fallbacks),
    }
    return examples, timing


# Ways of writing the same report that must not change the answer.
VARIANTS = {
    "all caps": str.upper,
    "emoji": lambda t: f"{t} 😡🚧",
    "link": lambda t: f"{t} https://example.org/photos/12345.jpg",
}


async def variant_changes(agent: Any, texts: list[str]) -> dict[str, int]:
    """How many texts get another predicted intent when written in each variant."""
    changed = dict.fromkeys(VARIANTS, 0)
    for text in texts:
        base = predicted_intent(await agent.parse_message(as_plain_text(text)))
        for name, variant in VARIANTS.items():
            other = predicted_intent(await agent.parse_message(as_plain_text(variant(text))))
            changed[name] += other != base
    return changed


def long_messages(examples: list[Example]) -> dict[str, float]:
    """Messages of 600 characters or more: how many, parse p95, and how often the service is right."""
    long = sorted((e for e in examples if len(e.text) >= 600), key=lambda e: e.parse_ms)
    if not long:
        return {"count": 0.0}
    right = sum(e.intent.split("/")[0] == e.predicted_intent.split("/")[0] for e in long)
    return {
        "count": float(len(long)),
        "parse_max_ms": long[-1].parse_ms,
        "parse_p95_ms": long[max(int(len(long) * 0.95) - 1, 0)].parse_ms,
        "service_accuracy": right / len(long),
    }


def score(name: str, examples: list[Example], timing: dict[str, float]) -> SetResult:
    """All numbers of one set, overall and per source."""
    sources = sorted({e.source for e in examples})
    by_source = {
        s: (
            evaluate([e for e in examples if e.source == s]),
            first_message([e for e in examples if e.source == s]),
        )
        for s in sources
    }
    return SetResult(name, evaluate(examples), first_message(examples), timing, by_source, examples)


def gate_failures(ours: SetResult, real: SetResult | None) -> list[str]:
    """The gates missed (empty when all pass)."""
    values = {
        "service_macro_f1": ours.report.service_macro_f1,
        "intent_accuracy": ours.report.intent_accuracy,
        "location_f1": ours.report.location.f1,
    }
    missed = [f"ours {k} {values[k]:.3f} < {v:.2f}" for k, v in GATES.items() if values[k] < v]
    if real is not None:
        got = real_values(real)
        missed += [
            f"real {k} {got[k]:.3f} < {v:.2f}"
            for k, v in REAL_GATES.items()
            if not k.endswith("_max") and got[k] < v
        ]
        missed += [
            f"real {k} {got[k]:.3f} > {v:.2f}"
            for k, v in REAL_GATES.items()
            if k.endswith("_max") and got[k] > v
        ]
    return missed


def real_values(real: SetResult) -> dict[str, float]:
    """The gated numbers of the real set."""
    return {
        "service_macro_f1": real.report.service_macro_f1,
        "service_accuracy": real.report.raw_intent_accuracy,
        "taken_as_question_max": real.first.taken_as_question,
    }


def run(
    model: Path, out: Path, data: Path = DEFAULT_DATA, real: bool = True
) -> tuple[SetResult, SetResult | None]:
    """Evaluates a model on both sets and writes `out/nlu_eval.json` and the confusion matrices."""
    from rasa.core.agent import Agent

    started = time.perf_counter()
    agent = Agent.load(str(model))
    load_seconds = time.perf_counter() - started
    threshold = get_settings().service_confidence
    results = []
    real_rows = real_examples() if real else []
    for name, rows in (("ours", load_examples(data)), ("real", real_rows)):
        if rows:
            examples, timing = asyncio.run(predict(agent, rows, threshold))
            timing["model_load_s"] = load_seconds
            results.append(score(name, examples, timing))
    if real and len(results) > 1:
        texts = [row[0] for row in real_rows[:: max(len(real_rows) // 150, 1)]]
        results[1].variants = asyncio.run(variant_changes(agent, texts))
        results[1].variants["texts"] = len(texts)
        results[1].long = long_messages(results[1].examples)
    out.mkdir(parents=True, exist_ok=True)
    summary = {
        r.name: {
            "report": {k: v for k, v in asdict(r.report).items() if k != "errors"},
            "first_message": asdict(r.first),
            "timing": r.timing,
            "variants_changed": r.variants,
            "long_messages": r.long,
            "by_source": {
                s: {"service_macro_f1": rep.service_macro_f1, **asdict(fm)}
                for s, (rep, fm) in r.by_source.items()
            },
            "errors": [asdict(e) for e in r.report.errors],
        }
        for r in results
    }
    (out / "nlu_eval.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    for r in results:
        eval_printing.confusion_png(r.examples, out / f"confusion_matrix_{r.name}.png", r.name)
    return results[0], (results[1] if len(results) > 1 else None)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="Evaluate the NLU model on both held-out sets.")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa's debug lines would print every message
    ours, real = run(args.model, args.out, args.data)
    eval_printing.print_results(ours, real, GATES, REAL_GATES, REAL_GOALS)
    print(f"\nWrote {args.out / 'nlu_eval.json'} and the confusion matrices in {args.out}/")
    failures = gate_failures(ours, real)
    if failures:
        print("GATES MISSED: " + "; ".join(failures))
        return 1
    print("All gates met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
