"""Reading an OpenStreetMap extract (.osm.pbf or .osm XML) with pyosmium into plain Python records.

Extracts cut at a bounding box keep ways whose nodes lie partly outside: those nodes are simply missing. Every
way is therefore kept as "runs" of consecutive nodes that are present, and each run remembers whether the
way went on past either end (an open end), so that later steps can tell clipped lines from real ends.
Relations (districts, multipolygon landmarks) are assembled with osmium's area support when all their members
are present; the member ways are kept as well, for relations the extract cut.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import osmium
from shapely import wkb
from shapely.geometry import MultiPoint, Point, Polygon
from shapely.geometry.base import BaseGeometry

from citydata import osm_tags

Coord = tuple[float, float]  # (lon, lat)


@dataclass
class Run:
    """Consecutive present nodes of a way; `open_start`/`open_end`: the way went on beyond the extract."""

    coords: list[Coord]
    open_start: bool
    open_end: bool


@dataclass
class WayShape:
    """A way's geometry as far as the extract has it."""

    runs: list[Run]
    closed: bool  # every node present and first node == last node

    def points(self) -> list[Coord]:
        """All present node locations, in order."""
        return [c for run in self.runs for c in run.coords]


@dataclass
class Relation:
    """A relation of interest with its members (type "n"/"w"/"r", ref, role)."""

    id: int
    tags: dict[str, str]
    members: list[tuple[str, int, str]]


@dataclass
class RawAddress:
    """One addressed object; `rank` orders duplicates (0 building, 1 bare address node, 2 POI node)."""

    street: str
    housenumber: str
    lon: float
    lat: float
    rank: int
    osm_key: tuple[str, int]


@dataclass
class RawLandmark:
    """One named place before de-duplication."""

    name: str
    alt_names: list[str]
    kind: str
    lon: float
    lat: float
    osm_key: tuple[str, int]


@dataclass
class RawStreet:
    """All highway ways sharing one name."""

    name: str
    alt_names: list[str] = field(default_factory=list)
    lines: list[list[Coord]] = field(default_factory=list)


@dataclass
class Extract:
    """Everything the build needs from one extract."""

    bbox: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat
    bbox_source: str  # "header" or "nodes"
    data_date: str  # newest edit in the extract, YYYY-MM-DD
    admin_names: dict[str, list[str]]  # admin_level -> names of boundary relations
    streets: dict[str, RawStreet]
    addresses: list[RawAddress]
    landmarks: list[RawLandmark]
    districts: list[Relation]
    assembled: dict[int, BaseGeometry]  # relation id -> polygon assembled by osmium
    member_ways: dict[int, WayShape]


def read_extract(path: Path, district_level: str = "10") -> Extract:
    """Reads an extract in two passes (relations first, then nodes and ways with locations and areas).

    Args:
        path: An .osm.pbf or .osm file.
        district_level: The `admin_level` of the relations that become service districts.

    Returns:
        The raw streets, addresses, landmarks and district relations of the extract.
    """
    relations = _read_relations(path, district_level)
    reader = _Pass2(relations)
    reader.run(path)
    bbox, bbox_source = _bbox(path, reader)
    return Extract(
        bbox=bbox,
        bbox_source=bbox_source,
        data_date=reader.newest[:10] if reader.newest else "",
        admin_names=relations.admin_names,
        streets=reader.streets,
        addresses=reader.addresses + reader.relation_addresses(),
        landmarks=reader.landmarks + reader.relation_landmarks(),
        districts=relations.districts,
        assembled=reader.assembled,
        member_ways=reader.member_ways,
    )


@dataclass
class _Relations:
    districts: list[Relation] = field(default_factory=list)
    landmarks: list[Relation] = field(default_factory=list)
    addressed: list[Relation] = field(default_factory=list)
    admin_names: dict[str, list[str]] = field(default_factory=dict)

    def member_way_ids(self) -> set[int]:
        rels = self.districts + self.landmarks + self.addressed
        return {ref for rel in rels for (kind, ref, _role) in rel.members if kind == "w"}

    def ids(self) -> set[int]:
        return {rel.id for rel in self.districts + self.landmarks + self.addressed}


