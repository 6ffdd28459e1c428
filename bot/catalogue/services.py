"""What the city's back office offers, as the conversation needs it: names and the questions to ask.

The back office is the authority (Open311 `services.json` and service definitions); the city data folder adds
what Open311 cannot say (answer hints in residents' words) and stands in when the back office is down, so a
resident can always finish a report. Answers are cached for a few minutes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.open311 import Open311Client, Open311Error
from citydata.catalogue import Attribute, AttributeValue, Service

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceInfo:
    """A service as the resident sees it."""

    code: str
    name: str
    group: str
    description: str


class ServiceCatalogue:
    """Services and their questions, from the back office with the city folder as hints and fallback."""

    def __init__(
        self,
        client: Open311Client,
        city_services: tuple[Service, ...],
        *,
        ttl: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._city = {s.service_code: s for s in city_services}
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, object]] = {}

    def services(self) -> list[ServiceInfo]:
        """Every service the back office offers (the city folder's list when it cannot be reached)."""
        return list(self._cached("services", self._fetch_services))

    def name(self, code: str) -> str:
        """The service's human name (the code itself when unknown)."""
        for info in self.services():
            if info.code == code:
                return info.name
        city = self._city.get(code)
        return city.service_name if city else code.replace("_", " ").capitalize()

    def is_known(self, code: str) -> bool:
        """Whether the back office (or, when it is down, the city folder) offers this service."""
        return any(info.code == code for info in self.services())

    def questions(self, code: str) -> list[Attribute]:
        """The service's attribute questions (Open311 attributes) in order, with the city's answer hints."""
        return list(self._cached(f"questions:{code}", lambda: self._fetch_questions(code)))

    # -- internals -------------------------------------------------------------------------------

    def _cached(self, key: str, fetch: Callable[[], tuple[Any, bool]]) -> Any:
        now = self._clock()
        with self._lock:
            hit = self._cache.get(key)
            if hit and now - hit[0] < self._ttl:
                return hit[1]
        value, cacheable = fetch()
        if cacheable:
            with self._lock:
                self._cache[key] = (now, value)
        return value

    def _fetch_services(self) -> tuple[list[ServiceInfo], bool]:
        try:
            remote = self._client.services()
        except Open311Error as error:
            logger.warning("catalogue.services_unavailable kind=%s", error.kind.name)
            return self._city_services(), False
        return [ServiceInfo(s.service_code, s.service_name, s.group, s.description) for s in remote], True

    def _city_services(self) -> list[ServiceInfo]:
        return [
            ServiceInfo(s.service_code, s.service_name, s.group, s.description) for s in self._city.values()
        ]

    def _fetch_questions(self, code: str) -> tuple[list[Attribute], bool]:
        city = self._city.get(code)
        try:
            definition = self._client.service_definition(code)
        except Open311Error as error:
            logger.warning("catalogue.definition_unavailable kind=%s", error.kind.name)
            return self._city_questions(city), False
        hints = {(a.code, v.key): v.hints for a in (city.attributes if city else ()) for v in a.values}
        questions = [
            Attribute(
                code=a.code,
                description=a.description,
                datatype=a.datatype,
                required=a.required,
                order=a.order,
                values=tuple(AttributeValue(v.key, v.name, hints.get((a.code, v.key), ())) for v in a.values),
            )
            for a in definition.attributes
            if a.variable
        ]
        return questions, True

    @staticmethod
    def _city_questions(city: Service | None) -> list[Attribute]:
        if city is None:
            return []
        return sorted(city.attributes, key=lambda a: a.order)
