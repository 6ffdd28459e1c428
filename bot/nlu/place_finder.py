"""Finds the place a resident names in free text: addresses, intersections, streets and landmarks.

A blank English spaCy pipeline (no model to download) with PhraseMatchers over the city's street names,
landmarks and aliases (from the city data folder, so another city swaps the folder), plus a few generic shapes
("<Name> Street 5", Finnish street suffixes) and fuzzy matching for misspelt street names. Case, missing
Finnish letters (ä→a) and English street words ("st", "street") are tolerated; house numbers are optional.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import spacy
from rapidfuzz import fuzz, process
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from citydata.folder import CityData

STREET_WORDS = frozenset(
    [
        "street",
        "st",
        "st.",
        "str",
        "road",
        "rd",
        "rd.",
        "avenue",
        "ave",
        "ave.",
        "av",
        "boulevard",
        "blvd",
        "lane",
        "ln",
        "square",
        "sq",
        "sq.",
        "katu",
        "tie",
    ]
)
# English words residents add after a place's name ("Esplanadi park", "Senate Square", "Kamppi centre").
LANDMARK_SUFFIXES = frozenset(
    [
        "park",
        "square",
        "station",
        "church",
        "cathedral",
        "market",
        "hall",
        "library",
        "museum",
        "theatre",
        "theater",
        "hotel",
        "centre",
        "center",
        "mall",
        "stop",
        "bridge",
        "harbour",
        "harbor",
        "hill",
        "gallery",
        "beach",
        "chapel",
        "tower",
        "playground",
    ]
)
CONNECTORS = frozenset({"and", "&", "/", "x", "+"})
HOUSE_NUMBER = re.compile(r"^\d{1,4}[a-z]?$", re.IGNORECASE)
RANGE = re.compile(r"^\d{1,4}[a-z]?[-\u2013]\d{1,4}[a-z]?$", re.IGNORECASE)  # hyphen or en dash
LETTER = re.compile(r"^[a-h]$", re.IGNORECASE)
FINNISH_STREET = re.compile(
    r"^[a-zåäö-]{3,}(katu|kadun|tie|kuja|tori|aukio|ranta|puistikko|puisto|polku|piha|väylä|vayla|kaari|"
    r"penger|silta|käytävä|kaytava|esplanadi)$",
    re.IGNORECASE,
)
# Landmark names that are ordinary English words would fire on everyday sentences.
COMMON_WORDS = frozenset(
    [
        "armour",
        "forum",
        "keidas",
        "silmä",
        "lidl",
        "helsinki",
        "keskusta",
        "metrolinjat",
        "kalat",
        "kotkia",
        "sarastus",
        "hehku",
        "portinvartija",
        "luckan",
        "pukukoppi",
    ]
)
FUZZY_CUTOFF = 86
MIN_FUZZY_LENGTH = 7


def fold_keep_offsets(text: str) -> str:
    """Lower case without accents, keeping the length (ä→a, ö→o, å→a), so offsets stay valid."""
    out = []
    for char in text.lower():
        base = unicodedata.normalize("NFKD", char)[0]
        out.append(base if base.isascii() or not char.isalpha() else char)
    return "".join(out)


@dataclass(frozen=True)
class FoundPlace:
    """A place named in a text: character offsets, the text as written, and what kind of place."""

    start: int
    end: int
    text: str
    kind: str  # "address" | "intersection" | "street" | "landmark"


class PlaceFinder:
    """Finds places in messages, using one city's names."""

    def __init__(self, city: CityData) -> None:
        self._nlp = spacy.blank("en")
        self._streets = PhraseMatcher(self._nlp.vocab, attr="LOWER")
        self._landmarks = PhraseMatcher(self._nlp.vocab, attr="LOWER")
        # Streets with addresses but no line inside the data's area still have names residents use.
        street_names = {fold_keep_offsets(n) for n in city.street_names()}
        street_names |= {fold_keep_offsets(a.street) for a in city.addresses}
        landmark_names = {fold_keep_offsets(n) for n in city.landmark_names()} - street_names
        self._street_list = sorted(street_names)
        self._add(self._streets, street_names)
        self._add(self._landmarks, {n for n in landmark_names if len(n) >= 4 and n not in COMMON_WORDS})
        # Names that are also everyday words count only when written with a capital ("near Forum").
        self._capitalised_only = PhraseMatcher(self._nlp.vocab, attr="LOWER")
        self._add(self._capitalised_only, {n for n in landmark_names if n in COMMON_WORDS})

    def _add(self, matcher: PhraseMatcher, names: set[str]) -> None:
        for name in sorted(names):
            matcher.add(name, [self._nlp.make_doc(name)])

    def find(self, text: str) -> list[FoundPlace]:
        """Every place in the text, longest first, none overlapping."""
        if not text or not text.strip():
            return []
        doc = self._nlp.make_doc(fold_keep_offsets(text))
        spans = self._base_spans(doc, text)
        spans = [self._extend(doc, text, start, end, kind) for start, end, kind in spans]
        spans = self._join_intersections(doc, sorted(spans))
        found = []
        for s, e, kind in self._non_overlapping(spans):
            if e - s > 1 and doc[s].text == "the":
                s += 1  # "the Ateneum": the article is not part of the name
            begin, finish = doc[s].idx, doc[e - 1].idx + len(doc[e - 1])
            found.append(FoundPlace(begin, finish, text[begin:finish], kind))
        return found

    # -- finding ---------------------------------------------------------------------------------

    def _base_spans(self, doc: Doc, original: str) -> list[tuple[int, int, str]]:
        spans = [(s, e, "street") for _, s, e in self._streets(doc)]
        spans += [(s, e, "landmark") for _, s, e in self._landmarks(doc)]
        spans += [
            (s, e, "landmark")
            for _, s, e in self._capitalised_only(doc)
            if _capitalised(original, doc[s].idx)
        ]
        covered = {i for s, e, _ in spans for i in range(s, e)}
        for token in doc:
            if token.i in covered or not token.is_alpha:
                continue
            if (
                FINNISH_STREET.match(token.text)
                or self._fuzzy_street(token.text)
                or _generic_english_street(doc, original, token.i)
            ):
                spans.append((token.i, token.i + 1, "street"))
            elif _generic_english_place(doc, original, token.i):
                spans.append((token.i, token.i + 1, "landmark"))
        return spans

    def _fuzzy_street(self, word: str) -> bool:
        if len(word) < MIN_FUZZY_LENGTH:
            return False
        best = process.extractOne(word, self._street_list, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        return best is not None

    # -- shaping ---------------------------------------------------------------------------------

    @staticmethod
    def _extend(doc: Doc, original: str, start: int, end: int, kind: str) -> tuple[int, int, str]:
        """Adds English street words and a house number after, or a house number before."""
        if kind == "landmark":
            while end < len(doc) and doc[end].text in LANDMARK_SUFFIXES:
                end += 1
            return start, end, kind
        if kind != "street":
            return start, end, kind
        while end < len(doc) and doc[end].text in STREET_WORDS:
            end += 1
        if end < len(doc) and (HOUSE_NUMBER.match(doc[end].text) or RANGE.match(doc[end].text)):
            end += 1
            kind = "address"
            dash = end + 1 < len(doc) and doc[end].text in ("-", "\u2013")
            if dash and HOUSE_NUMBER.match(doc[end + 1].text):
                end += 2  # "19-21", which the tokenizer splits in three
            if end < len(doc) and LETTER.match(doc[end].text) and _letter_belongs(doc, original, end):
                end += 1
        elif start > 0 and HOUSE_NUMBER.match(doc[start - 1].text):
            start -= 1
            kind = "address"
        return start, end, kind

    @staticmethod
    def _join_intersections(doc: Doc, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        joined: list[tuple[int, int, str]] = []
        for span in spans:
            if joined:
                prev = joined[-1]
                gap = doc[prev[1] : span[0]]
                is_street = prev[2] in ("street", "address") and span[2] in ("street", "address")
                if is_street and len(gap) == 1 and gap[0].text in CONNECTORS:
                    joined[-1] = (prev[0], span[1], "intersection")
                    continue
            joined.append(span)
        return joined

    @staticmethod
    def _non_overlapping(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        chosen: list[tuple[int, int, str]] = []
        for span in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0])):
            if all(span[1] <= c[0] or span[0] >= c[1] for c in chosen):
                chosen.append(span)
        return sorted(chosen, key=lambda s: -(s[1] - s[0]))


