"""Every sentence a resident reads is in bot/sentences.yml, said by key; a city can replace any of them."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from bot.sentences import DEFAULT_FILE, SentencesError, load, placeholders, read, say
from bot.settings import PROJECT_ROOT, get_settings

BOT = PROJECT_ROOT / "bot"
# Where the Rasa responses are used: rules, stories, the conversation tests and the domain's actions.
RESPONSE_USERS = (
    PROJECT_ROOT / "nlu_data" / "rules.yml",
    PROJECT_ROOT / "nlu_data" / "stories.yml",
    PROJECT_ROOT / "tests" / "conversations" / "report_paths.yml",
    PROJECT_ROOT / "domain.yml",
)
# The code that talks to residents: no sentence may be written inline there.
SPEAKING_PACKAGES = ("actions", "channels", "photos", "workers")


@dataclass(frozen=True)
class SayCall:
    """One `say(...)` in the source: its key (or the fixed start of an f-string key) and its values."""

    where: str
    key: str
    is_prefix: bool
    values: frozenset[str]
    spread: bool  # values passed as **mapping, which this test cannot read


def say_calls(path: Path) -> Iterator[SayCall | str]:
    """The `say` calls of a module; a call whose key cannot be read is yielded as a complaint."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "say"):
            continue
        where = f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}"
        key = node.args[0] if node.args else None
        values = frozenset(k.arg for k in node.keywords if k.arg)
        spread = any(k.arg is None for k in node.keywords)
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            yield SayCall(where, key.value, False, values, spread)
        elif (
            isinstance(key, ast.JoinedStr)
            and key.values
            and isinstance(key.values[0], ast.Constant)
            and str(key.values[0].value).endswith((".", "_"))
        ):
            yield SayCall(where, str(key.values[0].value), True, values, spread)
        else:
            yield f"{where}: say() needs its key written out (or an f-string starting with the group)"


def all_say_calls() -> list[SayCall | str]:
    return [call for path in sorted(BOT.rglob("*.py")) for call in say_calls(path)]


def keys_of(call: SayCall, texts: dict[str, str]) -> list[str]:
    if call.is_prefix:
        return [key for key in texts if key.startswith(call.key)]
    return [call.key] if call.key in texts else []


