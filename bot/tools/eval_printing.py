"""How `make eval` shows its numbers.

Both held-out sets side by side, per source and per service, and a confusion-matrix picture per set (counts
written in every cell, so it reads without colour).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.tools.nlu_metrics import Example, service_of

if TYPE_CHECKING:
    from bot.tools.evaluate_nlu import SetResult


def _cell(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_results(
    ours: SetResult,
    real: SetResult | None,
    gates: dict[str, float],
    real_gates: dict[str, float],
    real_goals: dict[str, float],
) -> None:
    """The side-by-side table, then real texts per source, per service, and the worst confusions."""
    r = real.report if real else None
    f = real.first if real else None
    rows = [
        ("messages", float(ours.report.examples), float(r.examples) if r else None, "", 0),
        (
            "service macro-F1",
            ours.report.service_macro_f1,
            r.service_macro_f1 if r else None,
            f"ours {gates['service_macro_f1']} / real {real_gates['service_macro_f1']}"
            f" (goal {real_goals['service_macro_f1']})",
            3,
        ),
        (
            "service accuracy (each service its own)",
            ours.report.raw_intent_accuracy,
            r.raw_intent_accuracy if r else None,
            f"real {real_gates['service_accuracy']} (goal {real_goals['service_accuracy']})",
            3,
        ),
        (
            "intent accuracy (reports as one)",
            ours.report.intent_accuracy,
            r.intent_accuracy if r else None,
            f"ours {gates['intent_accuracy']}",
            3,
        ),
        (
            "first message: right service set",
            ours.first.settled_right,
            f.settled_right if f else None,
            f"real goal {real_goals['right_first_message']}",
            3,
        ),
        ("first message: wrong service set", ours.first.settled_wrong, f.settled_wrong if f else None, "", 3),
        ("first message: asked to pick", ours.first.asked_to_pick, f.asked_to_pick if f else None, "", 3),
        (
            "  ...right one among the options",
            ours.first.right_in_options,
            f.right_in_options if f else None,
            "",
            3,
        ),
        (
            "report taken for a question",
            ours.first.taken_as_question,
            f.taken_as_question if f else None,
            f"real <= {real_gates['taken_as_question_max']}",
            3,
        ),
        (
            "report not taken as a report",
            ours.first.not_taken_as_report,
            f.not_taken_as_report if f else None,
            "",
            3,
        ),
        ("location F1 (exact span)", ours.report.location.f1, None, f"ours {gates['location_f1']}", 3),
        ("parse p50 ms", ours.timing["parse_p50_ms"], real.timing["parse_p50_ms"] if real else None, "", 1),
        ("parse p95 ms", ours.timing["parse_p95_ms"], real.timing["parse_p95_ms"] if real else None, "", 1),
    ]
    print(f"\n{'':42} {'ours':>8} {'real':>8}   gate")
    for label, a, b, gate, digits in rows:
        print(f"{label:42} {_cell(a, digits):>8} {_cell(b, digits):>8}   {gate}")
    if real and real.variants:
        n = real.variants["texts"]
        changes = ", ".join(f"{k} {v}" for k, v in real.variants.items() if k != "texts")
        print(f"\nWritten differently ({n} real texts): answers changed by {changes}")
    if real and real.long.get("count"):
        long = real.long
        print(
            f"Long messages (600-1,000 characters, {int(long['count'])}): "
            f"parse p95 {long['parse_p95_ms']:.1f} ms,"
            f" max {long['parse_max_ms']:.1f} ms; service right {long['service_accuracy']:.3f}"
        )
    if real:
        print("\nReal texts per source        n   macro-F1  right set  asked  as question")
        for source, (rep, fm) in sorted(real.by_source.items()):
            print(
                f"{source:24} {rep.examples:5d} {rep.service_macro_f1:9.3f} {fm.settled_right:10.3f}"
                f" {fm.asked_to_pick:6.3f} {fm.taken_as_question:11.3f}"
            )
    print("\nService F1          ours    real  (support ours/real)")
    for code in sorted(ours.report.services):
        mine = ours.report.services[code]
        theirs = real.report.services.get(code) if real else None
        print(
            f"{code:18} {mine.f1:6.3f} {_cell(theirs.f1 if theirs else None):>7}"
            f"  ({mine.support}/{theirs.support if theirs else 0})"
        )
    for result in (ours, real):
        if result:
            print(f"\nMost confused, {result.name} (true -> predicted, count):")
            for true, pred, count in result.report.confused:
                print(f"  {true} -> {pred}: {count}")


def confusion_png(examples: list[Example], path: Path, name: str) -> None:
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
    ax.set_title(f"Held-out set '{name}': service confusion matrix")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
