"""Reads a resident's short answer to a yes/no question in their own words.

The intent classifier learns "yes" and "no" from examples; residents answer "ya thats rite", "yup",
"nah", "nope not that", "not sure", "dunno" or "skip". This reader is the plain-words floor under the
classifier: it looks at how the answer starts, and keeps what follows ("no, it's a manhole cover") so the
caller can treat it as a correction or a detail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Polarity = Literal["yes", "no", "unsure", "skip"]

UNSURE = (
    "not sure",
    "no idea",
    "dunno",
    "dont know",
    "don't know",
    "do not know",
    "idk",
    "no clue",
    "not certain",
    "unsure",
    "cant tell",
    "can't tell",
    "hard to say",
    "maybe",
    "possibly",
    "perhaps",
    "might be",
    "could be",
    "not 100",
    "i don't know",
    "i dont know",
    "im not sure",
    "i'm not sure",
    "i am not sure",
    "no sure",
    "not really sure",
    "who knows",
)
SKIP = (
    "skip",
    "pass",
    "next question",
    "rather not",
    "prefer not",
    "doesnt matter",
    "doesn't matter",
    "no matter",
    "n/a",
    "whatever",
    "move on",
)
NO = (
    "no",
    "nah",
    "nope",
    "nay",
    "naw",
    "noo",
    "negative",
    "not really",
    "not that",
    "not it",
    "not quite",
    "thats not",
    "that's not",
    "that is not",
    "its not",
    "it's not",
    "it is not",
    "wrong",
    "incorrect",
    "don't",
    "dont",
    "do not",
    "i don't",
    "i dont",
    "i can't",
    "i cant",
    "i cannot",
    "cant",
    "can't",
    "cannot",
    "not now",
    "no thanks",
    "no thank you",
    "never",
    "different",
    "a different",
    "another one",
    "not the same",
    "n",
)
YES = (
    "yes",
    "ya",
    "yah",
    "yeah",
    "yea",
    "yep",
    "yup",
    "ye",
    "yh",
    "yas",
    "y",
    "sure",
    "ok",
    "okay",
    "k",
    "kk",
    "correct",
    "right",
    "rite",
    "exactly",
    "affirmative",
    "absolutely",
    "definitely",
    "certainly",
    "indeed",
    "fine",
    "great",
    "perfect",
    "good",
    "aye",
    "please",
    "go ahead",
    "send",
    "send it",
    "do it",
    "thats it",
    "that's it",
    "that is it",
    "thats right",
    "that's right",
    "thats rite",
    "sounds good",
    "looks good",
    "all good",
    "spot on",
    "that's the one",
    "thats the one",
    "the same",
    "same",
    "of course",
    "alright",
    "all right",
    "no problem",
    "no worries",
    "not a problem",
    "uh huh",
    "mhm",
    "si",
    "oui",
    "ja",
    "true",
    "yes please",
    "👍",
    "✅",
    "👌",
)
# Said before the answer proper: "oh actually i can't, no", "hmm yeah".
FILLERS = (
    "right now",
    "at the moment",
    "atm",
    "now",
    "thanks",
    "thank you",
    "cheers",
    "mate",
    "please",
    "pls",
    "plz",
    "oh",
    "ah",
    "aah",
    "um",
    "umm",
    "hmm",
    "erm",
    "er",
    "uh",
    "well",
    "actually",
    "sorry",
    "lol",
    "haha",
    "hey",
    "so",
    "oops",
    "ugh",
    "honestly",
    "tbh",
    "i think",
    "i guess",
)
# Longer messages that only contain "maybe" or "not sure" somewhere are saying something else.
MAX_UNSURE_WORDS = 5
_EDGE = re.compile(r"^[\s\"'.,!?:;()\-]+|[\s\"'.,!?:;()\-]+$")
_REPEATS = re.compile(r"([a-z])\1{2,}")


@dataclass(frozen=True)
class ShortReply:
    """What a reply says to a yes/no question, and the words after that ("" when none)."""

    polarity: Polarity
    rest: str


def _normal(text: str) -> str:
    lowered = _REPEATS.sub(r"\1", text.lower().replace("\u2019", "'"))  # "yesss", "nooo"
    return " ".join(lowered.split())


def _starts_with(text: str, phrases: tuple[str, ...]) -> str | None:
    """The longest phrase the text starts with (as whole words), if any."""
    for phrase in sorted(phrases, key=len, reverse=True):
        if text == phrase or re.match(rf"{re.escape(phrase)}(?![\w'])", text):
            return phrase
    return None


def _strip(text: str, phrases: tuple[str, ...]) -> str:
    """The text without any run of these phrases at its start ("yeah yeah that's right" → "")."""
    while (phrase := _starts_with(text, phrases)) is not None:
        text = _EDGE.sub("", text[len(phrase) :])
    return text


def read_short_reply(text: str) -> ShortReply | None:
    """Yes, no, unsure or skip, from how the reply starts; None when it does not answer that way."""
    normal = _strip(_EDGE.sub("", _normal(text)), FILLERS)
    if not normal:
        return None
    # The longest opening wins: "no problem" is a yes, "no idea" is unsure, "no" is a no.
    matches = [
        (len(phrase), polarity, phrases)
        for polarity, phrases in (("unsure", UNSURE), ("skip", SKIP), ("no", NO), ("yes", YES))
        if (phrase := _starts_with(normal, phrases)) is not None
    ]
    if matches:
        _, polarity, phrases = max(matches, key=lambda m: m[0])
        rest = _strip(_strip(normal, phrases), FILLERS)  # "no sorry", "yes please thanks"
        return ShortReply(polarity, rest)  # type: ignore[arg-type]
    short = len(normal.split()) <= MAX_UNSURE_WORDS and not normal.endswith("?")
    if short and any(_starts_with(normal[m.start() :], UNSURE) for m in re.finditer(r"\b", normal)):
        return ShortReply("unsure", "")  # "hmm i'm honestly not sure"; not "maybe I got the day wrong"
    return None
