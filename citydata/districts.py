"""Service districts from administrative boundary relations, including relations the extract cut.

A relation whose members are all present is assembled by osmium and only clipped to the coverage. A relation
cut by the extract's bounding box cannot be assembled: its boundary ways stop at the box edge. Those ways
still split the covered rectangle into faces. Each loose end is joined to the nearest point of the box edge,
the lines are noded and polygonized together with the box outline, and each face goes to the one district
whose boundary ways all touch it (a way shared by two districts narrows the choice to those two, so two
ways usually settle it). Faces still ambiguous are settled by a place node named like a candidate district,
then by elimination; faces nobody claims stay unassigned and are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shapely.geometry import LineString, Point, Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points, polygonize, unary_union

from citydata.osm_reader import Coord, Relation, WayShape

_OVERSHOOT = 1e-6  # degrees pushed past the box edge so that noding always cuts the outline there
_TOUCH = 1e-9  # shared boundary length (degrees) that counts as "the way bounds this face"


@dataclass
class DistrictResult:
    """The districts that could be built, and what could not."""

    shapes: dict[str, BaseGeometry] = field(default_factory=dict)  # name -> polygon(s)
    assembled: list[str] = field(default_factory=list)  # built by osmium from complete relations
    reconstructed: list[str] = field(default_factory=list)  # built from clipped boundary lines
    missing: list[str] = field(default_factory=list)  # no area at all
    unassigned_area: float = 0.0  # share of the coverage that no district claimed


def coverage_polygon(bbox: tuple[float, float, float, float]) -> Polygon:
    """The rectangle an extract covers."""
    return box(*bbox)


def build_districts(
    relations: list[Relation],
    assembled: dict[int, BaseGeometry],
    ways: dict[int, WayShape],
    coverage: Polygon,
    labels: list[tuple[str, Coord]],
) -> DistrictResult:
    """Builds one (multi)polygon per district relation, clipped to the coverage.

    Args:
        relations: The district relations (each must have a `name` tag).
        assembled: Polygons osmium assembled, by relation id.
        ways: Present geometry of member ways, by way id.
        coverage: The area the extract covers.
        labels: Named points (place nodes) that may tell which district an ambiguous face belongs to.

    Returns:
        The district shapes by name, and which were assembled, reconstructed or missing.
    """
    result = DistrictResult()
    pending: list[Relation] = []
    for rel in sorted(relations, key=lambda r: (r.tags["name"], r.id)):
        shape = assembled.get(rel.id)
        clipped = shape.intersection(coverage) if shape is not None else None
        if clipped is not None and not clipped.is_empty and clipped.area > 0:
            result.shapes[rel.tags["name"]] = clipped
            result.assembled.append(rel.tags["name"])
        else:
            pending.append(rel)
    if pending:
        done = unary_union(list(result.shapes.values())) if result.shapes else None
        faces = _assign_faces(relations, pending, ways, coverage, labels)
        if done is not None:  # faces inside districts osmium assembled are already accounted for
            faces = [(face, owner) for face, owner in faces if not done.contains(face.representative_point())]
        for rel in pending:
            name = rel.tags["name"]
            mine = [face for face, owner in faces if owner == name]
            if mine:
                result.shapes[name] = unary_union(mine)
                result.reconstructed.append(name)
            else:
                result.missing.append(name)
        unassigned = sum(face.area for face, owner in faces if owner is None)
        result.unassigned_area = unassigned / coverage.area if coverage.area else 0.0
    return result


def _assign_faces(
    relations: list[Relation],
    pending: list[Relation],
    ways: dict[int, WayShape],
    coverage: Polygon,
    labels: list[tuple[str, Coord]],
) -> list[tuple[Polygon, str | None]]:
    owners: dict[int, set[str]] = {}
    for rel in relations:
        for kind, ref, _role in rel.members:
            if kind == "w" and ref in ways:
                owners.setdefault(ref, set()).add(rel.tags["name"])
    lines = {way_id: _boundary_lines(ways[way_id], coverage) for way_id in sorted(owners)}
    all_lines = [line for parts in lines.values() for line in parts]
    noded = unary_union([coverage.exterior, *all_lines])
    faces = sorted(
        (face for face in polygonize(noded) if face.representative_point().within(coverage)),
        key=lambda f: (round(f.centroid.x, 7), round(f.centroid.y, 7)),
    )
    wanted = {rel.tags["name"] for rel in pending}
    everyone = {rel.tags["name"] for rel in relations}
    candidates: list[set[str]] = []
    for face in faces:
        choice = set(everyone)
        for way_id, parts in lines.items():
            if any(face.boundary.intersection(part).length > _TOUCH for part in parts):
                choice &= owners[way_id]
        candidates.append(choice)
    owners_by_face = _settle(faces, candidates, labels)
    return [
        (face, owner if owner in wanted else None) for face, owner in zip(faces, owners_by_face, strict=True)
    ]


def _settle(
    faces: list[Polygon], candidates: list[set[str]], labels: list[tuple[str, Coord]]
) -> list[str | None]:
    settled: list[str | None] = [next(iter(c)) if len(c) == 1 else None for c in candidates]
    for index, (face, choice) in enumerate(zip(faces, candidates, strict=True)):
        if settled[index] is None and len(choice) > 1:
            named = sorted({name for name, (x, y) in labels if name in choice and face.contains(Point(x, y))})
            if len(named) == 1:
                settled[index] = named[0]
    changed = True
    while changed:  # a district already given a face elsewhere is the less likely owner of an ambiguous one
        changed = False
        for index, choice in enumerate(candidates):
            if settled[index] is None and len(choice) > 1:
                free = sorted(choice - {s for s in settled if s})
                if len(free) == 1:
                    settled[index] = free[0]
                    changed = True
    return settled


def _boundary_lines(shape: WayShape, coverage: Polygon) -> list[LineString]:
    """A way's present runs, each loose end joined to the box edge (and a hair beyond it)."""
    lines = []
    edge = coverage.exterior
    for run in shape.runs:
        coords = list(run.coords)
        if run.open_start:
            coords.insert(0, _to_edge(coords[0], edge))
        if run.open_end:
            coords.append(_to_edge(coords[-1], edge))
        if len(coords) > 1:
            lines.append(LineString(coords))
    return lines


def _to_edge(coord: Coord, edge: BaseGeometry) -> Coord:
    point = Point(coord)
    target = nearest_points(point, edge)[1]
    dx, dy = target.x - point.x, target.y - point.y
    length = (dx * dx + dy * dy) ** 0.5
    if length == 0:
        return coord
    scale = (length + _OVERSHOOT) / length
    return (point.x + dx * scale, point.y + dy * scale)
