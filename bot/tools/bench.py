"""`make bench`: N simulated residents hold whole report conversations at once over the REST channel.

Prints per-turn latency p50/p95/p99, messages per second, errors, and each process's peak memory. Runs against
the running stack (`make run` in another terminal) at RASA_URL, with REST_TOKEN (or the development token in
var/dev-secrets.env). A number printer, not a test.

Run: `python -m bot.tools.bench [--residents 20] [--url http://127.0.0.1:5005]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from bot.settings import PROJECT_ROOT

ADDRESSES = [
    "Mannerheimintie 5",
    "Annankatu 5",
    "Bulevardi 10",
    "Fredrikinkatu 22",
    "Kaivokatu 1",
    "Yrjönkatu 5",
]
OPENERS = [
    "there's a big pothole outside {}",
    "street light not working at {}",
    "someone dumped a sofa at {}",
    "graffiti all over the wall at {}",
    "a tree branch is hanging over the path at {}",
]
PROCESS_NAMES = {
    "rasa": "rasa run",
    "actions": "rasa_sdk",
    "backoffice": "-m backoffice",
    "worker": "bot.workers",
}


@dataclass
class Results:
    """What the residents measured."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    filed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def next_message(replies: list[dict[str, Any]], turn: int) -> str | None:
    """What a cooperative resident answers, or None when the report is done."""
    text = " ".join(str(r.get("text") or "") for r in replies)
    if "number is" in text or "reference" in text or "following report" in text:
        return None
    payloads = [b["payload"] for r in replies for b in r.get("buttons") or []]
    if "Shall I send it" in text:
        return "/affirm"
    if "/deny" in payloads:
        return "/deny"
    options = [p for p in payloads if not p.startswith("/")]
    if options:
        return options[0]
    if "few words" in text:
        return "it is quite large and has been there for a week, people trip over it"
    if "Where is it" in text:
        return ADDRESSES[turn % len(ADDRESSES)]
    return "/affirm" if turn < 12 else None


def converse(url: str, token: str, index: int, results: Results) -> None:
    """One resident's whole report."""
    sender = f"bench-{os.getpid()}-{index}-{time.time_ns()}"
    message: str | None = OPENERS[index % len(OPENERS)].format(ADDRESSES[index % len(ADDRESSES)])
    turn = 0
    while message is not None and turn < 15:
        started = time.perf_counter()
        try:
            response = requests.post(
                f"{url}/webhooks/rest/webhook",
                json={"sender": sender, "message": message},
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            )
            response.raise_for_status()
            replies = response.json()
        except (requests.RequestException, ValueError):
            with results.lock:
                results.errors += 1
            return
        with results.lock:
            results.latencies_ms.append((time.perf_counter() - started) * 1000)
        turn += 1
        message = next_message(replies, turn)
    with results.lock:
        results.filed += message is None


def peak_memory_mb() -> dict[str, float]:
    """Peak resident memory (VmHWM) of each of the assistant's processes on this machine."""
    peaks: dict[str, float] = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for name, marker in PROCESS_NAMES.items():
            if marker in cmdline and "bench" not in cmdline:
                hwm = next((line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")), "0")
                peaks[name] = max(peaks.get(name, 0.0), int(hwm) / 1024)
    return peaks


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def run(url: str, token: str, residents: int) -> None:
    """Runs the residents concurrently and prints the numbers."""
    results = Results()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=residents) as pool:
        for index in range(residents):
            pool.submit(converse, url, token, index, results)
    elapsed = time.perf_counter() - started
    lat = results.latencies_ms
    print(f"\n{residents} residents, {len(lat)} messages in {elapsed:.1f} s")
    if lat:
        print(
            f"per-turn latency: p50 {percentile(lat, 50):.0f} ms, p95 {percentile(lat, 95):.0f} ms, "
            f"p99 {percentile(lat, 99):.0f} ms, mean {statistics.mean(lat):.0f} ms"
        )
    print(
        f"throughput: {len(lat) / elapsed:.1f} messages/s; reports completed {results.filed}/{residents}; "
        f"errors {results.errors}"
    )
    for name, mb in sorted(peak_memory_mb().items()):
        print(f"peak memory {name}: {mb:.0f} MB")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="Simulated residents against the assistant.")
    parser.add_argument("--residents", type=int, default=20)
    parser.add_argument("--url", default=os.environ.get("RASA_URL", "http://127.0.0.1:5005"))
    parser.add_argument("--token", default=os.environ.get("REST_TOKEN", ""))
    args = parser.parse_args(argv)
    token = args.token or _dev_token()
    try:
        requests.get(f"{args.url}/", timeout=2).raise_for_status()
    except requests.RequestException:
        print(f"No assistant answers at {args.url}. Start it with `make run` in another terminal.")
        return 1
    run(args.url, token, args.residents)
    return 0


def _dev_token() -> str:
    secrets = PROJECT_ROOT / "var" / "dev-secrets.env"
    if secrets.exists():
        for line in secrets.read_text().splitlines():
            if line.startswith("DEV_REST_TOKEN="):
                return line.split("=", 1)[1]
    return ""


if __name__ == "__main__":
    sys.exit(main())
