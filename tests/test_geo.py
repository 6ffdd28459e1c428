"""The geocoder on the committed demo city, and the optional Nominatim client against a fake on loopback."""

from __future__ import annotations

import json
import logging
import socket
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from bot.geo import Geocoder, NominatimClient, Place, distance_m
from citydata import build
from citydata.folder import CityData, load_city
from tests.fixtures.city import CITY_TEST_DATA
from tests.fixtures.loopback import LoopbackServer, QuietHandler

STOCKMANN = (60.1687, 24.9416)


def _best(geocoder: Geocoder, text: str) -> Place:
    place = geocoder.geocode(text)
    assert place is not None, f"nothing found for {text!r}"
    return place


# -- addresses ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label", "min_score"),
    [
        ("Mannerheimintie 5", "Mannerheimintie 5", 0.99),  # as written on a letter
        ("5 Mannerheimintie", "Mannerheimintie 5", 0.99),  # number first
        ("MANNERHEIMINTIE 5", "Mannerheimintie 5", 0.99),  # case
        ("it's outside mannerheimintie 5 by the kiosk", "Mannerheimintie 5", 0.99),  # a whole sentence
        ("Mannerheimintie 3b", "Mannerheimintie 3 B", 0.99),  # letter glued to the number
        ("Mannerheimintie 3 B", "Mannerheimintie 3 B", 0.99),  # letter apart
        ("Mannerheimintie no 7", "Mannerheimintie 7", 0.99),  # "no" between street and number
        ("Siltasaarenkatu 6-10", "Siltasaarenkatu 6-10", 0.99),  # a range, as written
        ("Iso Roobertinkatu 3", "Iso Roobertinkatu 3-5", 0.85),  # the number opens a range
        ("Lonnrotinkatu 11", "Lönnrotinkatu 11", 0.99),  # Finnish letters typed without dots
    ],
)
def test_addresses(geocoder: Geocoder, text: str, label: str, min_score: float) -> None:
    place = _best(geocoder, text)
    assert (place.kind, place.label) == ("address", label)
    assert place.score >= min_score


@pytest.mark.parametrize(
    "text",
    [
        "mannerheimintie 5a",  # a letter the building does not have
        "Mannerheimintie 5 A",
    ],
)
def test_address_with_an_unknown_letter_falls_back_to_the_number(geocoder: Geocoder, text: str) -> None:
    place = _best(geocoder, text)
    assert (place.kind, place.label) == ("address", "Mannerheimintie 5")
    assert 0.7 <= place.score < 0.99


def test_unknown_house_number_gives_the_nearest_on_the_same_side_with_a_lower_score(
    geocoder: Geocoder,
) -> None:
    exact = _best(geocoder, "Fredrikinkatu 26")
    nearest = _best(geocoder, "Fredrikinkatu 20")
    assert nearest.kind == "address" and nearest.label.startswith("Fredrikinkatu ")
    number = int(nearest.label.split()[-1].rstrip("AB"))
    assert number % 2 == 0  # even numbers are on one side of a Helsinki street
    assert nearest.score < exact.score and nearest.score < 0.7
    assert _best(geocoder, "Mannerheimintie 999").score <= 0.45  # far from any real number: barely a guess


def test_an_address_found_the_address_comes_before_its_street(geocoder: Geocoder) -> None:
    kinds = [p.kind for p in geocoder.candidates("Mannerheimintie 5", limit=3)]
    assert kinds[0] == "address" and "street" in kinds[1:]


# -- streets and intersections -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "street"),
    [
        ("Mannerheimintie", "Mannerheimintie"),
        ("Annankatu street", "Annankatu"),  # English street word added
        ("Bulevardi st", "Bulevardi"),
        ("on the boulevard", "Bulevardi"),  # alias
        ("Lonnrotinkatu", "Lönnrotinkatu"),  # missing Finnish letters
        ("Eerikinktu", "Eerikinkatu"),  # typo
        ("Simonkatu", "Simonkatu"),  # not the tram stop of the same name
        ("Hakaniemen torikatu", "Hakaniemen torikatu"),  # not a near-miss of the square "Hakaniemen tori"
    ],
)
def test_a_street_alone_is_a_point_on_that_street(geocoder: Geocoder, text: str, street: str) -> None:
    place = _best(geocoder, text)
    assert (place.kind, place.label) == ("street", street)
    assert 0.4 <= place.score <= 0.6
    assert geocoder._streets.distance_m(street, place.lat, place.lon) == pytest.approx(0.0, abs=1.0)


