"""Compares NLU pipelines on the held-out set: training time, parse latency and the gated scores.

Run: `python -m bot.tools.compare_pipelines docs/pipelines/sparse.yml docs/pipelines/dense.yml`.
Each config is trained NLU-only on `nlu_data/` into a temporary folder, then scored like `make eval`.
The dense config needs Rasa's optional `transformers` extra and the all-MiniLM-L6-v2 weights (docs/nlu.md).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.settings import PROJECT_ROOT
from bot.tools.evaluate_nlu import run

RASA = Path(sys.executable).parent / "rasa"


def train(config: Path, out: Path) -> float:
    """Trains an NLU-only model; returns the seconds it took."""
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            str(RASA),
            "train",
            "nlu",
            "--nlu",
            "nlu_data",
            "--config",
            str(config),
            "--out",
            str(out),
            "--fixed-model-name",
            "nlu",
        ],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        timeout=3600,
    )
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: prints a Markdown table, one row per config."""
    parser = argparse.ArgumentParser(description="Compare NLU pipelines on the held-out set.")
    parser.add_argument("configs", nargs="+", type=Path)
    args = parser.parse_args(argv)
    rows = []
    for config in args.configs:
        with tempfile.TemporaryDirectory() as tmp:
            seconds = train(config, Path(tmp))
            ours, real = run(Path(tmp) / "nlu.tar.gz", Path(tmp) / "results")
        assert real is not None
        rows.append(
            f"| {config.stem} | {ours.report.intent_accuracy:.3f} | {ours.report.service_macro_f1:.3f} | "
            f"{real.report.service_macro_f1:.3f} | {real.report.raw_intent_accuracy:.3f} | "
            f"{real.first.settled_right:.3f} | {real.first.taken_as_question:.3f} | "
            f"{ours.report.location.f1:.3f} | {seconds / 60:.1f} min | "
            f"{real.timing['parse_p50_ms']:.0f} ms | "
            f"{real.timing['parse_p95_ms']:.0f} ms |"
        )
    print(
        "| pipeline | intent acc. (ours) | service macro-F1 (ours) | macro-F1 (real) | accuracy (real) | "
        "right on 1st msg (real) | as question (real) | location F1 | training | parse p50 | parse p95 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