def _generic_english_street(doc: Doc, original: str, i: int) -> bool:
    """A capitalised name followed by a street word ("Elm St", "Main Street")."""
    token = doc[i]
    nxt = doc[i + 1] if i + 1 < len(doc) else None
    return (
        nxt is not None
        and nxt.text in STREET_WORDS - {"katu", "tie"}
        and len(token.text) >= 3
        and not token.is_stop
        and _capitalised(original, token.idx)
    )


def _generic_english_place(doc: Doc, original: str, i: int) -> bool:
    """A capitalised name followed by a place word ("Senate Square", "Observatory Hill")."""
    token = doc[i]
    nxt = doc[i + 1] if i + 1 < len(doc) else None
    return (
        nxt is not None
        and nxt.text in LANDMARK_SUFFIXES
        and len(token.text) >= 3
        and token.is_alpha
        and not token.is_stop
        and _capitalised(original, token.idx)
        and _capitalised(original, nxt.idx)
    )


def _capitalised(original: str, index: int) -> bool:
    """Whether the word at `index` was written with a capital (text in all capitals says nothing)."""
    return original[index].isupper() and not original.isupper()


def _letter_belongs(doc: Doc, original: str, i: int) -> bool:
    """A lone letter after a house number ("5 A") is part of the address, unless it is the word "a"."""
    written = original[doc[i].idx]
    at_end = i + 1 >= len(doc) or not doc[i + 1].is_alpha
    return written.isupper() or (at_end and written != "a")