def _read_relations(path: Path, district_level: str) -> _Relations:
    found = _Relations()
    for rel in osmium.FileProcessor(str(path), osmium.osm.RELATION):
        if not isinstance(rel, osmium.osm.Relation):
            continue
        tags = {t.k: t.v for t in rel.tags}
        members = [(m.type, m.ref, m.role) for m in rel.members]
        record = Relation(rel.id, tags, members)
        if tags.get("boundary") == "administrative" and tags.get("name"):
            level = tags.get("admin_level", "")
            found.admin_names.setdefault(level, []).append(tags["name"])
            if level == district_level:
                found.districts.append(record)
            continue
        if tags.get("type") not in ("multipolygon", "boundary"):
            continue
        if osm_tags.landmark_name(tags):
            found.landmarks.append(record)
        elif osm_tags.address_parts(tags):
            found.addressed.append(record)
    for names in found.admin_names.values():
        names.sort()
    return found


class _Pass2:
    """Nodes, ways and assembled areas, in file order."""

    def __init__(self, relations: _Relations) -> None:
        self.relations = relations
        self.needed_ways = relations.member_way_ids()
        self.streets: dict[str, RawStreet] = {}
        self.addresses: list[RawAddress] = []
        self.landmarks: list[RawLandmark] = []
        self.assembled: dict[int, BaseGeometry] = {}
        self.member_ways: dict[int, WayShape] = {}
        self.node_bounds: list[float] = [180.0, 90.0, -180.0, -90.0]
        self.newest = ""
        self._wkb = osmium.geom.WKBFactory()

    def run(self, path: Path) -> None:
        rel_ids = self.relations.ids()
        processor = osmium.FileProcessor(str(path)).with_locations()
        if rel_ids:
            # Only the relations we asked for are assembled; closed ways also come back as areas (ignored).
            processor = processor.with_areas(osmium.filter.IdFilter(rel_ids))
        for obj in processor:
            if isinstance(obj, osmium.osm.Changeset):
                continue
            stamp = obj.timestamp.isoformat() if obj.timestamp else ""
            self.newest = max(self.newest, stamp)
            if isinstance(obj, osmium.osm.Node):
                self._node(obj)
            elif isinstance(obj, osmium.osm.Way):
                self._way(obj)
            elif isinstance(obj, osmium.osm.Area) and not obj.from_way() and obj.orig_id() in rel_ids:
                self._area(obj)

    def _node(self, node: osmium.osm.Node) -> None:
        if not node.location.valid():
            return
        lon, lat = node.location.lon, node.location.lat
        b = self.node_bounds
        b[0], b[1], b[2], b[3] = min(b[0], lon), min(b[1], lat), max(b[2], lon), max(b[3], lat)
        if "name" not in node.tags and "addr:housenumber" not in node.tags:
            return
        tags = {t.k: t.v for t in node.tags}
        parts = osm_tags.address_parts(tags)
        if parts:
            rank = 2 if tags.get("name") else 1
            self.addresses.append(RawAddress(parts[0], parts[1], lon, lat, rank, ("n", node.id)))
        landmark = osm_tags.landmark_name(tags)
        if landmark:
            alts = osm_tags.alt_names(tags, landmark[0], osm_tags.LANDMARK_ALT_NAME_KEYS)
            self.landmarks.append(RawLandmark(landmark[0], alts, landmark[1], lon, lat, ("n", node.id)))

    def _way(self, way: osmium.osm.Way) -> None:
        tags = {t.k: t.v for t in way.tags}
        name = osm_tags.street_name(tags)
        parts = osm_tags.address_parts(tags)
        landmark = osm_tags.landmark_name(tags)
        if not (name or parts or landmark or way.id in self.needed_ways):
            return
        shape = _way_shape(way)
        if way.id in self.needed_ways:
            self.member_ways[way.id] = shape
        if name:
            street = self.streets.setdefault(name, RawStreet(name))
            for alt in osm_tags.alt_names(tags, name):
                if alt not in street.alt_names:
                    street.alt_names.append(alt)
            street.lines.extend(run.coords for run in shape.runs if len(run.coords) > 1)
        if not (parts or landmark):
            return
        centre = _centre(shape)
        if centre is None:
            return
        if parts:
            self.addresses.append(RawAddress(parts[0], parts[1], centre.x, centre.y, 0, ("w", way.id)))
        if landmark:
            alts = osm_tags.alt_names(tags, landmark[0], osm_tags.LANDMARK_ALT_NAME_KEYS)
            self.landmarks.append(
                RawLandmark(landmark[0], alts, landmark[1], centre.x, centre.y, ("w", way.id))
            )

    def _area(self, area: osmium.osm.Area) -> None:
        try:
            geometry = wkb.loads(self._wkb.create_multipolygon(area), hex=True)
        except (RuntimeError, ValueError):  # osmium could not build valid rings: treat as not assembled
            return
        if not geometry.is_empty and geometry.is_valid:
            self.assembled[area.orig_id()] = geometry

    def relation_addresses(self) -> list[RawAddress]:
        found = []
        for rel in self.relations.addressed:
            parts = osm_tags.address_parts(rel.tags)
            centre = self._relation_centre(rel)
            if parts and centre is not None:
                found.append(RawAddress(parts[0], parts[1], centre.x, centre.y, 0, ("r", rel.id)))
        return found

    def relation_landmarks(self) -> list[RawLandmark]:
        found = []
        for rel in self.relations.landmarks:
            landmark = osm_tags.landmark_name(rel.tags)
            centre = self._relation_centre(rel)
            if landmark and centre is not None:
                alts = osm_tags.alt_names(rel.tags, landmark[0], osm_tags.LANDMARK_ALT_NAME_KEYS)
                found.append(RawLandmark(landmark[0], alts, landmark[1], centre.x, centre.y, ("r", rel.id)))
        return found

    def _relation_centre(self, rel: Relation) -> Point | None:
        if rel.id in self.assembled:
            return self.assembled[rel.id].centroid
        points = [
            c
            for kind, ref, role in rel.members
            if kind == "w" and role in ("outer", "") and ref in self.member_ways
            for c in self.member_ways[ref].points()
        ]
        return _hull_centre(points)


