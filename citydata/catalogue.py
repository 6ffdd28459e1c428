"""The city's service catalogue (`services.yml`): Open311 services, their attributes and answer hints."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")


@dataclass(frozen=True)
class AttributeValue:
    """One allowed answer of a list attribute; `hints` are words that already give this answer."""

    key: str
    name: str
    hints: tuple[str, ...] = ()


@dataclass(frozen=True)
class Attribute:
    """An Open311 service attribute: a question the city wants answered for this service.

    The same type serves the city folder and what a back office's service definition says; `variable` false
    marks an informational attribute that asks nothing.
    """

    code: str
    description: str
    datatype: str
    required: bool
    order: int
    values: tuple[AttributeValue, ...] = ()
    variable: bool = True
    datatype_description: str | None = None


@dataclass(frozen=True)
class Service:
    """An Open311 service (a kind of problem the city handles), from the city folder or a back office.

    A back office's `services.json` says whether a service has attributes (`declared_metadata`) without
    listing them; the city folder lists them.
    """

    service_code: str
    service_name: str
    description: str
    group: str
    keywords: tuple[str, ...] = ()
    attributes: tuple[Attribute, ...] = field(default_factory=tuple)
    type: str = "realtime"
    declared_metadata: bool | None = None

    @property
    def metadata(self) -> bool:
        """Whether the service has attributes (Open311's `metadata` flag)."""
        if self.declared_metadata is not None:
            return self.declared_metadata
        return bool(self.attributes)


def _attribute(raw: dict[str, Any], order: int) -> Attribute:
    datatype = str(raw.get("datatype", "string"))
    if datatype not in DATATYPES:
        raise ValueError(f"attribute {raw.get('code')!r}: unknown datatype {datatype!r}")
    values = tuple(
        AttributeValue(
            key=str(v["key"]), name=str(v["name"]), hints=tuple(str(h) for h in v.get("hints", ()))
        )
        for v in raw.get("values", ())
    )
    return Attribute(
        code=str(raw["code"]),
        description=str(raw["description"]),
        datatype=datatype,
        required=bool(raw.get("required", False)),
        order=int(raw.get("order", order)),
        values=values,
    )


def parse_catalogue(data: dict[str, Any]) -> tuple[Service, ...]:
    """Turns the parsed YAML of a `services.yml` into services, checking codes are unique."""
    services = []
    for raw in data.get("services", ()):
        attributes = tuple(_attribute(a, i + 1) for i, a in enumerate(raw.get("attributes", ())))
        services.append(
            Service(
                service_code=str(raw["service_code"]),
                service_name=str(raw["service_name"]),
                description=str(raw.get("description", "")),
                group=str(raw.get("group", "")),
                keywords=tuple(str(k) for k in raw.get("keywords", ())),
                attributes=attributes,
            )
        )
    codes = [s.service_code for s in services]
    if len(codes) != len(set(codes)):
        raise ValueError("duplicate service_code in catalogue")
    return tuple(services)


@lru_cache(maxsize=8)
def load_catalogue(path: Path) -> tuple[Service, ...]:
    """Reads a `services.yml` file (cached per path)."""
    with open(path, encoding="utf-8") as handle:
        return parse_catalogue(yaml.safe_load(handle) or {})
