"""The Rasa component: places become `location` entities, and the classifier sees `__place__` instead."""

from __future__ import annotations

from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.location_extractor import PLACE_TOKEN, LocationExtractor


def tokenized(text: str) -> Message:
    message = Message({TEXT: text})
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([message])
    return message


def test_places_become_entities_and_are_masked_for_the_classifier():
    message = tokenized("huge pothole outside Mannerheimintie 5 near Stockmann")
    LocationExtractor({"city_data_dir": None}).process([message])
    assert [(e["value"], e["extractor"]) for e in message.get(ENTITIES)] == [
        ("Mannerheimintie 5", "LocationExtractor"),
        ("Stockmann", "LocationExtractor"),
    ]
    tokens = [t.text for t in message.get(TOKENS_NAMES[TEXT])]
    assert tokens == ["huge", "pothole", "outside", PLACE_TOKEN, "near", PLACE_TOKEN]


def test_training_examples_are_masked_the_same_way():
    message = tokenized("graffiti on the wall at Annankatu 12")
    message.set("intent", "report_graffiti")
    LocationExtractor({"city_data_dir": None}).process_training_data(TrainingData([message]))
    assert [t.text for t in message.get(TOKENS_NAMES[TEXT])][-1] == PLACE_TOKEN


def test_a_button_payload_is_left_alone():
    message = tokenized('/change_report{"report_field":"location"}')
    LocationExtractor({"city_data_dir": None}).process([message])
    assert message.get(ENTITIES, []) == []
