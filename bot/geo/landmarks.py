"""Landmarks in a resident's text: by name, by alternative name, by alias, or by a near-miss of one."""

from __future__ import annotations

from dataclasses import dataclass

from bot.geo.names import NameIndex
from bot.geo.text import Token, fold
from citydata.folder import CityData, Landmark
from citydata.geometry import distance_m

# How good a point each kind of landmark is: a square's or a museum's centre is where people mean; a
# neighbourhood's centre is only roughly there; stops share their names with whole areas.
KIND_WEIGHT = {
    "neighbourhood": 0.7,
    "bus_stop": 0.85,
    "tram_stop": 0.85,
    "bus_station": 0.9,
    "artwork": 0.9,
    "memorial": 0.9,
    "building": 0.95,
    "hotel": 0.95,
    "hostel": 0.95,
    "embassy": 0.95,
}
DEFAULT_WEIGHT = 1.0
STOP_KINDS = frozenset({"bus_stop", "tram_stop"})
VIA_WEIGHT = {"name": 0.95, "alias": 0.95, "alt": 0.92}
AMBIGUOUS = 0.7  # the same name for places far apart ("S-Market"): we cannot tell which
SAME_PLACE_M = 300.0


@dataclass(frozen=True)
class Mention:
    """A landmark named in the text: which one, how sure, and where in the tokens ([start, end))."""

    landmark: Landmark
    score: float
    start: int
    end: int
    exact: bool


class LandmarkFinder:
    """Finds landmark names and aliases in token lists."""

    def __init__(self, city: CityData, edge_words: frozenset[str]) -> None:
        self._landmarks = city.landmarks
        streets = {fold(n) for n in city.street_names()} | {fold(a.street) for a in city.addresses}
        entries: list[tuple[str, tuple[int, str]]] = []
        by_name: dict[str, list[int]] = {}
        for index, landmark in enumerate(city.landmarks):
            by_name.setdefault(landmark.name, []).append(index)
            names = [(landmark.name, "name")] + [(alt, "alt") for alt in landmark.alt_names]
            for name, via in names:
                # A stop called after its street ("Simonkatu") would hijack the street's name.
                if landmark.kind in STOP_KINDS and fold(name) in streets:
                    continue
                entries.append((name, (index, via)))
        for alias in city.aliases.values():
            if alias.kind != "landmark":
                continue
            for index in by_name.get(alias.target, []):
                if alias.landmark_kind in (None, city.landmarks[index].kind):
                    entries.append((alias.alias, (index, "alias")))
        self._index: NameIndex[tuple[int, str]] = NameIndex(entries, edge_words, max_words=6)

    def find(self, tokens: list[Token]) -> list[Mention]:
        """Each landmark mention, with the best landmark for it."""
        found: list[Mention] = []
        for hit in self._index.find(tokens, allow_numbers=True):
            scored = sorted(
                ((hit.score * VIA_WEIGHT[via] * _weight(self._landmarks[i]), i) for i, via in hit.payloads),
                key=lambda item: (-item[0], item[1]),
            )
            best_score, best_index = scored[0]
            best = self._landmarks[best_index]
            rivals = [self._landmarks[i] for s, i in scored[1:] if s >= best_score - 1e-9]
            if any(distance_m(best.lat, best.lon, r.lat, r.lon) > SAME_PLACE_M for r in rivals):
                best_score *= AMBIGUOUS
            found.append(Mention(best, best_score, hit.start, hit.end, hit.exact))
        # "kamppi chapel" names the chapel, not also whatever "kamppi" alone would name.
        return [m for m in found if not any(_inside(m, other) for other in found if other.exact)]


def _inside(inner: Mention, outer: Mention) -> bool:
    return (
        outer.start <= inner.start
        and inner.end <= outer.end
        and (outer.end - outer.start) > (inner.end - inner.start)
    )


def _weight(landmark: Landmark) -> float:
    return KIND_WEIGHT.get(landmark.kind, DEFAULT_WEIGHT)
