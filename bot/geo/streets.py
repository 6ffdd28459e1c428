"""Street geometry in metres: a representative point of a street, and where two streets meet."""

from __future__ import annotations

from functools import lru_cache

from shapely.geometry import LineString, MultiLineString, Point
from shapely.ops import nearest_points

from citydata.folder import Street
from citydata.geometry import LocalProjection

MAX_GAP_M = 60.0  # two streets further apart than this do not meet: "the corner of X and Y" is refused
TOUCH_M = 15.0  # closer than this counts as meeting (dual carriageways, squares, data drawn apart)


class StreetMap:
    """All streets of a city projected to metres, with cached pairwise meeting points."""

    def __init__(self, streets: dict[str, Street], projection: LocalProjection) -> None:
        self._projection = projection
        self._lines: dict[str, MultiLineString] = {}
        for name, street in streets.items():
            parts = [LineString([projection.to_xy(lat, lon) for lon, lat in line]) for line in street.lines]
            parts = [p for p in parts if p.length > 0]
            if parts:
                self._lines[name] = MultiLineString(parts)
        self.meet = lru_cache(maxsize=4096)(self._meet)

    def __contains__(self, name: str) -> bool:
        return name in self._lines

    def midpoint(self, name: str) -> tuple[float, float] | None:
        """(lat, lon) halfway along the street's longest part, or None for an unknown street."""
        lines = self._lines.get(name)
        if lines is None:
            return None
        longest = max(lines.geoms, key=lambda g: g.length)
        point = longest.interpolate(0.5, normalized=True)
        return self._projection.to_latlon(point.x, point.y)

    def distance_m(self, name: str, lat: float, lon: float) -> float | None:
        """Metres from a point to the street, or None for an unknown street."""
        lines = self._lines.get(name)
        if lines is None:
            return None
        return float(lines.distance(Point(self._projection.to_xy(lat, lon))))

    def _meet(self, first: str, second: str) -> tuple[float, float, float] | None:
        """(lat, lon, gap in metres) where two streets cross or come closest; None beyond MAX_GAP_M."""
        a, b = self._lines.get(first), self._lines.get(second)
        if a is None or b is None or first == second:
            return None
        crossing = a.intersection(b)
        if not crossing.is_empty:
            points = [g for g in getattr(crossing, "geoms", [crossing])]
            centre = crossing.centroid
            # Several crossings (a street meeting both carriageways of another): the one nearest their middle.
            best = min(points, key=lambda g: (g.distance(centre), g.centroid.x, g.centroid.y)).centroid
            lat, lon = self._projection.to_latlon(best.x, best.y)
            return lat, lon, 0.0
        on_a, on_b = nearest_points(a, b)
        gap = float(on_a.distance(on_b))
        if gap > MAX_GAP_M:
            return None
        lat, lon = self._projection.to_latlon((on_a.x + on_b.x) / 2, (on_a.y + on_b.y) / 2)
        return lat, lon, gap
