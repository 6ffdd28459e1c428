"""Where the city is and which district (and so which crew) covers a point, with a spatial index.

Files (GeoJSON, WGS84 lon/lat): `boundary.geojson` (one Polygon/MultiPolygon feature, or a collection whose
union is the city) and `districts.geojson` (features with properties `name` and `agency`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union
from shapely.strtree import STRtree


@dataclass(frozen=True)
class District:
    """A service district: the area one crew (agency) covers."""

    name: str
    agency: str
    geometry: BaseGeometry


def _features(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if data.get("type") == "FeatureCollection":
        return list(data.get("features", []))
    if data.get("type") == "Feature":
        return [data]
    return [{"type": "Feature", "properties": {}, "geometry": data}]


class ServiceAreas:
    """The city boundary and its districts, answering point-in-area questions through an STRtree."""

    def __init__(self, boundary: BaseGeometry | None, districts: list[District]) -> None:
        self._districts = districts
        self._tree = STRtree([d.geometry for d in districts]) if districts else None
        if boundary is None and districts:
            boundary = unary_union([d.geometry for d in districts])
        self._boundary = boundary

    @classmethod
    def from_geojson(cls, boundary_path: Path | None, districts_path: Path | None) -> ServiceAreas:
        """Loads the areas from GeoJSON files; a missing districts file means one city-wide area."""
        boundary = None
        if boundary_path is not None and boundary_path.exists():
            boundary = unary_union([shape(f["geometry"]) for f in _features(boundary_path)])
        districts = []
        if districts_path is not None and districts_path.exists():
            for feature in _features(districts_path):
                props = feature.get("properties") or {}
                districts.append(
                    District(
                        name=str(props.get("name", "")),
                        agency=str(props.get("agency") or props.get("name", "")),
                        geometry=shape(feature["geometry"]),
                    )
                )
        return cls(boundary, districts)

    @classmethod
    def from_city_folder(cls, folder: Path) -> ServiceAreas:
        """Loads `boundary.geojson` and `districts.geojson` from a city data folder (cached per folder)."""
        return _cached_areas(Path(folder).resolve())

    @property
    def boundary(self) -> BaseGeometry | None:
        """The city's outline, or None when the folder defines none (then everywhere is inside)."""
        return self._boundary

    @property
    def districts(self) -> list[District]:
        """All districts, in file order."""
        return list(self._districts)

    def contains(self, lat: float, lon: float) -> bool:
        """Whether a point lies inside the city boundary (on the edge counts as inside)."""
        if self._boundary is None:
            return True
        return bool(self._boundary.intersects(Point(lon, lat)))

    def district_at(self, lat: float, lon: float) -> District | None:
        """The district containing a point, or None outside every district."""
        if self._tree is None:
            return None
        point = Point(lon, lat)
        for index in self._tree.query(point, predicate="intersects"):
            return self._districts[int(index)]
        return None


@lru_cache(maxsize=8)
def _cached_areas(folder: Path) -> ServiceAreas:
    return ServiceAreas.from_geojson(folder / "boundary.geojson", folder / "districts.geojson")
