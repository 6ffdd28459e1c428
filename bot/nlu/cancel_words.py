"""Rasa NLU component: a message that opens with "forget it", "never mind" or "cancel" is a cancel.

Residents give up in few words and many moods ("ugh forget it, i'll deal with it later", "no. cancel",
"nah never mind"); a report they walk away from must never be filed because the classifier heard a
description or a "no". Runs after the classifiers and sets the intent when the opening words say cancel.
"""

from __future__ import annotations

import re

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.stateless import StatelessComponent

CANCEL = "cancel"
MAX_WORDS = 12  # a longer message is about something else, even if it opens this way
OPENING = re.compile(
    r"^\W*(?:(?:oh|ah|ugh|um+|hmm+|ok|okay|no|nah|nope|well|actually|sorry|wait|lol|just)\W+)*"
    r"(?:cancel|forget (?:it|about it|the whole thing|that)|never ?mind|nvm|don'?t bother|scrap that|"
    r"scratch that|drop it|stop the report|i(?:'ve| have)? changed my mind|don'?t send (?:it|anything))\b",
    re.IGNORECASE,
)


def says_cancel(text: str) -> bool:
    """Whether a short message opens with words that call the report off."""
    return len(text.split()) <= MAX_WORDS and OPENING.match(text.replace("\u2019", "'")) is not None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class CancelWords(StatelessComponent):
    """Sets the `cancel` intent for short messages that open with words calling the report off."""

    def process(self, messages: list[Message]) -> list[Message]:
        """Overrides the intent of messages that say cancel; leaves the others as classified."""
        for message in messages:
            if not says_cancel(str(message.get(TEXT) or "")):
                continue
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != CANCEL]
            message.set(INTENT, {"name": CANCEL, "confidence": 1.0}, add_to_output=True)
            message.set(
                INTENT_RANKING_KEY, [{"name": CANCEL, "confidence": 1.0}, *ranking], add_to_output=True
            )
        return messages