def test_typos_score_lower_than_exact_names(geocoder: Geocoder) -> None:
    assert _best(geocoder, "Eerikinktu").score < _best(geocoder, "Eerikinkatu").score
    typo = _best(geocoder, "Mannerheimintei 5")
    assert (typo.kind, typo.label) == ("address", "Mannerheimintie 5") and 0.6 < typo.score < 1.0


@pytest.mark.parametrize(
    "text",
    [
        "corner of Annankatu and Bulevardi",
        "Annankatu & Bulevardi",
        "Annankatu/Bulevardi",
        "where Annankatu meets Bulevardi",
        "bulevardi x annankatu",  # reversed order, lower case
    ],
)
def test_intersections(geocoder: Geocoder, text: str) -> None:
    place = _best(geocoder, text)
    assert place.kind == "intersection"
    assert set(place.label.split(" & ")) == {"Annankatu", "Bulevardi"}
    assert place.score >= 0.9
    for street in ("Annankatu", "Bulevardi"):
        assert geocoder._streets.distance_m(street, place.lat, place.lon) < 15
    assert place.district == "Kamppi"


def test_streets_far_apart_do_not_make_a_corner(geocoder: Geocoder) -> None:
    # Mannerheimintie and Hakaniemenranta are a kilometre apart: no corner, and no half-guess either.
    assert geocoder.geocode("corner of Mannerheimintie and Hakaniemenranta") is None


# -- landmarks ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("outside the Ateneum", "Ateneum"),
        ("near the central station", "Helsingin päärautatieasema"),  # alias
        ("by Stockmann", "Stockmann"),
        ("market square", "Kauppatori"),  # name:en in the data
        ("there is a big hole in the road next to the market square please fix", "Kauppatori"),
        ("Oodi", "Helsingin keskustakirjasto Oodi"),
        ("central library", "Helsingin keskustakirjasto Oodi"),
        ("the cathedral", "Helsingin tuomiokirkko"),
        ("Helsinki Cathedral", "Helsingin tuomiokirkko"),
        ("Esplanadi park", "Esplanadinpuisto"),
        ("Espa", "Esplanadinpuisto"),
        ("the Esplanade", "Esplanadinpuisto"),
        ("Kaisaniemi park", "Kaisaniemen puisto"),
        ("railway square", "Rautatientori"),
        ("Hakaniemi market", "Hakaniemen tori"),
        ("Kamppi", "Narinkkatori"),  # the square in front of the Kamppi centre
        ("Kamppi centre", "Narinkkatori"),
        ("senate square", "Senaatintori"),
        ("Kasarmitori", "Kasarmitori"),  # a square that is also a street: the square's centre
        ("Stokman", "Stockmann"),  # typo
        ("near kamppi chapel", "Kampin kappeli"),  # the longer name wins over "Kamppi" inside it
        ("by the old church", "Vanha kirkko"),
        ("Havis Amanda", "Havis Amanda"),  # an artwork
    ],
)
def test_landmarks_and_aliases(geocoder: Geocoder, text: str, label: str) -> None:
    place = _best(geocoder, text)
    assert (place.kind, place.label) == ("landmark", label)
    assert place.score >= 0.6


def test_landmark_is_placed_where_it_is(geocoder: Geocoder) -> None:
    stockmann = _best(geocoder, "by Stockmann")
    assert distance_m(stockmann.lat, stockmann.lon, *STOCKMANN) < 80
    assert stockmann.district == "Kluuvi"
    assert _best(geocoder, "the cathedral").district == "Kruununhaka"


