"""The geocoder on the committed demo city: addresses, streets, corners, landmarks, nonsense, the boundary,
reverse geocoding and speed."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import pytest

from bot.geo import Geocoder, distance_m
from citydata import build
from citydata.folder import CityData, load_city
from tests.fixtures.city import CITY_TEST_DATA
from tests.fixtures.city import best_place as _best

STOCKMANN = (60.1687, 24.9416)


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


def test_unknown_house_number_beyond_the_known_ones_is_said_to_be_near_the_nearest_on_the_same_side(
    geocoder: Geocoder,
) -> None:
    exact = _best(geocoder, "Fredrikinkatu 26")
    nearest = _best(geocoder, "Fredrikinkatu 20")  # the data knows 26-32 and 39-45 only
    assert nearest.kind == "address" and nearest.label == "near Fredrikinkatu 26"  # even: the same side
    assert nearest.score < exact.score and nearest.score < 0.7
    assert _best(geocoder, "Mannerheimintie 999").score <= 0.45  # far from any real number: barely a guess


def test_unknown_house_number_between_known_ones_is_placed_between_them(geocoder: Geocoder) -> None:
    twelve, fourteen = _best(geocoder, "Annankatu 12"), _best(geocoder, "Annankatu 14")
    place = _best(geocoder, "Annankatu 15")  # the data knows 13 and 19 on the odd side, not 15
    thirteen, nineteen = _best(geocoder, "Annankatu 13"), _best(geocoder, "Annankatu 19")
    assert place.label == "Annankatu 15" and place.score >= 0.7  # the resident's number, not a neighbour's
    assert min(thirteen.lat, nineteen.lat) <= place.lat <= max(thirteen.lat, nineteen.lat)
    assert min(thirteen.lon, nineteen.lon) <= place.lon <= max(thirteen.lon, nineteen.lon)
    assert (twelve.label, fourteen.label) == ("Annankatu 12", "Annankatu 14")


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
