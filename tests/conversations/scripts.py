"""Resident scripts for the conversation simulation: loading and checking their shape.

The scripts under `tests/conversations/residents/` were written by someone who had read only the service
catalogue, the street and landmark names and the FAQ answers (never the training data); see that folder's
file headers. A script says how one resident answers each kind of question, what they interject, and what a
clerk would expect to come of the conversation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SCRIPTS_DIR = Path(__file__).parent / "residents"
# A second set by another writer, kept for an honest number: its failures are not read while fixing.
HOLDOUT_DIR = Path(__file__).parent / "residents_holdout"
OUTCOMES = ("filed", "followed", "cancelled", "answered")
EXPECT_KEYS = {
    "outcome",
    "service",
    "street",
    "house_number",
    "description_has",
    "attributes",
    "faq",
    "status_of_number",
}
SCRIPT_KEYS = {"id", "why", "first", "answers", "interjections", "setup", "expect"}
SETUP_KEYS = {"open_report", "existing_report"}


@dataclass(frozen=True)
class Interjection:
    """Something the resident says once, instead of answering, the first time a step is asked."""

    at: str
    say: str
    expect_faq: str | None = None


@dataclass
class Script:
    """One scripted resident."""

    id: str
    why: str
    first: str
    answers: dict[str, Any]
    expect: dict[str, Any]
    interjections: list[Interjection] = field(default_factory=list)
    setup: dict[str, dict[str, str]] = field(default_factory=dict)
    source: str = ""

    def answer(self, step: str, times_asked: int) -> str | dict[str, str] | None:
        """What the resident says the n-th time (1-based) a step is asked; a list's last item is reused."""
        value = self.answers.get(step)
        if isinstance(value, list):
            return value[min(times_asked, len(value)) - 1] if value else None
        return value

    @property
    def outcome(self) -> str:
        return str(self.expect["outcome"])


def _problems(raw: dict[str, Any]) -> list[str]:
    problems = [f"unknown key {k!r}" for k in set(raw) - SCRIPT_KEYS]
    problems += [f"missing {k!r}" for k in ("id", "first", "expect") if k not in raw]
    expect = raw.get("expect") or {}
    problems += [f"unknown expect key {k!r}" for k in set(expect) - EXPECT_KEYS]
    if expect.get("outcome") not in OUTCOMES:
        problems.append(f"outcome must be one of {OUTCOMES}")
    problems += [f"unknown setup key {k!r}" for k in set(raw.get("setup") or {}) - SETUP_KEYS]
    if "{number}" in str(raw) and "existing_report" not in (raw.get("setup") or {}):
        problems.append("{number} needs setup.existing_report")
    return problems


def parse(raw: dict[str, Any], source: str) -> Script:
    """One script from its YAML mapping; ValueError names what is wrong with it."""
    problems = _problems(raw)
    if problems:
        raise ValueError(f"{source}: {raw.get('id')}: {'; '.join(problems)}")
    return Script(
        id=str(raw["id"]),
        why=str(raw.get("why") or ""),
        first=str(raw["first"]),
        answers=dict(raw.get("answers") or {}),
        expect=dict(raw["expect"]),
        interjections=[Interjection(**i) for i in raw.get("interjections") or []],
        setup=dict(raw.get("setup") or {}),
        source=source,
    )


def load_scripts(folder: Path = SCRIPTS_DIR) -> list[Script]:
    """Every script in the folder, in file order; ids are unique."""
    scripts: list[Script] = []
    for path in sorted(folder.glob("*.yml")):
        for raw in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("residents") or []:
            scripts.append(parse(raw, path.name))
    ids = [s.id for s in scripts]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate script ids: {duplicates}")
    return scripts