# -- nonsense, coordinates, the boundary --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "asdfgh qwerty",
        "the pothole is huge",
        "my house",
        "",
        "   ",
        "bus stop",  # a kind of place, not a place
        "Helsinki",  # the whole city
        "12345",
        "Uspenski cathedral",  # a cathedral outside the demo data: not Helsinki Cathedral
        "corner of Fredrikinkatu and Eerikinkatu",  # they meet just outside the extract
    ],
)
def test_nonsense_gives_nothing(geocoder: Geocoder, text: str) -> None:
    assert geocoder.geocode(text) is None
    assert geocoder.candidates(text) == []


def test_written_coordinates_are_a_point_inside_the_city(geocoder: Geocoder) -> None:
    place = _best(geocoder, "60.16990, 24.93840")
    assert (place.kind, place.lat, place.lon, place.score) == ("point", 60.1699, 24.9384, 1.0)
    assert place.district == "Kluuvi"
    assert _best(geocoder, "24.93840 60.16990").lat == 60.1699  # lon first
    assert geocoder.geocode("60.2055, 24.6559") is None  # Espoo: outside the demo city


def test_points_outside_the_boundary(geocoder: Geocoder) -> None:
    assert geocoder.in_city(60.1699, 24.9384)
    assert not geocoder.in_city(60.1800, 24.9384)  # just north of the extract
    assert not geocoder.in_city(60.1699, 24.9600)  # just east of it
    assert geocoder.reverse(60.1800, 24.9384) is None


def test_geocode_never_returns_a_place_outside_the_boundary(tmp_path: Path) -> None:
    build.build_city(CITY_TEST_DATA / "tiny.osm", tmp_path)
    # Shrink the city to the western half: Rajatie and the park lie in the east.
    (tmp_path / "boundary.geojson").write_text(
        json.dumps(
            {
                "type": "Polygon",
                "coordinates": [[[24.0, 60.0], [24.01, 60.0], [24.01, 60.01], [24.0, 60.01], [24.0, 60.0]]],
            }
        ),
        encoding="utf-8",
    )
    geocoder = Geocoder(load_city(tmp_path))
    assert geocoder.geocode("Rajatie") is None
    assert geocoder.geocode("Test Park") is None
    assert _best(geocoder, "Testikatu 1").label == "Testikatu 1"
    assert all(geocoder.in_city(p.lat, p.lon) for p in geocoder.candidates("Testikatu", limit=10))


# -- reverse geocoding --------------------------------------------------------------------------------------


def test_reverse_a_point_ten_metres_from_an_address(geocoder: Geocoder, city: CityData) -> None:
    target = next(a for a in city.addresses if a.label == "Mannerheimintie 5")
    lat = target.lat + 10 / 111_320  # 10 m north
    place = geocoder.reverse(lat, target.lon)
    assert place is not None
    assert (place.kind, place.label) == ("address", "Mannerheimintie 5")
    assert distance_m(lat, target.lon, place.lat, place.lon) == pytest.approx(10, abs=1)


def test_reverse_gives_nothing_far_from_any_address(geocoder: Geocoder) -> None:
    # The middle of Kaisaniemi park: no address within 50 m.
    assert geocoder.reverse(60.1749, 24.9455, max_distance_m=50) is None


def test_distance_m() -> None:
    assert distance_m(60.0, 24.0, 61.0, 24.0) == pytest.approx(111_195, rel=1e-3)
    assert distance_m(60.1699, 24.9384, 60.1699, 24.9384) == 0.0


# -- speed --------------------------------------------------------------------------------------------------

PHRASES = [
    "Mannerheimintie 5", "5 Mannerheimintie", "mannerheimintie 5a", "Fredrikinkatu 20",
    "it's outside mannerheimintie 5 by the kiosk", "corner of Annankatu and Bulevardi", "Annankatu/Bulevardi",
    "outside the Ateneum", "near the central station", "by Stockmann", "Mannerheimintei 5", "Lonnrotinkatu",
    "Eerikinktu", "Annankatu street", "asdfgh qwerty", "Kamppi centre", "the cathedral", "Hakaniemi market",
    "there is a big hole in the road next to the market square please fix",
    "corner of Mannerheimintie and Hakaniemenranta",
]  # fmt: skip


