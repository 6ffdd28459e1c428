"""The place finder: addresses, intersections, streets and landmarks in residents' own words."""

from __future__ import annotations

import pytest

from bot.nlu.place_finder import PlaceFinder, fold_keep_offsets


@pytest.fixture(scope="module")
def finder(city) -> PlaceFinder:
    return PlaceFinder(city)


@pytest.mark.parametrize(
    ("text", "place", "kind"),
    [
        (
            "theres a massive hole outside no 12 Annankatu nearly lost a wheel",
            "12 Annankatu",
            "address",
        ),  # number first
        (
            "street lamp flickering on mannerheimintie 5 A all night",
            "mannerheimintie 5 A",
            "address",
        ),  # letter, lower case
        ("bins overflowing at Uudenmaankatu 19-21", "Uudenmaankatu 19-21", "address"),  # a number range
        ("corner of Annankatu and Bulevardi", "Annankatu and Bulevardi", "intersection"),
        ("Kaivokatu / Keskuskatu lights stuck", "Kaivokatu / Keskuskatu", "intersection"),
        ("graffiti near the Ateneum", "Ateneum", "landmark"),  # "the" stays outside
        ("by the central station", "central station", "landmark"),  # an English alias
        ("in Esplanadi park", "Esplanadi park", "landmark"),  # an English place word after the name
        ("lonnrotinkatu 13 bins", "lonnrotinkatu 13", "address"),  # missing Finnish letters
        ("Mannerheimintei 5 has a hole", "Mannerheimintei 5", "address"),  # a typo
        ("sofa dumped on Elm St again", "Elm St", "street"),  # a street the city data does not know
        (
            "noise from the bar on Iso Roobertinkatu",
            "Iso Roobertinkatu",
            "street",
        ),  # known only by its addresses
    ],
)
def test_places_are_found_with_their_shortest_span(finder, text, place, kind):
    found = finder.find(text)
    assert [(p.text, p.kind) for p in found] == [(place, kind)]
    assert text[found[0].start : found[0].end] == place


@pytest.mark.parametrize(
    "text",
    [
        "the street light is out",  # no place named
        "BOLLARD DOWN IN THE MIDDLE OF THE BIKE LANE",  # capitals say nothing about names
        "my forum post about bins",  # an everyday word that is also a shop's name
        "",
    ],
)
def test_no_place_is_invented(finder, text):
    assert finder.find(text) == []


def test_fold_keeps_offsets():
    assert fold_keep_offsets("Töölönlahdenkatu") == "toolonlahdenkatu" and len(fold_keep_offsets("Åbo")) == 3
