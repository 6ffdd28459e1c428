"""Residents' own texts: a clean, split, provenance-keeping data set, and a training file that never leaks."""

import json
import shutil

import pytest

from bot.tools.resident_texts import FOLDER, load, problems, sources, training_text, write_training_file
from citydata.catalogue import load_catalogue
from tests.fixtures.city import DEMO_CITY

CODES = {s.service_code for s in load_catalogue(DEMO_CITY / "services.yml")}


def test_every_row_is_clean_labelled_and_unique():
    assert problems(FOLDER, CODES) == []


def test_the_held_out_part_is_big_and_covers_every_service_from_several_cities():
    rows = load("heldout")
    assert len(rows) >= 400
    assert {r.service_code for r in rows} == CODES
    assert len({r.source for r in rows}) >= 3


def test_the_whole_set_is_at_least_700_texts_and_held_out_and_train_share_no_source():
    assert len(load()) >= 700
    assert not set(sources("heldout")) & set(sources("train"))


def test_the_training_file_holds_train_texts_only_and_no_ambiguous_ones(tmp_path):
    out = tmp_path / "resident_texts.yml"
    count = write_training_file(load("train"), out)
    lines = out.read_text(encoding="utf-8").splitlines()
    written = {line.strip()[2:] for line in lines if line.startswith("    - ")}
    assert count == len(written) == sum(not r.ambiguous for r in load("train")) and count > 500

    def example(text: str) -> str:
        return " ".join(training_text(text).split())

    assert not {example(r.text) for r in load("heldout")} & written
    assert not {example(r.text) for r in load("train") if r.ambiguous} & written


def test_the_training_file_is_rasa_training_data_with_no_entity_markup(tmp_path):
    from rasa.shared.nlu.training_data.loading import load_data

    out = tmp_path / "resident_texts.yml"
    count = write_training_file(load("train"), out)
    data = load_data(str(out))
    assert len(data.intent_examples) == count
    assert not any(m.get("entities") for m in data.intent_examples)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[name] parked on [plate] again", "name parked on plate again"),  # scrub placeholders become words
        ("sign [bent](badly)", "sign bent(badly)"),  # what Rasa would read as an entity annotation
        ("lights {out}", "lights (out)"),  # what Rasa would read as entity JSON
    ],
)
def test_training_text_has_no_markup(text, expected):
    assert training_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "call me on 07700 900123 about the pothole",  # a phone number
        "email jo.bloggs@example.org when it's fixed",  # an e-mail address
        "car AB12 CDE has not moved for weeks",  # a UK plate
    ],
)
def test_personal_data_left_in_a_row_is_caught(tmp_path, text):
    folder = tmp_path / "resident_texts"
    shutil.copytree(FOLDER, folder)
    row = {
        "id": "x:1", "text": text, "service_code": "pothole", "ambiguous": False, "alt": [], "repo": "a/b",
        "path": "p", "commit": "c", "record_id": "1", "licence": "MIT",
    }  # fmt: skip
    with (folder / "rows" / "london-fms.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(row) + "\n")
    assert any("personal data" in p for p in problems(folder, CODES))
