"""Which OpenStreetMap objects become streets, addresses and landmarks, judged from their tags alone.

Landmarks are the named places residents use as reference points ("outside the Ateneum", "by the market
square"): civic buildings, culture, parks, squares, stations and stops, department stores. Restaurants, cafés
and ordinary shops are left out on purpose: there are hundreds, their names are generic ("Cafe", "Bar 9") and
they would make the geocoder guess wrongly far more often than they would help.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# Name-like tags offered as alternative names, besides the local `name`.
ALT_NAME_KEYS = ("alt_name", "name:sv", "name:en")
LANDMARK_ALT_NAME_KEYS = (
    "name",  # "A;B" names: the first part is the name, the rest alternatives
    "alt_name",
    "name:en",
    "name:sv",
    "alt_name:en",
    "short_name",
    "loc_name",
    "official_name",
    "int_name",
    "old_name",
)

# Highway values that are not streets a resident would name as a location.
_NOT_STREETS = frozenset({"platform", "bus_stop", "construction", "proposed", "elevator", "corridor"})

_AMENITY = frozenset(
    {
        "library", "school", "college", "university", "kindergarten", "theatre", "cinema", "arts_centre",
        "townhall", "courthouse", "place_of_worship", "post_office", "marketplace", "hospital", "police",
        "fire_station", "community_centre", "conference_centre", "events_venue", "embassy", "bus_station",
        "ferry_terminal", "fountain", "public_building", "concert_hall", "clock",
    }
)  # fmt: skip
_TOURISM = frozenset({"museum", "hotel", "hostel", "attraction", "gallery", "artwork", "viewpoint", "zoo"})
_LEISURE = frozenset({"park", "playground", "garden", "sports_centre", "stadium", "dog_park", "bandstand"})
_SHOP = frozenset({"department_store", "mall", "supermarket"})
_HISTORIC = frozenset({"monument", "memorial", "castle", "fort", "ship"})
_PLACE_AREAS = frozenset({"suburb", "quarter", "neighbourhood"})
_BUILDINGS = frozenset(
    {"cathedral", "church", "chapel", "train_station", "public", "civic", "government", "museum", "tower",
     "university", "school", "office", "retail", "commercial", "yes", "transportation", "stadium"}
)  # fmt: skip

# Names that say what a thing is rather than which one it is.
_GENERIC_NAMES = frozenset(
    {
        "yes", "no", "none", "unknown", "fixme", "kiosk", "kioski", "parking", "pysäköinti", "bus stop",
        "stop", "pysäkki", "playground", "leikkipaikka", "park", "puisto", "toilet", "wc", "entrance",
        "sisäänkäynti", "building", "rakennus", "church", "school", "museum", "hotel", "station", "asema",
        "vanha", "old", "new", "uusi", "talo", "house", "city", "centre", "center", "keskusta",
    }
)  # fmt: skip

_HOUSENUMBER = re.compile(r"^\d{1,4}\s?[A-Za-z]?(?:\s?[-\u2013]\s?\d{1,4}\s?[A-Za-z]?)?$")


def tag(tags: Mapping[str, str], key: str) -> str:
    """A tag's value with surrounding whitespace removed, or "" when absent."""
    return str(tags.get(key, "") or "").strip()


def street_name(tags: Mapping[str, str]) -> str | None:
    """The name of a street for a highway way, or None when the way is not a named street."""
    highway = tag(tags, "highway")
    name = tag(tags, "name")
    if not highway or not name or highway in _NOT_STREETS:
        return None
    return name


def alt_names(tags: Mapping[str, str], name: str, keys: tuple[str, ...] = ALT_NAME_KEYS) -> list[str]:
    """Other names from `keys` (split on ";"), without duplicates of `name` or of each other."""
    seen = {name.casefold()}
    names: list[str] = []
    for key in keys:
        for value in tag(tags, key).split(";"):
            value = value.strip()
            if value and value.casefold() not in seen and not is_junk_name(value):
                seen.add(value.casefold())
                names.append(value)
    return names


def is_junk_name(name: str) -> bool:
    """Whether a name is useless as a reference point: too short, only digits, or generic."""
    cleaned = name.strip()
    if len(cleaned) < 3 or not re.search(r"[^\W\d_]{2}", cleaned):
        return True
    return cleaned.casefold() in _GENERIC_NAMES


def landmark_kind(tags: Mapping[str, str]) -> str | None:
    """The kind of landmark a tagged object is ("library", "park", "square", "tram_stop", ...), or None."""
    if tag(tags, "place") == "square":
        return "square"
    if tag(tags, "railway") == "station" or tag(tags, "public_transport") == "station":
        return "station"
    if tag(tags, "railway") == "tram_stop":
        return "tram_stop"
    if tag(tags, "highway") == "bus_stop":
        return "bus_stop"
    return _kind_from_keys(tags)


def _kind_from_keys(tags: Mapping[str, str]) -> str | None:
    for key, allowed in (
        ("amenity", _AMENITY),
        ("tourism", _TOURISM),
        ("leisure", _LEISURE),
        ("shop", _SHOP),
        ("historic", _HISTORIC),
        ("place", _PLACE_AREAS),
    ):
        value = tag(tags, key)
        if value in allowed:
            if key == "historic" and tag(tags, "memorial") in ("plaque", "blue_plaque"):
                return None
            return "neighbourhood" if key == "place" else value
    building = tag(tags, "building")
    if building == "train_station":
        return "station"
    if building in _BUILDINGS:
        return "building" if building in ("yes", "public", "civic", "government", "office", "retail",
                                          "commercial", "transportation") else building  # fmt: skip
    return None


def landmark_name(tags: Mapping[str, str]) -> tuple[str, str] | None:
    """(name, kind) for an object that is a landmark with a usable name, else None."""
    name = tag(tags, "name").split(";")[0].strip()
    if not name or is_junk_name(name):
        return None
    kind = landmark_kind(tags)
    return (name, kind) if kind else None


def address_parts(tags: Mapping[str, str]) -> tuple[str, str] | None:
    """(street, house number as written) when the object carries a usable street address."""
    street = " ".join(tag(tags, "addr:street").split())
    number = " ".join(tag(tags, "addr:housenumber").split())
    if not street or not number or re.search(r"[\d,;/]", street):
        return None
    if not _HOUSENUMBER.match(number):
        return None
    return street, number


def housenumber_key(number: str) -> str:
    """A house number in a form where "5 A", "5a" and "5A" compare equal."""
    return re.sub(r"\s+", "", number).upper().replace("\u2013", "-")
