"""`make eval`: the trained model scored on the held-out set.

Prints intent accuracy, per-service P/R/F1 and macro-F1, the most confused pairs and location-entity F1, and
writes a confusion-matrix PNG. Exits 1 when a gate is missed.

Run: `python -m bot.tools.evaluate_nlu [--model models/assistant.tar.gz] [--data tests/data/nlu_heldout.yml]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.settings import PROJECT_ROOT
from bot.text import as_plain_text
from bot.tools.nlu_metrics import Example, Report, evaluate, service_of

GATES = {"service_macro_f1": 0.90, "intent_accuracy": 0.95, "location_f1": 0.85}
DEFAULT_MODEL = PROJECT_ROOT / "models" / "assistant.tar.gz"
DEFAULT_DATA = PROJECT_ROOT / "tests" / "data" / "nlu_heldout.yml"
RESULTS = PROJECT_ROOT / "results"


def load_examples(path: Path) -> list[tuple[str, str, tuple[str, ...]]]:
    """(text, intent, location spans) of every labelled message in a Rasa NLU file."""
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
        rows.append((text, message.get("intent"), places))
    return rows


def predicted_intent(parse: dict[str, Any]) -> str:
    """The classifier's choice; under a low-confidence fallback, the best real intent behind it."""
    name = (parse.get("intent") or {}).get("name") or ""
    if name != "nlu_fallback":
        return str(name)
    ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
    return str(ranking[0]["name"]) if ranking else name


async def predict(
    model: Path, rows: list[tuple[str, str, tuple[str, ...]]]
) -> tuple[list[Example], dict[str, float]]:
    """Parses every message with the trained model; returns the examples and timing numbers."""
    from rasa.core.agent import Agent

    started = time.perf_counter()
    agent = Agent.load(str(model))
    load_seconds = time.perf_counter() - started
    examples, latencies, fallbacks = [], [], 0
    for text, intent, places in rows:
        t0 = time.perf_counter()
        # Every channel turns typed "/restart" into words before Rasa sees it; score what Rasa really gets.
        parse = await agent.parse_message(as_plain_text(text))
        latencies.append((time.perf_counter() - t0) * 1000)
        fallbacks += (parse.get("intent") or {}).get("name") == "nlu_fallback"
        found = tuple(e["value"] for e in parse.get("entities") or [] if e.get("entity") == "location")
        confidence = float((parse.get("intent") or {}).get("confidence") or 0.0)
        examples.append(Example(text, intent, places, predicted_intent(parse), found, confidence))
    latencies.sort()
    timing = {
        "model_load_s": load_seconds,
        "parse_p50_ms": latencies[len(latencies) // 2],
        "parse_p95_ms": latencies[int(len(latencies) * 0.95) - 1],
        "fallbacks": float(fallbacks),
    }
    return examples, timing


def gate_failures(report: Report) -> list[str]:
    """The gates this report misses (empty when all pass)."""
    values = {
        "service_macro_f1": report.service_macro_f1,
        "intent_accuracy": report.intent_accuracy,
        "location_f1": report.location.f1,
    }
    return [f"{k} {values[k]:.3f} < {v:.2f}" for k, v in GATES.items() if values[k] < v]


def print_report(report: Report, timing: dict[str, float]) -> None:
    """The numbers, as a reader wants them."""
    print(f"\nHeld-out messages: {report.examples}")
    print(
        f"Intent accuracy (reports as one intent): {report.intent_accuracy:.3f}"
        f"   gate {GATES['intent_accuracy']}"
    )
    print(f"Intent accuracy (each service its own intent): {report.raw_intent_accuracy:.3f}")
    print(f"Service macro-F1: {report.service_macro_f1:.3f}   gate {GATES['service_macro_f1']}")
    print(f"Location entity F1 (exact span): {report.location.f1:.3f}   gate {GATES['location_f1']}")
    print(
        f"  precision {report.location.precision:.3f}, recall {report.location.recall:.3f}, "
        f"spans {report.location.support}; overlap F1 {report.location_overlap_f1:.3f}"
    )
    print(
        f"Parse latency p50 {timing['parse_p50_ms']:.1f} ms, p95 {timing['parse_p95_ms']:.1f} ms; "
        f"model load {timing['model_load_s']:.1f} s; low-confidence fallbacks {int(timing['fallbacks'])}"
    )
    print("\nService            precision  recall   F1    support")
    for code, s in sorted(report.services.items()):
        print(f"{code:<18} {s.precision:8.3f} {s.recall:7.3f} {s.f1:6.3f} {s.support:6d}")
    print("\nMost confused (true -> predicted, count):")
    for true, pred, count in report.confused:
        print(f"  {true} -> {pred}: {count}")


def confusion_png(examples: list[Example], path: Path) -> None:
    """Writes the service confusion matrix (rows: true service, columns: predicted)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = sorted(
        {service_of(e.intent) for e in examples} | {service_of(e.predicted_intent) for e in examples}
    )
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for e in examples:
        matrix[index[service_of(e.intent)]][index[service_of(e.predicted_intent)]] += 1
    fig, ax = plt.subplots(figsize=(11, 10))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=90)
    ax.set_yticks(range(len(labels)), labels)
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            if count:
                ax.text(j, i, str(count), ha="center", va="center", fontsize=7)
    ax.set_xlabel("predicted service")
    ax.set_ylabel("true service")
    ax.set_title("Held-out set: service confusion matrix")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run(model: Path, data: Path, out: Path) -> tuple[Report, dict[str, float]]:
    """Evaluates a model on a labelled file and writes `out/nlu_eval.json` and `out/confusion_matrix.png`."""
    examples, timing = asyncio.run(predict(model, load_examples(data)))
    report = evaluate(examples)
    out.mkdir(parents=True, exist_ok=True)
    summary = {k: v for k, v in asdict(report).items() if k != "errors"}
    summary["timing"] = timing
    summary["errors"] = [asdict(e) for e in report.errors]
    (out / "nlu_eval.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    confusion_png(examples, out / "confusion_matrix.png")
    return report, timing


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="Evaluate the NLU model on the held-out set.")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa's debug lines would print every message
    report, timing = run(args.model, args.data, args.out)
    print_report(report, timing)
    print(f"\nWrote {args.out / 'nlu_eval.json'} and {args.out / 'confusion_matrix.png'}")
    failures = gate_failures(report)
    if failures:
        print("GATES MISSED: " + "; ".join(failures))
        return 1
    print("All gates met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
