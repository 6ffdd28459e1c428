"""Turns the `responses:` section of the assistant's sentences into Rasa training data.

The responses Rasa utters itself (`utter_greet`, `utter_help`, …) are kept with every other sentence in
`bot/sentences.yml`, with the city folder's `sentences.yml` over them. They are written to
`nlu_data/generated/responses.yml` (not committed; `make train` regenerates it), and Rasa merges responses
found in training data into the domain.
Run: `python -m bot.tools.sentences_to_rasa [--city DIR] [--out FILE]`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from bot.sentences import CITY_FILE, Responses, SentencesError, city_problems, load, read
from bot.settings import PROJECT_ROOT, get_settings

HEADER = (
    "# Generated from the `responses:` of bot/sentences.yml (and the city's sentences.yml) by "
    "bot/tools/sentences_to_rasa.py.\n# Do not edit; edit the sentences.\n"
)


def check(responses: Responses) -> None:
    """Checks that each response is in Rasa's shape: `utter_` names, texts, buttons with title and payload.

    Raises:
        SentencesError: the first response that is not (the message names it).
    """
    for name, variations in responses.items():
        if not name.startswith("utter_"):
            raise SentencesError(f"responses: {name!r} must start with utter_")
        if not variations:
            raise SentencesError(f"responses: {name} has no text")
        for variation in variations:
            if not isinstance(variation, dict) or not isinstance(variation.get("text"), str):
                raise SentencesError(f"responses: each of {name}'s texts needs `text:` in quotes")
            for button in variation.get("buttons") or []:
                if not (
                    isinstance(button, dict)
                    and all(isinstance(button.get(k), str) for k in ("title", "payload"))
                ):
                    raise SentencesError(f"responses: each of {name}'s buttons needs a title and a payload")


def to_rasa(responses: Responses) -> dict[str, Any]:
    """The Rasa training data file holding the responses."""
    check(responses)
    return {"version": "3.1", "responses": {name: list(variations) for name, variations in responses.items()}}


def write(data: dict[str, Any], out: Path) -> None:
    """Writes the training data file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8"
    )


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--city", type=Path, default=get_settings().city_data_dir)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "nlu_data" / "generated" / "responses.yml")
    args = parser.parse_args(argv)
    try:
        city_file = args.city / CITY_FILE
        if city_file.is_file():
            # A mistake in the city's sentences stops the build (at run time the sentence is only skipped).
            problems = city_problems(load(), read(city_file))
            if problems:
                listed = "; ".join(f"{key}: {problem}" for key, problem in problems.items())
                raise SentencesError(f"{city_file}: {listed}")
        data = to_rasa(load(args.city).responses)
    except SentencesError as error:
        print(f"sentences: {error}", file=sys.stderr)
        return 1
    write(data, args.out)
    shown = args.out.relative_to(PROJECT_ROOT) if args.out.is_relative_to(PROJECT_ROOT) else args.out
    print(f"{len(data['responses'])} responses -> {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
