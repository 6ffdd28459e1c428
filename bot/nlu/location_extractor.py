"""Rasa NLU component: adds `location` entities found by `PlaceFinder` (spaCy patterns over city names).

Not trainable: it reads the city data folder (`city_data_dir` in config.yml, or the CITY_DATA_DIR setting)
when the model loads, so a city can update its street list without retraining.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.place_finder import PlaceFinder
from bot.settings import PROJECT_ROOT, get_settings
from citydata.folder import load_city

ENTITY = "location"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
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
        """Adds the places found in each message as `location` entities."""
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # a button payload carries its own entities
            found = [
                {
                    "entity": ENTITY,
                    "start": p.start,
                    "end": p.end,
                    "value": p.text,
                    "confidence": 1.0,
                    "place_kind": p.kind,
                }
                for p in self.finder.find(text)
            ]
            if found:
                entities = message.get(ENTITIES, []) + self.add_extractor_name(found)
                message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data passes through untouched (the component learns nothing)."""
        return training_data
