"""Turns the city's FAQ knowledge base (`<city>/faq.yml`, edited by staff) into Rasa training data.

Each entry becomes a retrieval intent `faq/<key>` with its questions as examples and `utter_faq/<key>` as its
answer, written to `nlu_data/generated/faq.yml` (not committed; `make train` regenerates it).
Run: `python -m bot.tools.faq_to_rasa [--city DIR] [--out FILE]`.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from bot.settings import PROJECT_ROOT, get_settings

KEY = re.compile(r"^[a-z][a-z0-9_]*$")


class FaqError(ValueError):
    """The knowledge base file is not in the expected shape (the message says where)."""


def load_entries(path: Path) -> list[dict[str, Any]]:
    """Reads and checks the knowledge base: unique keys, at least two questions and an answer each."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = data.get("faq") or []
    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        key = str(entry.get("key", ""))
        if not KEY.match(key):
            raise FaqError(f"entry {index}: key {key!r} must be lower_snake_case")
        if key in seen:
            raise FaqError(f"entry {index}: key {key!r} is used twice")
        seen.add(key)
        questions = [str(q).strip() for q in entry.get("questions") or [] if str(q).strip()]
        if len(questions) < 2:
            raise FaqError(f"entry {key!r}: needs at least two questions")
        if not str(entry.get("answer") or "").strip():
            raise FaqError(f"entry {key!r}: has no answer")
    return list(entries)


def to_rasa(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The Rasa training data (retrieval intents and their responses) for the entries."""
    nlu = []
    responses = {}
    for entry in entries:
        questions = sorted({str(q).strip() for q in entry["questions"] if str(q).strip()})
        nlu.append({"intent": f"faq/{entry['key']}", "examples": "".join(f"- {q}\n" for q in questions)})
        responses[f"utter_faq/{entry['key']}"] = [{"text": " ".join(str(entry["answer"]).split())}]
    return {"version": "3.1", "nlu": nlu, "responses": responses}


class _Literal(str):
    pass


class _Dumper(yaml.SafeDumper):
    """Writes example lists as literal blocks, the way Rasa's own files look."""


def _literal(dumper: yaml.SafeDumper, value: _Literal) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


_Dumper.add_representer(_Literal, _literal)


def write(data: dict[str, Any], out: Path) -> None:
    """Writes the training data file, examples as literal blocks as Rasa expects."""
    for block in data["nlu"]:
        block["examples"] = _Literal(block["examples"])
    out.parent.mkdir(parents=True, exist_ok=True)
    header = "# Generated from the city's faq.yml by bot/tools/faq_to_rasa.py. Do not edit; edit faq.yml.\n"
    out.write_text(header + yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000))


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--city", type=Path, default=get_settings().city_data_dir)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "nlu_data" / "generated" / "faq.yml")
    args = parser.parse_args(argv)
    try:
        entries = load_entries(args.city / "faq.yml")
    except FaqError as error:
        print(f"faq.yml: {error}", file=sys.stderr)
        return 1
    write(to_rasa(entries), args.out)
    shown = args.out.relative_to(PROJECT_ROOT) if args.out.is_relative_to(PROJECT_ROOT) else args.out
    print(f"{len(entries)} FAQ entries -> {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
