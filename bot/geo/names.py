"""Finding known names (streets, landmarks, aliases) inside a resident's text, exactly or with typos.

Every run of up to a few consecutive tokens is a candidate span. A span equal to a folded name is an exact
hit; other spans are compared with rapidfuzz against names of the same word count, in one vectorised call,
and kept when they are close enough for the name's length (short names must match exactly).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
from rapidfuzz import fuzz, process

from bot.geo.text import Token, name_tokens

T = TypeVar("T")

MIN_FUZZY_CHARS = 5  # names shorter than this only match exactly


@dataclass(frozen=True)
class NameHit(Generic[T]):
    """A name found in the text: what it names, how well it matched and where (token span [start, end))."""

    payloads: tuple[T, ...]
    score: float
    start: int
    end: int
    name: str
    exact: bool


def required_ratio(name: str) -> float:
    """The rapidfuzz ratio a span needs to count as a typo of `name`: stricter for shorter names."""
    length = len(name.replace(" ", ""))
    if length >= 10:
        return 84.0
    if length >= 7:
        return 86.0
    return 90.0


def fuzzy_score(ratio: float) -> float:
    """Match quality 0..1 for a rapidfuzz ratio: 100 -> 1.0, 90 -> 0.75, 84 -> 0.6."""
    return max(0.0, 1.0 - (100.0 - ratio) * 0.025)


class NameIndex(Generic[T]):
    """Folded names -> payloads, searched in token lists.

    Args:
        names: (name as written, payload) pairs; several payloads may share a name.
        edge_words: Words a fuzzy span may not start or end with (function words, "street", ...).
        max_words: Longest span tried, in tokens.
    """

    def __init__(
        self, names: Iterable[tuple[str, T]], edge_words: frozenset[str], max_words: int = 6
    ) -> None:
        self._exact: dict[tuple[str, ...], list[T]] = {}
        for name, payload in names:
            for words in _variants(name_tokens(name)):
                bucket = self._exact.setdefault(words, [])
                if payload not in bucket:
                    bucket.append(payload)
        self._edge_words = edge_words
        self._max_words = max(1, min(max_words, max((len(k) for k in self._exact), default=1)))
        self._by_count: dict[int, list[tuple[str, ...]]] = {}
        for words in sorted(self._exact):
            if len(" ".join(words)) >= MIN_FUZZY_CHARS:
                self._by_count.setdefault(len(words), []).append(words)
        self._choices = {n: [" ".join(w) for w in keys] for n, keys in self._by_count.items()}

    def find(self, tokens: list[Token], allow_numbers: bool = False) -> list[NameHit[T]]:
        """Every exact hit, and the best fuzzy hit of each span that has no exact one."""
        hits: list[NameHit[T]] = []
        fuzzy_spans: dict[int, list[tuple[int, int, str]]] = {}
        for start in range(len(tokens)):
            for end in range(start + 1, min(len(tokens), start + self._max_words) + 1):
                words = tuple(t.text for t in tokens[start:end])
                if any(t.kind == "sep" or (t.kind == "num" and not allow_numbers) for t in tokens[start:end]):
                    break
                payloads = self._exact.get(words)
                if payloads:
                    hits.append(NameHit(tuple(payloads), 1.0, start, end, " ".join(words), True))
                elif self._fuzzy_candidate(tokens[start:end]):
                    fuzzy_spans.setdefault(end - start, []).append((start, end, " ".join(words)))
        for count, spans in fuzzy_spans.items():
            hits.extend(self._fuzzy(count, spans))
        return hits

    def _fuzzy_candidate(self, span: list[Token]) -> bool:
        if span[0].text in self._edge_words or span[-1].text in self._edge_words:
            return False
        if span[0].kind != "word":
            return False
        return len("".join(t.text for t in span)) >= MIN_FUZZY_CHARS - 1

    def _fuzzy(self, count: int, spans: list[tuple[int, int, str]]) -> list[NameHit[T]]:
        choices = self._choices.get(count)
        if not choices:
            return []
        queries = [text for _s, _e, text in spans]
        matrix = process.cdist(
            queries, choices, scorer=fuzz.ratio, score_cutoff=80, dtype=np.uint8, workers=1
        )
        hits = []
        for row, (start, end, _text) in enumerate(spans):
            column = int(np.argmax(matrix[row]))
            ratio = float(matrix[row, column])
            name = choices[column]
            if ratio >= required_ratio(name):
                payloads = tuple(self._exact[self._by_count[count][column]])
                hits.append(NameHit(payloads, fuzzy_score(ratio), start, end, name, False))
        return hits


def _variants(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """A name, and without a leading article if two words remain ("the railway station" -> "railway station").

    "the cathedral" stays whole: a bare "cathedral" would also match "Uspenski cathedral".
    """
    variants = [words] if words else []
    if len(words) > 2 and words[0] in ("the", "a", "an"):
        variants.append(words[1:])
    return variants
