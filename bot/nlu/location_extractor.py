"""Rasa NLU component: `location` entities from `PlaceFinder`, and the place hidden from the classifier.

Places come from spaCy patterns over the city's names. The place's tokens are replaced by one `__place__`
token, in training and at prediction alike, so the classifier learns "a pothole at <somewhere>" rather than
memorising which streets had potholes in the training data: what a resident reports should not depend on
where. It reads the city data folder
(`city_data_dir` in config.yml, or the CITY_DATA_DIR setting) when the model loads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.place_finder import PlaceFinder
from bot.settings import PROJECT_ROOT, get_settings
from citydata.folder import load_city

ENTITY = "location"
PLACE_TOKEN = "__place__"  # noqa: S105 - a token, not a password


def mask_places(message: Message, spans: list[tuple[int, int]]) -> None:
    """Replaces the tokens inside each place span with a single `__place__` token."""
    tokens = message.get(TOKENS_NAMES[TEXT])
    if not tokens or not spans:
        return
    masked: list[Token] = []
    for token in tokens:
        span = next(((s, e) for s, e in spans if token.start < e and token.end > s), None)
        if span is None:
            masked.append(token)
        elif not masked or masked[-1].text != PLACE_TOKEN or masked[-1].start != span[0]:
            masked.append(Token(PLACE_TOKEN, span[0], span[1]))
    message.set(TOKENS_NAMES[TEXT], masked)


# A featurizer too, so that Rasa runs it on the training data before the classifier learns from it.
@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=False,
)
class LocationExtractor(GraphComponent, EntityExtractorMixin):
    """Finds addresses, intersections, streets and landmarks of the city in messages."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """`city_data_dir`: the city folder (default: the CITY_DATA_DIR setting)."""
        return {"city_data_dir": None}

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config
        self._finder: PlaceFinder | None = None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LocationExtractor:
        """Creates the component (the city data is read on first use)."""
        return cls(config)

    @property
    def finder(self) -> PlaceFinder:
        """The place finder of the configured city, built on first use."""
        if self._finder is None:
            folder = self._config.get("city_data_dir")
            path = Path(folder) if folder else get_settings().city_data_dir
            self._finder = PlaceFinder(load_city(path if path.is_absolute() else PROJECT_ROOT / path))
        return self._finder

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds the places found in each message as `location` entities and masks them for the classifier."""
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # a button payload carries its own entities
            places = self.finder.find(text)
            if not places:
                continue
            found = [
                {"entity": ENTITY, "start": p.start, "end": p.end, "value": p.text, "confidence": 1.0}
                for p in places
            ]
            entities = message.get(ENTITIES, []) + self.add_extractor_name(found)
            message.set(ENTITIES, entities, add_to_output=True)
            mask_places(message, [(p.start, p.end) for p in places])
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Masks the places in training examples exactly as `process` will at prediction time."""
        for message in training_data.training_examples:
            text = message.get(TEXT)
            if text and not text.startswith("/"):
                mask_places(message, [(p.start, p.end) for p in self.finder.find(text)])
        return training_data
