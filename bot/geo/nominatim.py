"""An optional online fallback: any Nominatim-compatible server (`/search?format=jsonv2&q=`, `/reverse`).

Used only when the offline lookup finds nothing and GEOCODER_URL is set. Every failure (timeout, connection
error, HTTP error, unexpected body) becomes None; the log names the failure, never the resident's text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import requests

from bot.bounded_cache import BoundedCache

logger = logging.getLogger(__name__)

USER_AGENT = "city-assistant/0.1 (open-source city issue reporting)"
CACHE_SIZE = 256
_MISSING = object()


@dataclass(frozen=True)
class NominatimResult:
    """One answer: a point and the server's label for it."""

    lat: float
    lon: float
    label: str


class NominatimClient:
    """A small client with an explicit timeout and an in-memory cache of recent answers (misses included).

    Args:
        url: The server's base URL, e.g. "https://nominatim.example.org/".
        timeout: Seconds for connecting and for reading each answer.
        viewbox: Optional (min lon, min lat, max lon, max lat) that searches are bounded to.
    """

    def __init__(
        self, url: str, timeout: float, viewbox: tuple[float, float, float, float] | None = None
    ) -> None:
        self._base = url.rstrip("/")
        self._timeout = timeout
        self._viewbox = viewbox
        self._session = requests.Session()
        self._session.headers["User-Agent"] = USER_AGENT
        self._cache: BoundedCache[tuple[Any, ...], NominatimResult | None] = BoundedCache(CACHE_SIZE)

    def search(self, query: str) -> NominatimResult | None:
        """The best match for free text, or None (nothing found or any failure)."""
        params: dict[str, str] = {"format": "jsonv2", "q": query, "limit": "1"}
        if self._viewbox:
            params["viewbox"] = ",".join(f"{v:.6f}" for v in self._viewbox)
            params["bounded"] = "1"
        return self._cached(("search", query), "/search", params)

    def reverse(self, lat: float, lon: float) -> NominatimResult | None:
        """The server's label for a point, or None (nothing there or any failure)."""
        params = {"format": "jsonv2", "lat": f"{lat:.6f}", "lon": f"{lon:.6f}"}
        return self._cached(("reverse", round(lat, 6), round(lon, 6)), "/reverse", params)

    def _cached(self, key: tuple[Any, ...], path: str, params: dict[str, str]) -> NominatimResult | None:
        cached = self._cache.get(key, _MISSING)
        if cached is not _MISSING:
            return cached  # type: ignore[return-value]
        result, cacheable = self._fetch(path, params)
        if cacheable:
            self._cache.put(key, result)
        return result

    def _fetch(self, path: str, params: dict[str, str]) -> tuple[NominatimResult | None, bool]:
        """(result, whether to cache it): answers are cached, failures are not (the server may recover)."""
        try:
            response = self._session.get(self._base + path, params=params, timeout=self._timeout)
        except requests.Timeout:
            logger.warning("geocoder %s timed out after %.1f s", path, self._timeout)
            return None, False
        except requests.RequestException as exc:
            logger.warning("geocoder %s failed: %s", path, type(exc).__name__)
            return None, False
        if response.status_code != 200:
            logger.warning("geocoder %s answered HTTP %s", path, response.status_code)
            return None, False
        try:
            return _parse(response.json()), True
        except (ValueError, TypeError, KeyError) as exc:
            logger.warning("geocoder %s sent an unexpected body: %s", path, type(exc).__name__)
            return None, False


def _parse(body: Any) -> NominatimResult | None:
    if isinstance(body, list):
        if not body:
            return None
        body = body[0]
    if not isinstance(body, dict):
        raise TypeError("not an object")
    if "error" in body and "lat" not in body:
        return None  # the reverse endpoint's "Unable to geocode"
    lat, lon = float(body["lat"]), float(body["lon"])
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise ValueError("coordinates out of range")
    return NominatimResult(lat, lon, str(body.get("display_name") or body.get("name") or ""))