def used_responses() -> set[str]:
    """Response names the rules, stories, conversation tests and domain run as actions."""
    names: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "action" and isinstance(value, str):
                    names.add(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for path in RESPONSE_USERS:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        walk(data)
        names.update(a for a in data.get("actions") or [] if isinstance(a, str))
    return {name for name in names if name.startswith("utter_") and not name.startswith("utter_faq")}


def test_every_key_said_in_the_code_has_a_sentence():
    texts = dict(load().texts)
    calls = all_say_calls()
    unreadable = [c for c in calls if isinstance(c, str)]
    missing = [f"{c.where}: {c.key}" for c in calls if isinstance(c, SayCall) and not keys_of(c, texts)]
    assert not unreadable, unreadable
    assert not missing, f"keys said but not in {DEFAULT_FILE.name}: {missing}"
    assert len(calls) > 100  # the scan really reads the code


def test_every_sentence_is_said_somewhere():
    sentences = load()
    texts = dict(sentences.texts)
    said = {key for c in all_say_calls() if isinstance(c, SayCall) for key in keys_of(c, texts)}
    assert sorted(set(texts) - said) == [], "sentences no code says: delete them or use them"
    assert sorted(set(sentences.responses) - used_responses()) == [], "responses no rule or story uses"


def test_each_call_passes_exactly_the_values_its_sentence_needs():
    texts = dict(load().texts)
    wrong = []
    for call in all_say_calls():
        if not isinstance(call, SayCall):
            continue
        if call.spread:
            wrong.append(f"{call.where}: pass the values by name, not as **mapping")
            continue
        for key in keys_of(call, texts):
            needed = placeholders(texts[key])
            if needed != call.values:
                wrong.append(f"{call.where}: {key} needs {sorted(needed)}, gets {sorted(call.values)}")
    assert not wrong, wrong


# ------------------------------------------------------------------------------------ no inline sentences

# Calls that hand text to a resident, and which of their arguments (position or keyword) is that text.
SPEAKING_CALLS = {
    "utter_message": (None, "text"),
    "send_text_message": (1, "text"),
    "send_sms": (1, "text"),
    "answer_callback": (1, "text"),
    "PhotoRejected": (1, "user_message"),
    "BadRequest": (2, "message"),
}


def is_text(node: ast.AST | None) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def inline_sentences(source: str) -> list[int]:
    """Lines where a sentence is written into the code rather than said by key."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict):
            lines += [
                node.lineno
                for key, value in zip(node.keys, node.values, strict=True)
                if isinstance(key, ast.Constant) and key.value == "title" and is_text(value)
            ]
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in SPEAKING_CALLS:
                continue
            position, keyword = SPEAKING_CALLS[name]
            given = [k.value for k in node.keywords if k.arg == keyword]
            if position is not None and len(node.args) > position:
                given.append(node.args[position])
            lines += [node.lineno for value in given if is_text(value)]
    return lines


def test_the_inline_sentence_check_finds_inline_sentences():
    assert inline_sentences('dispatcher.utter_message(text="Hi!")') == [1]
    assert inline_sentences('dispatcher.utter_message(text=f"Report {n}")') == [1]
    assert inline_sentences('b = [{"title": "Skip", "payload": "/deny"}]') == [1]
    assert inline_sentences('raise PhotoRejected("store", "Sorry.")') == [1]
    assert inline_sentences('await output.send_sms(number, "Help")') == [1]
    assert inline_sentences('dispatcher.utter_message(text=say("x"), buttons=[{"title": o.name}])') == []


@pytest.mark.parametrize(
    "path",
    sorted(p for package in SPEAKING_PACKAGES for p in (BOT / package).rglob("*.py")),
    ids=lambda p: str(p.relative_to(BOT)),
)
def test_no_sentence_is_written_inline(path):
    lines = inline_sentences(path.read_text(encoding="utf-8"))
    assert not lines, f"{path.relative_to(PROJECT_ROOT)} lines {lines}: put the words in bot/sentences.yml"


# ------------------------------------------------------------------------------------------------- say


def test_say_fills_the_values_and_names_what_is_missing():
    assert say("status.updated", date="21 November 2026") == "Last update: 21 November 2026."
    with pytest.raises(KeyError, match=r"no\.such\.key"):
        say("no.such.key")
    with pytest.raises(KeyError, match="date"):
        say("status.updated")


def test_the_file_reads_as_sentences_and_rasa_responses():
    sentences = read(DEFAULT_FILE)
    assert sentences.texts["readback.photos_one"] == "- 1 photo attached"
    assert (
        sentences.responses["utter_greet"][0]["buttons"][0]["title"] == sentences.texts["menu.report_button"]
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("report:\n  skip_button: No\n", "report.skip_button must be a sentence in quotes"),  # read as false
        ('no: "Nope"\n', "must be text"),  # a key read as false
        ('status:\n  updated: "Last update: {date."\n', "literal brace"),
    ],
)
def test_mistakes_in_a_file_are_explained(tmp_path, content, message):
    path = tmp_path / "sentences.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SentencesError, match=message):
        read(path)


def test_nothing_is_read_when_the_modules_are_imported():
    code = (
        "import bot.wording, bot.photos.pipeline, bot.workers.outbox, bot.channels.twilio.sms\n"
        "from bot.sentences import load\n"
        "print(load.cache_info().currsize)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "0"


# ---------------------------------------------------------------------------------- a city's own words


@pytest.fixture
def city_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty city folder the settings point at."""
    monkeypatch.setenv("CITY_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_a_city_file_replaces_the_sentences_it_names(city_folder):
    (city_folder / "sentences.yml").write_text(
        'report:\n  ask_location: "Missä se on?"\n'
        'submit:\n  sent: "Kiitos! Ilmoituksen numero on {number}."\n'
        'responses:\n  utter_thanks:\n    - text: "Ole hyvä!"\n',
        encoding="utf-8",
    )
    assert say("report.ask_location") == "Missä se on?"
    assert say("submit.sent", number="101") == "Kiitos! Ilmoituksen numero on 101."
    assert say("report.ask_photo") == read(DEFAULT_FILE).texts["report.ask_photo"]  # the rest stays
    responses = load(city_folder).responses
    assert responses["utter_thanks"] == [{"text": "Ole hyvä!"}]
    assert "utter_greet" in responses


def test_a_city_sentence_the_assistant_cannot_say_is_left_out(city_folder):
    (city_folder / "sentences.yml").write_text(
        'report:\n  ask_locaton: "typo"\nsubmit:\n  sent: "Numero {numero}."\n', encoding="utf-8"
    )
    assert say("submit.sent", number="101").startswith("Thanks! Your report is with the city.")
