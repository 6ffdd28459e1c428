"""Every sentence a resident reads, by key: `say("report.ask_location")`, `say("submit.sent", number="1")`.

The sentences live in `bot/sentences.yml` (nested keys read as dotted names, `{name}` placeholders filled with
`str.format`). A `sentences.yml` in the city folder (`CITY_DATA_DIR`) replaces any of them: a translation, or
the city's own tone. The file's `responses:` section holds what Rasa says itself (`utter_greet`, …), written
into the training data by `bot/tools/sentences_to_rasa.py`.

Nothing is read at import time; the files are read once per process (per city folder) on the first `say`.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.settings import get_settings

logger = logging.getLogger(__name__)

DEFAULT_FILE = Path(__file__).with_name("sentences.yml")
CITY_FILE = "sentences.yml"
RESPONSES = "responses"

Responses = Mapping[str, list[dict[str, Any]]]


class SentencesError(ValueError):
    """A sentences file is not in the expected shape (the message says which file and key)."""


@dataclass(frozen=True)
class Sentences:
    """The sentences by dotted key, and Rasa's own responses by name."""

    texts: Mapping[str, str]
    responses: Responses


def placeholders(text: str) -> set[str]:
    """The `{names}` a sentence needs."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def read(path: Path) -> Sentences:
    """Reads one sentences file.

    Raises:
        SentencesError: a key or sentence that is not text (an unquoted `No` is read as false), or a
            `responses:` section that is not a mapping.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise SentencesError(f"{path}: expected keys with sentences")
    responses = data.pop(RESPONSES, None) or {}
    if not isinstance(responses, dict):
        raise SentencesError(f"{path}: `{RESPONSES}:` must map response names to their texts")
    texts: dict[str, str] = {}
    _flatten(data, "", texts, path)
    return Sentences(texts, {str(name): list(variations or []) for name, variations in responses.items()})


def _flatten(node: Mapping[Any, Any], prefix: str, into: dict[str, str], path: Path) -> None:
    for key, value in node.items():
        if not isinstance(key, str):
            raise SentencesError(f"{path}: the key {prefix}{key!r} must be text (put it in quotes)")
        name = prefix + key
        if isinstance(value, dict):
            _flatten(value, name + ".", into, path)
        elif isinstance(value, str):
            try:
                placeholders(value)
            except ValueError as error:
                raise SentencesError(
                    f"{path}: {name}: {error} (a literal brace is written {{{{ or }}}})"
                ) from None
            into[name] = value
        else:
            raise SentencesError(f"{path}: {name} must be a sentence in quotes, not {value!r}")


def city_problems(defaults: Sentences, city: Sentences) -> dict[str, str]:
    """What is wrong with a city's sentences, by key: a key the assistant lacks, a value it cannot fill."""
    problems: dict[str, str] = {}
    for key, text in sorted(city.texts.items()):
        if key not in defaults.texts:
            problems[key] = f"no such sentence in {DEFAULT_FILE.name}"
        elif extra := placeholders(text) - placeholders(defaults.texts[key]):
            problems[key] = "no value for " + ", ".join("{" + name + "}" for name in sorted(extra))
    return problems


@cache
def load(city_dir: Path | None = None) -> Sentences:
    """The default sentences with the city folder's `sentences.yml` over them; read once per folder.

    City sentences with a problem (`city_problems`) are left out with a warning, so a mistake in the city's
    file never silences the assistant; `python -m bot.tools.sentences_to_rasa` refuses them outright.
    """
    defaults = read(DEFAULT_FILE)
    city_file = city_dir / CITY_FILE if city_dir is not None else None
    if city_file is None or not city_file.is_file():
        return defaults
    city = read(city_file)
    problems = city_problems(defaults, city)
    for key, problem in problems.items():
        logger.warning("sentences.city_sentence_ignored file=%s key=%s problem=%s", city_file, key, problem)
    kept = {key: text for key, text in city.texts.items() if key not in problems}
    return Sentences({**defaults.texts, **kept}, {**defaults.responses, **city.responses})


def current() -> Sentences:
    """The sentences of the city the settings name."""
    return load(get_settings().city_data_dir)


def has(key: str) -> bool:
    """Whether there is a sentence with this key."""
    return key in current().texts


def say(key: str, **values: Any) -> str:
    """The sentence with this key, its `{placeholders}` filled from `values`.

    Raises:
        KeyError: no sentence has this key, or the sentence needs a value that was not given.
    """
    texts = current().texts
    if key not in texts:
        raise KeyError(f"no sentence {key!r} in {DEFAULT_FILE.name}")
    try:
        return texts[key].format(**values)
    except KeyError as missing:
        raise KeyError(f"sentence {key!r} needs a value for {missing.args[0]!r}") from None
