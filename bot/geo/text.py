"""Normalising what a resident typed: folded tokens, house numbers, coordinates and intersection cues.

Folding lowercases, drops accents (so "Lonnrotinkatu" meets "Lönnrotinkatu") and splits on punctuation, and
is applied the same way to the names in the city data.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Words that never start or end a place name: fuzzy matching skips spans that begin or end with one.
FUNCTION_WORDS = frozenset(
    {
        "a", "an", "the", "at", "on", "in", "by", "of", "to", "from", "for", "with", "near", "nearby", "next",
        "outside", "inside", "opposite", "behind", "front", "across", "beside", "between", "around", "along",
        "past", "off", "and", "or", "is", "it", "its", "s", "there", "here", "this", "that", "these", "those",
        "i", "we", "you", "my", "our", "your", "me", "us", "he", "she", "they", "them", "his", "her", "their",
        "be", "am", "are", "was", "were", "been", "has", "have", "had", "do", "does", "did", "please", "hi",
        "hello", "hey", "thanks", "thank", "just", "right", "left", "side", "end", "top", "where", "meets",
        "meet", "cross", "crosses", "x", "vs", "number", "no", "nr", "nro", "broken", "theres",
    }
)  # fmt: skip
# Words that describe a place rather than name it: a street's name never starts or ends with one.
PLACE_TYPE_WORDS = frozenset(
    {
        "corner", "junction", "intersection", "crossing", "street", "st", "road", "rd", "avenue", "ave", "av",
        "boulevard", "blvd", "lane", "ln", "square", "sq", "place", "pl", "close", "park", "station", "stop",
        "house", "building",
    }
)  # fmt: skip
STOPWORDS = FUNCTION_WORDS | PLACE_TYPE_WORDS

# Words and signs that join two streets into an intersection.
INTERSECTION_CUES = frozenset({"and", "meets", "meet", "corner", "junction", "intersection", "crossing", "x"})
INTERSECTION_SIGNS = frozenset({"&", "/", "+", "@"})

_TOKEN = re.compile(
    r"(?P<num>\d{1,4}(?:\s*-\s*\d{1,4})?(?:[a-z](?![a-z]))?)|(?P<word>[a-z]+)|(?P<sep>[&/+@])"
)
_COORDS = re.compile(
    r"(-?\d{1,3}\.\d{3,})\s*[,;]?\s+(-?\d{1,3}\.\d{3,})|(-?\d{1,3}\.\d{3,}),(-?\d{1,3}\.\d{3,})"
)


@dataclass(frozen=True)
class Token:
    """One folded token: `kind` is "word", "num" or "sep"."""

    text: str
    kind: str


def fold(text: str) -> str:
    """Lowercase, accents removed, only ASCII letters, digits and spaces ("Asema-aukio" -> "asema aukio")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("ß", "ss").replace("ø", "o").replace("æ", "ae")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def tokenize(text: str) -> list[Token]:
    """Tokens of a resident's text; "5a", "5" and "14-20" are numbers, "&" and "/" separators."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("\u2013", "-"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    tokens = []
    for match in _TOKEN.finditer(plain):
        kind = match.lastgroup or "word"
        value = re.sub(r"\s+", "", match.group()) if kind == "num" else match.group()
        tokens.append(Token(value, kind))
    return tokens


def name_tokens(name: str) -> tuple[str, ...]:
    """A name from the city data as folded words, the way `tokenize` would split it."""
    return tuple(fold(name).split())


def split_number(number: str) -> tuple[int, str]:
    """(number, upper-case letter) of a house number token: "5a" -> (5, "A"), "14-20" -> (14, "")."""
    match = re.match(r"(\d+)", number)
    value = int(match.group(1)) if match else 0
    letter = number[-1].upper() if number and number[-1].isalpha() and "-" not in number else ""
    return value, letter


def coordinates(text: str) -> list[tuple[float, float]]:
    """Decimal coordinate pairs written in the text, as (first, second) numbers in the order given."""
    pairs = []
    for match in _COORDS.finditer(text):
        first, second = (
            (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        )
        pairs.append((float(first), float(second)))
    return pairs
