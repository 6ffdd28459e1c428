"""Turning raw extract records into the de-duplicated, rounded, sorted records a city folder stores.

Everything here is a pure function of its input so that a build is byte-for-byte repeatable.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from shapely.geometry import LineString, MultiLineString
from shapely.ops import linemerge

from citydata import osm_tags
from citydata.osm_reader import Coord, RawAddress, RawLandmark, RawStreet

PRECISION = 6  # decimals of a degree: about 0.1 m
LANDMARK_MERGE_M = 250.0  # same name and kind closer than this is one place (both sides of a street, ...)

Inside = Callable[[float, float], bool]  # (lat, lon) -> inside the city


def rounded(value: float) -> float:
    """A coordinate rounded to the stored precision."""
    return round(value, PRECISION)


def street_records(streets: dict[str, RawStreet]) -> list[dict[str, Any]]:
    """One record per street name: alternative names and merged, rounded lines ([lon, lat] pairs)."""
    records = []
    for name in sorted(streets, key=lambda n: (n.casefold(), n)):
        street = streets[name]
        lines = _merged_lines(street.lines)
        if lines:
            records.append({"name": name, "alt_names": list(street.alt_names), "lines": lines})
    return records


def _merged_lines(lines: list[list[Coord]]) -> list[list[list[float]]]:
    parts = [LineString(line) for line in lines if len(set(line)) > 1]
    if not parts:
        return []
    merged = linemerge(MultiLineString(parts))
    geoms = list(getattr(merged, "geoms", [merged]))
    out = []
    for geom in geoms:
        coords: list[list[float]] = []
        for x, y in geom.coords:
            point = [rounded(x), rounded(y)]
            if not coords or coords[-1] != point:
                coords.append(point)
        if len(coords) > 1:
            out.append(coords)
    return sorted(out)


def address_records(addresses: list[RawAddress], inside: Inside) -> list[dict[str, Any]]:
    """One record per (street, house number): a building's centre wins over entrance and shop nodes."""
    best: dict[tuple[str, str], RawAddress] = {}
    for address in addresses:
        if not inside(address.lat, address.lon):
            continue
        key = (address.street, osm_tags.housenumber_key(address.housenumber))
        current = best.get(key)
        if current is None or (address.rank, address.osm_key) < (current.rank, current.osm_key):
            best[key] = address
    chosen = sorted(
        best.values(), key=lambda a: (a.street.casefold(), _number_order(a.housenumber), a.housenumber)
    )
    return [
        {"street": a.street, "housenumber": a.housenumber, "lat": rounded(a.lat), "lon": rounded(a.lon)}
        for a in chosen
    ]


def _number_order(number: str) -> int:
    digits = ""
    for char in number:
        if not char.isdigit():
            break
        digits += char
    return int(digits) if digits else 0


def landmark_records(landmarks: list[RawLandmark], inside: Inside, city_name: str) -> list[dict[str, Any]]:
    """Landmarks merged per name and kind within `LANDMARK_MERGE_M`, inside the city, sorted by name."""
    groups: dict[tuple[str, str], list[list[RawLandmark]]] = {}
    for item in sorted(landmarks, key=lambda lm: lm.osm_key):
        name, alts = _own_name(item, city_name)
        if not name or not inside(item.lat, item.lon):
            continue
        item = RawLandmark(name, alts, item.kind, item.lon, item.lat, item.osm_key)
        clusters = groups.setdefault((name, item.kind), [])
        for cluster in clusters:
            if _metres(cluster[0], item) <= LANDMARK_MERGE_M:
                cluster.append(item)
                break
        else:
            clusters.append([item])
    records = [_merge(cluster) for clusters in groups.values() for cluster in clusters]
    return sorted(records, key=lambda r: (r["name"].casefold(), r["name"], r["kind"], r["lat"], r["lon"]))


def _own_name(item: RawLandmark, city_name: str) -> tuple[str, list[str]]:
    """A landmark called just like the city (Helsinki's railway station node) is known by its next name."""
    if item.name.casefold() != city_name.casefold():
        return item.name, list(item.alt_names)
    alts = [a for a in item.alt_names if a.casefold() != city_name.casefold()]
    return (alts[0], alts[1:]) if alts else ("", [])


def _merge(cluster: list[RawLandmark]) -> dict[str, Any]:
    alt_names: list[str] = []
    for item in cluster:
        for alt in item.alt_names:
            if alt not in alt_names and alt != cluster[0].name:
                alt_names.append(alt)
    return {
        "name": cluster[0].name,
        "kind": cluster[0].kind,
        "alt_names": alt_names,
        "lat": rounded(sum(i.lat for i in cluster) / len(cluster)),
        "lon": rounded(sum(i.lon for i in cluster) / len(cluster)),
    }


def _metres(a: RawLandmark, b: RawLandmark) -> float:
    mean_lat = math.radians((a.lat + b.lat) / 2)
    dx = math.radians(b.lon - a.lon) * math.cos(mean_lat)
    dy = math.radians(b.lat - a.lat)
    return 6_371_000.0 * math.hypot(dx, dy)
