"""The geocoder: what a resident typed as a place -> a point inside the city, with a confidence score.

Offline first, from the city data folder: written coordinates, addresses ("Mannerheimintie 5 A", "5
Mannerheimintie"), intersections ("corner of Annankatu and Bulevardi"), landmarks and aliases ("by the
cathedral"), then a street alone. Typos and missing Finnish letters are forgiven at a lower score. An
optional Nominatim-compatible server is asked only when nothing offline matches. No place outside the city
boundary is ever returned.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot.geo.addresses import AddressBook
from bot.geo.landmarks import LandmarkFinder
from bot.geo.names import NameIndex
from bot.geo.nominatim import NominatimClient
from bot.geo.streets import TOUCH_M, StreetMap
from bot.geo.text import (
    FUNCTION_WORDS,
    INTERSECTION_CUES,
    INTERSECTION_SIGNS,
    STOPWORDS,
    Token,
    coordinates,
    tokenize,
)
from citydata.folder import CityData, load_city
from citydata.geometry import LocalProjection

logger = logging.getLogger(__name__)

MIN_SCORE = 0.3  # below this a guess is not worth offering
STREET_ONLY = 0.6  # a street without a number: somewhere along it
STREET_REFUSED = 0.25  # a street from an intersection that does not exist: not offered
NUMBER_GIVEN = 0.5  # a street whose house number was given: its middle is a poor second to the address
INTERSECTION = 0.95
INTERSECTION_NEAR = 0.8  # the streets come within MAX_GAP_M but do not touch
NO_CUE = 0.9  # two streets named without "and", "&", "corner", ...: probably, not surely, their corner
ONLINE = 0.5
MAX_TOKENS = 60  # longer texts are cut: a place is never described in more words than this
_NUMBER_WORDS = frozenset({"no", "nr", "nro", "number"})
_SPECIFICITY = {"point": 5, "address": 4, "intersection": 3, "landmark": 2, "street": 1}


@dataclass(frozen=True)
class Place:
    """A geocoded place: a label to show the resident, a point, its kind and how sure we are (0..1)."""

    label: str
    lat: float
    lon: float
    kind: str  # "address" | "intersection" | "landmark" | "street" | "point"
    score: float
    district: str | None


@dataclass(frozen=True)
class _StreetHit:
    street: str
    score: float
    start: int
    end: int


class Geocoder:
    """Geocodes residents' place descriptions against one city's data."""

    def __init__(self, city: CityData, http: NominatimClient | None = None) -> None:
        self.city = city
        self._http = http
        centre = city.info.get("centre") or {}
        lat0 = float(centre.get("lat", city.addresses[0].lat if city.addresses else 0.0))
        lon0 = float(centre.get("lon", city.addresses[0].lon if city.addresses else 0.0))
        projection = LocalProjection(lat0, lon0)
        self._streets = StreetMap(city.streets, projection)
        self._addresses = AddressBook(city.addresses, projection)
        self._street_index: NameIndex[str] = NameIndex(_street_names(city), STOPWORDS, max_words=5)
        self._landmarks = LandmarkFinder(city, FUNCTION_WORDS)

    @classmethod
    def from_settings(cls, settings: Any) -> Geocoder:
        """A geocoder for `settings.city_data_dir`, online fallback when `settings.geocoder_url` is set."""
        city = load_city(settings.city_data_dir)
        http = None
        if settings.geocoder_url:
            bbox = city.info.get("bbox")
            viewbox = (bbox[0], bbox[1], bbox[2], bbox[3]) if bbox and len(bbox) == 4 else None
            http = NominatimClient(settings.geocoder_url, settings.geocoder_timeout, viewbox)
        return cls(city, http)

    def geocode(self, text: str) -> Place | None:
        """The best place for a resident's description, or None when nothing convincing matches."""
        found = self.candidates(text, limit=1)
        return found[0] if found else None

    def candidates(self, text: str, limit: int = 3) -> list[Place]:
        """Up to `limit` places for the text, best first (each at least MIN_SCORE, all inside the city)."""
        if not text or not text.strip():
            return []
        places = self._offline(text)
        if not places and self._http is not None:
            places = self._online(text)
        best: dict[tuple[str, str], Place] = {}
        for place in places:
            key = (place.kind, place.label)
            if place.score >= MIN_SCORE and (key not in best or place.score > best[key].score):
                best[key] = place
        ranked = sorted(best.values(), key=lambda p: (-p.score, -_SPECIFICITY[p.kind], p.label))
        return ranked[: max(0, limit)]

    def reverse(self, lat: float, lon: float, max_distance_m: float = 150) -> Place | None:
        """The nearest address to a point (its label and position), or None if none is that close."""
        if not self.in_city(lat, lon):
            return None
        nearest = self._addresses.nearest(lat, lon)
        if nearest is not None and nearest[1] <= max_distance_m:
            address, gap = nearest
            score = round(max(MIN_SCORE, 1.0 - gap / max(max_distance_m, 1.0) * 0.5), 3)
            return self._place(address.label, address.lat, address.lon, "address", score)
        if self._http is not None:
            result = self._http.reverse(lat, lon)
            if result is not None and result.label:
                return self._place(result.label, lat, lon, "point", ONLINE)
        return None

    def in_city(self, lat: float, lon: float) -> bool:
        """Whether a point lies inside the city boundary (callers refuse points outside)."""
        return self.city.areas.contains(lat, lon)

    # -- offline lookups -------------------------------------------------------------------------------

    def _offline(self, text: str) -> list[Place]:
        places = self._written_points(text)
        tokens = tokenize(text)[:MAX_TOKENS]
        mentions = self._landmarks.find(tokens)
        streets = self._street_hits(tokens, [(m.start, m.end) for m in mentions if m.exact])
        street_spans = [(h.start, h.end) for h in streets if h.score >= 1.0]
        addresses, numbered = self._address_places(tokens, streets)
        places += addresses
        crossings, refused = self._intersection_places(tokens, streets)
        places += crossings
        for m in mentions:
            # A near-miss of a landmark's name that is exactly a street's name means the street.
            if m.exact or not any(_overlaps((m.start, m.end), span) for span in street_spans):
                places.append(
                    self._place(m.landmark.name, m.landmark.lat, m.landmark.lon, "landmark", m.score)
                )
        for hit in streets:
            factor = STREET_REFUSED if refused else STREET_ONLY
            if hit.street in numbered:
                factor *= NUMBER_GIVEN  # a house number was given: the street's middle is a poor second
            point = self._streets.midpoint(hit.street) or self._address_point(hit.street)
            if point is not None:
                places.append(self._place(hit.street, point[0], point[1], "street", factor * hit.score))
        return [p for p in places if self.in_city(p.lat, p.lon)]

    def _written_points(self, text: str) -> list[Place]:
        places = []
        for first, second in coordinates(text):
            for lat, lon in ((first, second), (second, first)):
                if -90 <= lat <= 90 and -180 <= lon <= 180 and self.in_city(lat, lon):
                    places.append(self._place(f"{lat:.5f}, {lon:.5f}", lat, lon, "point", 1.0))
                    break
        return places

    def _street_hits(self, tokens: list[Token], landmark_spans: list[tuple[int, int]]) -> list[_StreetHit]:
        """The best non-overlapping street mentions, in text order; near-misses of landmark names dropped."""
        hits = [
            _StreetHit(street, hit.score, hit.start, hit.end)
            for hit in self._street_index.find(tokens)
            for street in hit.payloads
            if hit.exact or not any(_overlaps((hit.start, hit.end), span) for span in landmark_spans)
        ]
        hits.sort(key=lambda h: (-h.score, -(h.end - h.start), h.start, h.street))
        chosen: list[_StreetHit] = []
        for hit in hits:
            if all(hit.end <= c.start or hit.start >= c.end for c in chosen):
                chosen.append(hit)
        return sorted(chosen, key=lambda h: h.start)

    def _address_places(self, tokens: list[Token], streets: list[_StreetHit]) -> tuple[list[Place], set[str]]:
        """Addresses for street mentions with a house number, and the streets that had one."""
        places = []
        numbered = set()
        for hit in streets:
            for number in _numbers_near(tokens, hit):
                numbered.add(hit.street)
                found = self._addresses.lookup(hit.street, number)
                if found is not None:
                    a = found.address
                    label = f"near {a.label}" if found.near else a.label
                    places.append(self._place(label, a.lat, a.lon, "address", found.score * hit.score))
                    break
        return places, numbered

    def _intersection_places(
        self, tokens: list[Token], streets: list[_StreetHit]
    ) -> tuple[list[Place], bool]:
        """Places where two mentioned streets meet, and whether a requested intersection was refused."""
        distinct: list[_StreetHit] = []
        for hit in streets:
            if all(hit.street != d.street for d in distinct):
                distinct.append(hit)
        if len(distinct) < 2:
            return [], False
        cue = any(t.text in INTERSECTION_CUES or t.text in INTERSECTION_SIGNS for t in tokens)
        places = []
        for i, first in enumerate(distinct[:4]):
            for second in distinct[i + 1 : 4]:
                met = self._streets.meet(first.street, second.street)
                if met is None:
                    continue
                lat, lon, gap = met
                score = (INTERSECTION if gap <= TOUCH_M else INTERSECTION_NEAR) * min(
                    first.score, second.score
                )
                label = f"{first.street} & {second.street}"
                places.append(self._place(label, lat, lon, "intersection", score * (1.0 if cue else NO_CUE)))
        return places, cue and not places

    def _address_point(self, street: str) -> tuple[float, float] | None:
        """For a street known only from addresses: its middle address."""
        address = self._addresses.middle(street)
        return (address.lat, address.lon) if address else None

    # -- helpers ---------------------------------------------------------------------------------------

    def _online(self, text: str) -> list[Place]:
        assert self._http is not None
        result = self._http.search(text)
        if result is None or not self.in_city(result.lat, result.lon):
            return []
        return [self._place(result.label or "map point", result.lat, result.lon, "point", ONLINE)]

    def _place(self, label: str, lat: float, lon: float, kind: str, score: float) -> Place:
        district = self.city.areas.district_at(lat, lon)
        return Place(
            label,
            round(lat, 6),
            round(lon, 6),
            kind,
            round(min(1.0, score), 3),
            district.name if district else None,
        )


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _street_names(city: CityData) -> list[tuple[str, str]]:
    names = [(n, s.name) for s in city.streets.values() for n in (s.name, *s.alt_names)]
    names += [(a.street, a.street) for a in city.addresses if a.street not in city.streets]
    names += [(alias.alias, alias.target) for alias in city.aliases.values() if alias.kind == "street"]
    return names


def _numbers_near(tokens: list[Token], hit: _StreetHit) -> list[str]:
    """House numbers written right after a street ("Mannerheimintie 5 A", "... no 5") or before it ("5 X")."""
    found = []
    after = hit.end
    if after < len(tokens) and tokens[after].text in _NUMBER_WORDS:
        after += 1
    if after < len(tokens) and tokens[after].kind == "num":
        number = tokens[after].text
        following = tokens[after + 1] if after + 1 < len(tokens) else None
        if (
            following is not None
            and following.kind == "word"
            and len(following.text) == 1
            and number.isdigit()
        ):
            found.append(number + following.text)  # "5 a": try "5A" first, "5" next
        found.append(number)
    before = hit.start - 1
    if before >= 0 and tokens[before].kind == "num":
        found.append(tokens[before].text)
    return found
