"""Loading a city folder: the committed demo city, aliases, caching and broken folders."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
import yaml

from citydata import build
from citydata.folder import CityData, CityDataError, load_city
from tests.fixtures.city import CITY_TEST_DATA, DEMO_CITY


def _raw_aliases() -> dict[str, dict[str, list[str]]]:
    return yaml.safe_load((DEMO_CITY / "aliases.yml").read_text(encoding="utf-8"))


def test_demo_city_loads_with_its_parts(city: CityData) -> None:
    assert city.name == "Helsinki"
    assert city.folder == DEMO_CITY.resolve()
    mannerheimintie = city.streets["Mannerheimintie"]
    assert mannerheimintie.lines and all(len(line) >= 2 for line in mannerheimintie.lines)
    lon, lat = mannerheimintie.lines[0][0]
    assert 24.9 < lon < 25.0 and 60.1 < lat < 60.2  # stored as (lon, lat)
    assert any(a.label == "Mannerheimintie 5" for a in city.addresses)
    assert {lm.kind for lm in city.landmarks} >= {"square", "station", "park", "library", "museum"}
    assert len(city.areas.districts) == 6
    assert city.areas.district_at(60.1704, 24.9522).name == "Kruununhaka"  # the cathedral


def test_names_include_alternatives_and_aliases(city: CityData) -> None:
    streets = city.street_names()
    assert "Mannerheimintie" in streets and "Mannerheimvägen" in streets  # name:sv
    assert "north esplanade" in streets  # alias
    landmarks = city.landmark_names()
    assert "Kauppatori" in landmarks and "Market Square" in landmarks  # name:en
    assert "central station" in landmarks  # alias
    assert streets == sorted(streets, key=lambda n: (n.casefold(), n))


def test_every_alias_points_at_the_data(city: CityData) -> None:
    raw = _raw_aliases()
    written = [alias for section in raw.values() for names in section.values() for alias in names]
    assert len(written) >= 30
    assert len(city.aliases) == len(set(written)), "an alias target is missing from the data (see the log)"
    assert city.aliases["railway square"].target == "Rautatientori"
    assert city.aliases["railway square"].landmark_kind == "square"
    assert city.aliases["Kamppi"].kind == "landmark"
    assert city.aliases["manski"].kind == "street"


def test_services_come_from_the_catalogue(city: CityData, tmp_path: Path) -> None:
    assert city.services and all(s.service_code for s in city.services)
    build.build_city(CITY_TEST_DATA / "tiny.osm", tmp_path)
    assert load_city(tmp_path).services == ()  # no services.yml: an empty catalogue


def test_loading_is_cached_per_folder(city: CityData, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DEMO_CITY.parent)
    assert load_city(Path("helsinki")) is city
    assert load_city(DEMO_CITY) is city


def test_unknown_alias_targets_are_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    build.build_city(CITY_TEST_DATA / "tiny.osm", tmp_path)
    (tmp_path / "aliases.yml").write_text(
        "landmarks:\n  Testikirjasto: [the library]\n  Nowhere Hall: [nowhere]\n"
        "  Koepuisto [park]: [the park]\n  Koepuisto [museum]: [no such museum]\n"
        "streets:\n  Testikatu: [test street]\n",
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="citydata.folder"):
        city = load_city(tmp_path)
    assert set(city.aliases) == {"the library", "the park", "test street"}
    assert "Nowhere Hall" in caplog.text and "Koepuisto [museum]" in caplog.text


def test_missing_or_broken_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(CityDataError, match=r"city\.json is missing"):
        load_city(tmp_path / "empty")
    broken = tmp_path / "broken"
    shutil.copytree(DEMO_CITY, broken)
    (broken / "addresses.json").write_text('[{"street": "Mannerheimintie"}]', encoding="utf-8")
    with pytest.raises(CityDataError, match="malformed"):
        load_city(broken)
    (broken / "streets.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CityDataError, match="not valid JSON"):
        load_city(broken)