def _way_shape(way: osmium.osm.Way) -> WayShape:
    runs: list[Run] = []
    current: list[Coord] = []
    missing_before = False
    nodes = list(way.nodes)
    for node in nodes:
        if node.location.valid():
            current.append((node.location.lon, node.location.lat))
            continue
        if current:
            runs.append(Run(current, missing_before, True))
            current = []
        missing_before = True
    if current:
        runs.append(Run(current, missing_before, False))
    complete = len(runs) == 1 and not runs[0].open_start and not runs[0].open_end
    closed = complete and len(nodes) > 3 and nodes[0].ref == nodes[-1].ref
    return WayShape(runs, closed)


def _centre(shape: WayShape) -> Point | None:
    points = shape.points()
    if not points:
        return None
    if shape.closed:
        polygon = Polygon(points)
        if polygon.is_valid and polygon.area > 0:
            return polygon.centroid
    return _hull_centre(points)


def _hull_centre(points: Iterable[Coord]) -> Point | None:
    unique = sorted(set(points))
    if not unique:
        return None
    return MultiPoint(unique).convex_hull.centroid


def _bbox(path: Path, reader: _Pass2) -> tuple[tuple[float, float, float, float], str]:
    with osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING) as header_reader:
        box = header_reader.header().box()
    if box.valid():
        return (box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat), "header"
    b = reader.node_bounds
    return (b[0], b[1], b[2], b[3]), "nodes"
