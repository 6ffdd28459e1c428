"""Staff edit the FAQ file; the generator turns it into Rasa retrieval intents and responses."""

from __future__ import annotations

import pytest
import yaml

from bot.tools.faq_to_rasa import FaqError, load_entries, main, to_rasa


def write(tmp_path, entries) -> None:
    (tmp_path / "faq.yml").write_text(yaml.safe_dump({"faq": entries}))


def test_the_city_knowledge_base_has_at_least_30_distinct_entries(tmp_path):
    out = tmp_path / "faq_rasa.yml"
    assert main(["--out", str(out)]) == 0
    data = yaml.safe_load(out.read_text())
    assert len(data["nlu"]) >= 30
    assert all(block["intent"].startswith("faq/") for block in data["nlu"])
    assert set(data["responses"]) == {f"utter_{b['intent']}" for b in data["nlu"]}


def test_each_entry_becomes_a_retrieval_intent_and_its_answer(tmp_path):
    write(
        tmp_path,
        [
            {
                "key": "bulky_waste",
                "title": "t",
                "questions": ["old sofa?", "big items?"],
                "answer": "Book a  pickup.\n",
            }
        ],
    )
    data = to_rasa(load_entries(tmp_path / "faq.yml"))
    assert data["nlu"] == [{"intent": "faq/bulky_waste", "examples": "- big items?\n- old sofa?\n"}]
    assert data["responses"] == {"utter_faq/bulky_waste": [{"text": "Book a pickup."}]}


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([{"key": "Bad Key", "questions": ["a", "b"], "answer": "x"}], "lower_snake_case"),  # key style
        ([{"key": "a", "questions": ["a", "b"], "answer": "x"}] * 2, "used twice"),  # duplicate keys
        ([{"key": "a", "questions": ["only one"], "answer": "x"}], "two questions"),  # too few questions
        ([{"key": "a", "questions": ["a", "b"], "answer": " "}], "no answer"),  # empty answer
    ],
)
def test_mistakes_in_the_file_are_explained(tmp_path, entries, message):
    write(tmp_path, entries)
    with pytest.raises(FaqError, match=message):
        load_entries(tmp_path / "faq.yml")
