"""Residents' own problem reports (`resident_texts/`): loading, checking, and the training file made of them.

Each row is a text a resident wrote into a city's reporting system, with its provenance and the service a
clerk would route it to (`resident_texts/labelling-guide.md`). `split.yml` holds some sources out of training
entirely; the others become `nlu_data/generated/resident_texts.yml`:

    python -m bot.tools.resident_texts check        # schema, codes, personal data, duplicates
    python -m bot.tools.resident_texts train-file   # writes the training file from the train sources
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.settings import PROJECT_ROOT

FOLDER = PROJECT_ROOT / "resident_texts"
TRAIN_FILE = PROJECT_ROOT / "nlu_data" / "generated" / "resident_texts.yml"
FIELDS = ("id", "text", "service_code", "ambiguous", "alt", "repo", "path", "commit", "record_id", "licence")
# What must not survive the scrubbing: e-mail addresses, phone numbers, UK number plates.
PERSONAL = (
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    re.compile(r"(?<!\d)(?:\+?\d[\s().-]?){10,}(?!\d)"),
    re.compile(r"\b[A-Z]{2}\d{2}\s?[A-Z]{3}\b"),
)
# Placeholders the scrubbing left, and brackets Rasa would read as entity markup, become plain words.
_BRACKETS = re.compile(r"\[([a-z]+)\]")


@dataclass(frozen=True)
class ResidentText:
    """One resident's report and the service it belongs to."""

    id: str
    text: str
    service_code: str
    ambiguous: bool
    alt: tuple[str, ...]
    source: str


def sources(part: str, folder: Path = FOLDER) -> list[str]:
    """The source names of one part of the split ("heldout" or "train")."""
    split = yaml.safe_load((folder / "split.yml").read_text(encoding="utf-8"))
    return list(split[part])


def load(part: str | None = None, folder: Path = FOLDER) -> list[ResidentText]:
    """Every row of one part of the split (or of all sources), in file order."""
    names = sources(part, folder) if part else sorted(p.stem for p in (folder / "rows").glob("*.jsonl"))
    rows = []
    for name in names:
        for line in (folder / "rows" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                raw = json.loads(line)
                rows.append(
                    ResidentText(
                        id=raw["id"],
                        text=raw["text"],
                        service_code=raw["service_code"],
                        ambiguous=bool(raw.get("ambiguous")),
                        alt=tuple(raw.get("alt") or ()),
                        source=name,
                    )
                )
    return rows


def problems(folder: Path, codes: set[str]) -> list[str]:
    """What is wrong with the data set: missing fields, unknown codes, personal data, duplicates, leaks."""
    found: list[str] = []
    seen: dict[str, str] = {}
    split = yaml.safe_load((folder / "split.yml").read_text(encoding="utf-8"))
    files = {p.stem for p in (folder / "rows").glob("*.jsonl")}
    if set(split["heldout"]) & set(split["train"]):
        found.append("a source is both held out and trained on")
    if files != set(split["heldout"]) | set(split["train"]):
        found.append(
            f"split.yml and rows/ disagree: {sorted(files ^ (set(split['heldout']) | set(split['train'])))}"
        )
    for path in sorted((folder / "rows").glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            where = f"{path.name}:{number}"
            raw = json.loads(line)
            missing = [f for f in FIELDS if f not in raw]
            if missing:
                found.append(f"{where}: missing {missing}")
                continue
            if raw["service_code"] not in codes or not set(raw["alt"]) <= codes:
                found.append(f"{where}: unknown service code")
            if not raw["text"].strip() or len(raw["text"]) > 1000:
                found.append(f"{where}: empty or over 1,000 characters")
            if any(p.search(raw["text"]) for p in PERSONAL):
                found.append(f"{where}: looks like personal data")
            key = " ".join(raw["text"].casefold().split())
            if key in seen:
                found.append(f"{where}: same text as {seen[key]}")
            seen[key] = where
    return found


def training_text(text: str) -> str:
    """The text as a training example: scrubbing placeholders as words, no characters Rasa reads as markup."""
    return _BRACKETS.sub(r"\1", text).replace("[", "(").replace("]", ")").replace("{", "(").replace("}", ")")


def write_training_file(rows: list[ResidentText], out: Path = TRAIN_FILE) -> int:
    """Writes the unambiguous rows as Rasa NLU examples of `report_<service>`; returns how many."""
    by_intent: dict[str, list[str]] = {}
    for row in rows:
        if not row.ambiguous:
            by_intent.setdefault(f"report_{row.service_code}", []).append(training_text(row.text))
    lines = [
        "# Generated by `python -m bot.tools.resident_texts train-file` from resident_texts/ (train part):",
        "# residents' own words from other cities' reporting systems. Edit the rows there, not this file.",
        'version: "3.1"',
        "nlu:",
    ]
    for intent, texts in sorted(by_intent.items()):
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {' '.join(t.split())}" for t in texts]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sum(len(t) for t in by_intent.values())


def main(argv: list[str]) -> int:
    """Command-line entry point."""
    from citydata.catalogue import load_catalogue

    command = argv[0] if argv else "check"
    codes = {s.service_code for s in load_catalogue(PROJECT_ROOT / "cities" / "helsinki" / "services.yml")}
    if command == "check":
        found = problems(FOLDER, codes)
        print("\n".join(found) or f"{len(load())} rows, no problems")
        return 1 if found else 0
    if command == "train-file":
        count = write_training_file(load("train"))
        print(f"{count} resident texts -> {TRAIN_FILE.relative_to(PROJECT_ROOT)}")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
