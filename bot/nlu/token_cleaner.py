"""Rasa NLU component: how a report is written (capitals, emoji, links) never changes what it is about.

"POTHOLE!!! 😡 https://…/photo.jpg" and "pothole" must get the same answer. Tokens that are web addresses,
or that hold no letter or digit (emoji, arrows, stray symbols), are dropped from the token list that every
featurizer after this one reads, and the rest are lower-cased (the lexical featurizer would otherwise learn
that shouting means something). The message text itself is left as the resident wrote it: places, report
numbers and what staff read come from the text, not from these tokens.
"""

from __future__ import annotations

import re

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.stateless import StatelessComponent

URL = re.compile(r"^(https?://|www\.)|^[\w.-]+\.(com|org|net|gov|uk|io|ly|fi)(/|$)", re.IGNORECASE)


def is_noise(word: str) -> bool:
    """A web address, or a token with no letter or digit in it."""
    return bool(URL.search(word)) or not any(ch.isalnum() for ch in word)


def clean_tokens(message: Message) -> None:
    """Drops link and emoji tokens (keeping at least one token) and lower-cases the rest."""
    tokens = message.get(TOKENS_NAMES[TEXT])
    if not tokens:
        return
    kept = [t for t in tokens if not is_noise(t.text)] or tokens
    message.set(TOKENS_NAMES[TEXT], [Token(t.text.lower(), t.start, t.end, t.data, t.lemma) for t in kept])


# Registered as a featurizer so Rasa runs it on the training data too, right after the tokenizer.
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class TokenCleaner(StatelessComponent):
    """Drops link and emoji tokens and lower-cases the rest, before anything is counted or embedded."""

    def process(self, messages: list[Message]) -> list[Message]:
        """Cleans each message's tokens."""
        for message in messages:
            clean_tokens(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Cleans the training examples exactly as at prediction time."""
        self.process(training_data.training_examples)
        return training_data
