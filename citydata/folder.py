"""Loading a city data folder (built by `citydata.build`, plus hand-written files) into one object.

    city = load_city(Path("cities/helsinki"))
    city.streets["Mannerheimintie"].lines, city.landmarks[0].name, city.areas.district_at(lat, lon)

`aliases.yml` maps the names residents use to places in the data (a landmark name may end in "[kind]" to
pick one of several landmarks sharing the name):

    landmarks:
      Helsingin päärautatieasema: [central station, railway station]
      Rautatientori [square]: [railway square]
    streets:
      Pohjoisesplanadi: [north esplanade]
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from citydata.areas import ServiceAreas
from citydata.catalogue import Service, load_catalogue

logger = logging.getLogger(__name__)


class CityDataError(ValueError):
    """A city folder is missing a required file or a file is malformed."""


@dataclass(frozen=True)
class Street:
    """A named street: its other names and its lines as ((lon, lat), ...) tuples."""

    name: str
    alt_names: tuple[str, ...]
    lines: tuple[tuple[tuple[float, float], ...], ...]


@dataclass(frozen=True)
class Address:
    """A house-number address; `housenumber` as written ("5 A", "14-20")."""

    street: str
    housenumber: str
    lat: float
    lon: float

    @property
    def label(self) -> str:
        """How the address is shown: "Mannerheimintie 5 A"."""
        return f"{self.street} {self.housenumber}"


@dataclass(frozen=True)
class Landmark:
    """A named place and the other names it is known by."""

    name: str
    kind: str
    alt_names: tuple[str, ...]
    lat: float
    lon: float


@dataclass(frozen=True)
class Alias:
    """A name residents use, pointing at a landmark or street name in the data."""

    alias: str
    target: str
    kind: str  # "landmark" or "street"
    landmark_kind: str | None = None  # "Rautatientori [square]": only the landmark of that kind


@dataclass(frozen=True)
class CityData:
    """Everything one city folder holds."""

    name: str
    folder: Path
    info: dict[str, Any]
    streets: dict[str, Street]
    addresses: tuple[Address, ...]
    landmarks: tuple[Landmark, ...]
    aliases: dict[str, Alias] = field(default_factory=dict)  # alias (as written) -> target

    def street_names(self) -> list[str]:
        """Every street name, alternative names included, sorted."""
        names = {n for s in self.streets.values() for n in (s.name, *s.alt_names)}
        names.update(a.alias for a in self.aliases.values() if a.kind == "street")
        return sorted(names, key=lambda n: (n.casefold(), n))

    def landmark_names(self) -> list[str]:
        """Every landmark name, alternative names and aliases included, sorted."""
        names = {n for lm in self.landmarks for n in (lm.name, *lm.alt_names)}
        names.update(a.alias for a in self.aliases.values() if a.kind == "landmark")
        return sorted(names, key=lambda n: (n.casefold(), n))

    @cached_property
    def areas(self) -> ServiceAreas:
        """The city boundary and its districts."""
        return ServiceAreas.from_city_folder(self.folder)

    @cached_property
    def services(self) -> tuple[Service, ...]:
        """The service catalogue (`services.yml`), empty when the folder has none."""
        path = self.folder / "services.yml"
        return load_catalogue(path) if path.exists() else ()


def load_city(folder: Path) -> CityData:
    """Loads a city folder (cached per resolved folder path).

    Raises:
        CityDataError: a generated file is missing or malformed, or `aliases.yml` is not a mapping.
    """
    return _load(Path(folder).resolve())


@lru_cache(maxsize=8)
def _load(folder: Path) -> CityData:
    info = _json(folder / "city.json")
    try:
        streets = {
            s["name"]: Street(
                name=s["name"],
                alt_names=tuple(s.get("alt_names", ())),
                lines=tuple(tuple((float(x), float(y)) for x, y in line) for line in s["lines"]),
            )
            for s in _json(folder / "streets.json")
        }
        addresses = tuple(
            Address(a["street"], a["housenumber"], float(a["lat"]), float(a["lon"]))
            for a in _json(folder / "addresses.json")
        )
        landmarks = tuple(
            Landmark(
                lm["name"], lm["kind"], tuple(lm.get("alt_names", ())), float(lm["lat"]), float(lm["lon"])
            )
            for lm in _json(folder / "landmarks.json")
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CityDataError(f"{folder}: malformed city data ({exc!r})") from exc
    aliases = _aliases(folder / "aliases.yml", streets, landmarks)
    return CityData(str(info.get("name", folder.name)), folder, info, streets, addresses, landmarks, aliases)


def _json(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError as exc:
        raise CityDataError(f"{path} is missing; build it with python -m citydata.build") from exc
    except json.JSONDecodeError as exc:
        raise CityDataError(f"{path} is not valid JSON: {exc}") from exc


def _aliases(path: Path, streets: dict[str, Street], landmarks: tuple[Landmark, ...]) -> dict[str, Alias]:
    """Reads `aliases.yml`; an alias whose target is not in the data is skipped with a warning."""
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, dict):
        raise CityDataError(f"{path} must be a mapping with 'landmarks' and 'streets'")
    known: dict[str, set[tuple[str, str | None]]] = {
        "landmark": {(lm.name, lm.kind) for lm in landmarks},
        "street": {(s, None) for s in streets},
    }
    aliases: dict[str, Alias] = {}
    for section, kind in (("landmarks", "landmark"), ("streets", "street")):
        for raw_target, names in (data.get(section) or {}).items():
            target, landmark_kind = _target(str(raw_target))
            if not any(n == target and landmark_kind in (None, k) for n, k in known[kind]):
                logger.warning(
                    "aliases.yml: %s %r is not in the city data; its aliases are skipped", kind, raw_target
                )
                continue
            for alias in names or ():
                aliases[str(alias)] = Alias(str(alias), target, kind, landmark_kind)
    return aliases


def _target(raw: str) -> tuple[str, str | None]:
    """Splits "Rautatientori [square]" into ("Rautatientori", "square"); no brackets: (name, None)."""
    match = re.fullmatch(r"(.*?)\s*\[(\w+)\]", raw.strip())
    return (match.group(1), match.group(2)) if match else (raw.strip(), None)
