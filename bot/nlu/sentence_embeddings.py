"""Rasa NLU component: each message's meaning as a dense sentence feature (all-MiniLM-L6-v2).

The sparse word and character counts only know the words they were trained on; residents write "hoarding
covered in tags" or "the lamp by the bus stop is dead" in words our examples never used. A sentence
embedding puts those near the reports they mean. Places are already masked by `LocationExtractor` (it must
come first), so the embedding, like the counts, never learns streets.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import FEATURIZER_CLASS_ALIAS, TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.location_extractor import PLACE_TOKEN
from bot.nlu.minilm import MAX_TOKENS, MiniLM, shared_encoder

PLACE_WORDS = "this place"  # what the masked place reads as to the encoder


def masked_text(message: Message) -> str:
    """The message's words as the classifier sees them (places replaced), or its raw text without tokens."""
    tokens = message.get(TOKENS_NAMES[TEXT])
    if not tokens:
        return str(message.get(TEXT) or "")
    return " ".join(PLACE_WORDS if t.text == PLACE_TOKEN else t.text for t in tokens)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds a 384-dimensional sentence feature to every message's text."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """`max_tokens`: word pieces read per message.

        It is part of the config so that changing it retrains: Rasa's cache keys on config and data, not on
        a component's code.
        """
        return {**DenseFeaturizer.get_default_config(), "max_tokens": MAX_TOKENS}

    def __init__(self, config: dict[str, Any], name: str, encoder: MiniLM | None = None) -> None:
        super().__init__(name, config)
        self._encoder = encoder

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        """Creates the component; the weights load on first use, once per process."""
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Nothing to configure beyond the featurizer alias."""

    @property
    def encoder(self) -> MiniLM:
        """The MiniLM encoder (shared by every component in the process)."""
        if self._encoder is None:
            self._encoder = shared_encoder()
        return self._encoder

    def process(self, messages: list[Message]) -> list[Message]:
        """Sets the sentence feature of each message that has text (button payloads included)."""
        for message in messages:
            text = masked_text(message)
            if not text.strip():
                continue
            vector = self.encoder.embed(text, self._config["max_tokens"]).astype(np.float32).reshape(1, -1)
            message.add_features(
                Features(vector, FEATURE_TYPE_SENTENCE, TEXT, self._config[FEATURIZER_CLASS_ALIAS])
            )
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurizes the training examples exactly as `process` will at prediction time."""
        self.process([m for m in training_data.training_examples if m.get(TEXT)])
        return training_data
