"""The responses Rasa utters are kept with the other sentences; the generator writes them as training data."""

from __future__ import annotations

import pytest
import yaml

from bot.sentences import SentencesError, load
from bot.settings import PROJECT_ROOT, get_settings
from bot.tools.sentences_to_rasa import check, main, to_rasa
from tests.test_sentences import used_responses

GENERATED = PROJECT_ROOT / "nlu_data" / "generated" / "responses.yml"


def test_the_generated_file_is_what_the_sentences_make():
    if not GENERATED.exists():
        pytest.skip("nlu_data/generated/ is not built yet (make train or make validate builds it)")
    on_disk = yaml.safe_load(GENERATED.read_text(encoding="utf-8"))
    assert on_disk == to_rasa(load(get_settings().city_data_dir).responses), (
        "bot/sentences.yml changed since nlu_data/generated/responses.yml was written: "
        "run `python -m bot.tools.sentences_to_rasa` (make train does)"
    )


def test_every_response_the_rules_and_stories_use_is_written(tmp_path):
    out = tmp_path / "responses.yml"
    assert main(["--out", str(out)]) == 0
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["version"] == "3.1"
    assert used_responses() <= set(data["responses"])
    assert {"utter_greet", "utter_help", "utter_out_of_scope"} <= used_responses()  # the scan finds them


def test_a_city_file_changes_a_response(tmp_path):
    city, out = tmp_path / "city", tmp_path / "responses.yml"
    city.mkdir()
    (city / "sentences.yml").write_text(
        'responses:\n  utter_thanks:\n    - text: "Kiitos!"\n', encoding="utf-8"
    )
    assert main(["--city", str(city), "--out", str(out)]) == 0
    responses = yaml.safe_load(out.read_text(encoding="utf-8"))["responses"]
    assert responses["utter_thanks"] == [{"text": "Kiitos!"}]
    assert responses["utter_greet"] == load().responses["utter_greet"]


def test_a_mistake_in_the_city_file_stops_the_build(tmp_path, capsys):
    (tmp_path / "sentences.yml").write_text('status:\n  ask_numbr: "Numero?"\n', encoding="utf-8")
    assert main(["--city", str(tmp_path), "--out", str(tmp_path / "responses.yml")]) == 1
    assert "status.ask_numbr" in capsys.readouterr().err
    assert not (tmp_path / "responses.yml").exists()


@pytest.mark.parametrize(
    ("responses", "message"),
    [
        ({"greet": [{"text": "Hi"}]}, "must start with utter_"),
        ({"utter_greet": []}, "has no text"),
        ({"utter_greet": [{"txt": "Hi"}]}, "needs `text:`"),
        ({"utter_greet": [{"text": "Hi", "buttons": [{"title": "Go"}]}]}, "a title and a payload"),
    ],
)
def test_responses_not_in_rasas_shape_are_refused(responses, message):
    with pytest.raises(SentencesError, match=message):
        check(responses)
