"""The optional Nominatim client against a fake on loopback, and the geocoder falling back to it."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from typing import ClassVar

import pytest

from bot.geo import Geocoder, NominatimClient
from citydata.folder import CityData
from tests.fixtures.city import best_place as _best
from tests.fixtures.loopback import LoopbackServer, QuietHandler

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