def test_geocoding_is_fast(city: CityData) -> None:
    geocoder = Geocoder(city)  # a fresh one: the first (uncached) lookups count too
    timings = []
    for _round in range(5):
        for text in PHRASES:
            start = time.perf_counter()
            geocoder.candidates(text)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p50, p95 = statistics.median(timings), timings[int(len(timings) * 0.95)]
    print(
        f"geocode over {len(timings)} lookups: p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {timings[-1]:.2f} ms"
    )
    assert p50 < 5 and p95 < 10


# -- Nominatim fallback -------------------------------------------------------------------------------------


class _FakeNominatim(QuietHandler):
    """Answers like Nominatim; the query text chooses the behaviour."""

    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _FakeNominatim.requests.append(self.path)
        if "slow" in self.path:
            time.sleep(1.0)
        if "boom" in self.path:
            self.send_json(500, {"error": "internal"})
        elif "garbage" in self.path:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html>not json</html>")
        elif "faraway" in self.path:
            self.send_json(200, [{"lat": "60.2055", "lon": "24.6559", "display_name": "Espoo"}])
        elif self.path.startswith("/reverse"):
            self.send_json(200, {"lat": "60.1750", "lon": "24.9455", "display_name": "Kaisaniemi park"})
        else:
            self.send_json(200, [{"lat": "60.1712", "lon": "24.9441", "display_name": "Somewhere"}])


@pytest.fixture
def fake_nominatim() -> Iterator[str]:
    server = LoopbackServer(_FakeNominatim).start()
    _FakeNominatim.requests.clear()
    yield f"{server.root}/"
    server.stop()


def test_nominatim_answer_is_parsed_and_cached(fake_nominatim: str) -> None:
    client = NominatimClient(fake_nominatim, timeout=2.0)
    first = client.search("Somewhere street 1")
    assert first is not None and (first.lat, first.lon, first.label) == (60.1712, 24.9441, "Somewhere")
    assert client.search("Somewhere street 1") == first
    assert len(_FakeNominatim.requests) == 1  # the second answer came from the cache
    assert "format=jsonv2" in _FakeNominatim.requests[0]
    reverse = client.reverse(60.175, 24.9455)
    assert reverse is not None and reverse.label == "Kaisaniemi park"


@pytest.mark.parametrize(
    "query",
    [
        "slow place",  # the server answers after the timeout
        "boom place",  # HTTP 500
        "garbage place",  # not JSON
    ],
)
def test_nominatim_failures_become_none_and_are_logged_without_the_query(
    fake_nominatim: str, query: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = NominatimClient(fake_nominatim, timeout=0.3)
    with caplog.at_level(logging.WARNING, logger="bot.geo.nominatim"):
        start = time.perf_counter()
        assert client.search(query) is None
        assert time.perf_counter() - start < 0.9
    assert caplog.records and query not in caplog.text


def test_nominatim_unreachable_becomes_none() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert NominatimClient(f"http://127.0.0.1:{port}", timeout=0.5).search("anything") is None


def test_geocoder_asks_nominatim_only_when_offline_finds_nothing(city: CityData, fake_nominatim: str) -> None:
    geocoder = Geocoder(city, NominatimClient(fake_nominatim, timeout=2.0))
    assert _best(geocoder, "by Stockmann").kind == "landmark"
    assert _FakeNominatim.requests == []
    online = _best(geocoder, "the blue door somewhere")
    assert (online.kind, online.label, online.district) == ("point", "Somewhere", "Kluuvi")
    assert geocoder.geocode("faraway place") is None  # the server's answer is outside the city


def test_from_settings(city: CityData, fake_nominatim: str) -> None:
    class _Settings:
        city_data_dir = city.folder
        geocoder_url = fake_nominatim
        geocoder_timeout = 1.0

    geocoder = Geocoder.from_settings(_Settings())
    assert geocoder.city is city
    assert _best(geocoder, "the blue door somewhere").kind == "point"
    _Settings.geocoder_url = ""
    assert Geocoder.from_settings(_Settings()).geocode("the blue door somewhere") is None
