"""The Open311 client against a small real HTTP server on loopback (`tests/fixtures/open311_fake.py`)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from bot.open311 import ErrorKind, NewRequest, Open311Client, Open311Error
from bot.open311.models import parse_service
from tests.fixtures.backoffice import BackofficeServer
from tests.fixtures.open311_fake import KEY, FakeOpen311, expect

GRAFFITI = "4e090d24992b941e78000027"
BLOOMINGTON_ID = "4fbd3beeb1fe2c9f5c000001"  # a Graffiti request with coordinates


# --- a real city's answers ---


def test_all_bloomington_services_parse(client: Open311Client) -> None:
    services = client.services()
    assert len(services) == 46
    assert len({s.service_code for s in services}) == 46
    graffiti = next(s for s in services if s.service_code == GRAFFITI)
    assert (graffiti.service_name, graffiti.metadata, graffiti.group) == ("Graffiti", True, "Most Popular")
    assert sum(s.metadata for s in services) == 11
    assert {s.type for s in services} == {"realtime"}
    assert all(s.keywords == () for s in services)  # Bloomington sends "" for no keywords
    assert "Streets, Parking & Traffic" in {s.group for s in services}


def test_all_bloomington_requests_parse(client: Open311Client) -> None:
    found = client.requests()
    assert len(found) == 21
    # 2 have null coordinates and 6 have 0/0: neither is a place
    assert sum(r.lat is None and r.long is None for r in found) == 8
    assert all(r.lat is None or (39 < r.lat < 40 and -87 < r.long < -86) for r in found)  # type: ignore[operator]
    # 20 send media_url "" for "no photo"; the one photo keeps its URL
    photos = [r.media_url for r in found if r.media_url]
    assert len(photos) == 1 and photos[0].startswith("https://bloomington.in.gov/")
    assert all(
        r.requested_datetime and r.requested_datetime.utcoffset() == timedelta(hours=-4) for r in found
    )
    assert all(r.expected_datetime is None for r in found)
    assert sorted({r.status for r in found}) == ["closed", "open"]
    assert found[0].description and "\r\n" in found[0].description


def test_request_by_opaque_id(client: Open311Client, fake_open311: FakeOpen311) -> None:
    found = client.request("4fbd3beeb1fe2c9f5c000001")
    assert found.service_name == "Graffiti" and found.address == "2303-2559 S Olcott Blvd"
    assert found.lat == pytest.approx(39.146551871103)
    assert found.requested_datetime == datetime(2012, 5, 23, 19, 35, 8, tzinfo=timezone.utc)
    assert fake_open311.last().path == "requests/4fbd3beeb1fe2c9f5c000001.json"


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (404, [{"code": 404, "description": "Request not found"}]),  # the spec's error array
        (200, []),  # some servers answer "nothing" with an empty array
        (200, [{"code": 404, "description": "not found"}]),  # or the error array with 200
    ],
)
def test_unknown_request_is_not_found(
    client: Open311Client, fake_open311: FakeOpen311, status: int, body: Any
) -> None:
    fake_open311.set_route("GET", "requests/nope.json", status=status, body=body)
    expect(ErrorKind.NOT_FOUND, client.request, "nope")


def test_service_definition_sorted_by_order(client: Open311Client) -> None:
    definition = client.service_definition(GRAFFITI)
    assert [a.code for a in definition.attributes] == ["offensive", "surface", "notice"]
    offensive = definition.attributes[0]
    assert offensive.required and offensive.variable and offensive.datatype == "singlevaluelist"
    assert [v.key for v in offensive.values] == ["yes", "no"]
    assert definition.attributes[2].variable is False


# --- messy servers ---


def test_lenient_service_fields(client: Open311Client, fake_open311: FakeOpen311) -> None:
    fake_open311.set_route(
        "GET",
        "services.json",
        body={  # a bare object instead of an array, with types as strings and an unknown field
            "service_code": 17,
            "service_name": "Potholes",
            "metadata": "true",
            "type": "Realtime",
            "keywords": "road, hole,,asphalt",
            "group": None,
            "icon": "x.png",
        },
    )
    [service] = client.services()
    assert (service.service_code, service.metadata, service.type) == ("17", True, "realtime")
    assert service.keywords == ("road", "hole", "asphalt") and service.group == ""
    assert parse_service({"service_code": "a", "keywords": ["x", " y "], "metadata": "false"}).keywords == (
        "x",
        "y",
    )


def test_extension_fields_and_strings(client: Open311Client, fake_open311: FakeOpen311) -> None:
    item = {
        "service_request_id": 123,
        "status": "Open",
        "service_code": "pothole",
        "media_url": " ",
        "followers": "3",
        "distance_m": "12.5",
        "detailed_status": "IN_PROGRESS",
        "district": "Kallio",
        "closing_media_url": "https://example.org/done.jpg",
        "unknown": {"nested": True},
    }
    fake_open311.set_route("GET", "requests.json", body={"service_requests": [item, "junk", {"no": "id"}]})
    [request] = client.requests()  # broken entries are skipped, not fatal
    assert (request.service_request_id, request.status, request.media_url) == ("123", "open", None)
    assert (request.followers, request.distance_m, request.district) == (3, 12.5, "Kallio")
    assert request.detailed_status == "IN_PROGRESS" and request.closing_media_url


# --- what the client sends ---


@pytest.mark.parametrize("suffix", ["", "/"])  # OPEN311_URL with and without its trailing slash
def test_base_url_with_or_without_slash(fake_open311: FakeOpen311, suffix: str) -> None:
    Open311Client(fake_open311.url.rstrip("/") + suffix).services()
    assert fake_open311.last().path == "services.json"


def every_call(c: Open311Client) -> None:
    c.services()
    c.service_definition(GRAFFITI)
    c.submit(NewRequest(service_code=GRAFFITI, lat=39.1, long=-86.5))
    c.request(BLOOMINGTON_ID)
    c.requests(status="open")
    with pytest.raises(Open311Error):
        c.request_id_for_token("t")
    with pytest.raises(Open311Error):
        c.nearby(39.1, -86.5, 50)
    with pytest.raises(Open311Error):
        c.follow(BLOOMINGTON_ID)


def test_jurisdiction_on_every_call_and_key_only_in_posts(fake_open311: FakeOpen311) -> None:
    every_call(Open311Client(fake_open311.url, api_key=KEY, jurisdiction_id="bloomington.in.gov"))
    assert len(fake_open311.received) == 9  # follow checks the request after its 404
    for received in fake_open311.received:
        params = received.query if received.method == "GET" else received.form
        assert params["jurisdiction_id"] == ["bloomington.in.gov"], received.path
        assert KEY not in received.path and all(KEY not in v for vs in received.query.values() for v in vs)
        assert ("api_key" in received.form) == (received.method == "POST")
        assert received.headers.get("idempotency-key") is None


def test_no_jurisdiction_or_key_when_unset(fake_open311: FakeOpen311) -> None:
    every_call(Open311Client(fake_open311.url))
    assert all("jurisdiction_id" not in r.query and "api_key" not in r.form for r in fake_open311.received)


def test_submit_form_encoding(client: Open311Client, fake_open311: FakeOpen311) -> None:
    long_text = ("words " * 1000).strip()  # 5999 characters; a hard cut at 3999 would split a word
    result = client.submit(
        NewRequest(
            service_code=GRAFFITI,
            lat=39.1234567891,
            long=-86.5,
            description=long_text,
            address_string="  Kirkwood Ave 1\x00 ",
            attributes={"offensive": "no", "surface": ["wall", "sign"], "empty": []},
            email=None,
            first_name="   ",
            idempotency_key="outbox-42",
        )
    )
    assert result.service_request_id == "fake-1" and result.token is None
    sent = fake_open311.last("POST")
    assert sent.path == "requests.json" and sent.headers["idempotency-key"] == "outbox-42"
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    assert ("attribute[offensive]", "no") in sent.form_pairs
    assert [v for k, v in sent.form_pairs if k == "attribute[surface][]"] == ["wall", "sign"]
    assert (sent.form["lat"], sent.form["long"]) == (["39.1234568"], ["-86.5"])  # ≤ 7 decimals
    assert sent.form["address_string"] == ["Kirkwood Ave 1"]
    description = sent.form["description"][0]
    assert len(description) <= 4000 and description.endswith("words…")  # cut between words
    assert (
        not {"email", "first_name", "last_name", "phone", "media_url", "attribute[empty][]"}
        & sent.form.keys()
    )


@pytest.mark.parametrize(
    "request_",
    [
        NewRequest(service_code=""),  # no service
        NewRequest(service_code="x", lat=100.0, long=0.5),  # impossible latitude
        NewRequest(service_code="x", lat=60.1),  # half a location
    ],
)
def test_invalid_submissions_are_rejected_before_sending(
    client: Open311Client, fake_open311: FakeOpen311, request_: NewRequest
) -> None:
    expect(ErrorKind.REJECTED, client.submit, request_)
    assert fake_open311.received == []


def test_request_filters(client: Open311Client, fake_open311: FakeOpen311) -> None:
    start = datetime(2024, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=3)))
    client.requests(service_request_ids=["a", "b"], service_code="c", status="closed", start_date=start)
    query = fake_open311.last().query
    assert query == {
        "service_request_id": ["a,b"],
        "service_code": ["c"],
        "status": ["closed"],
        "start_date": ["2024-05-01T12:00:00+03:00"],  # the '+' survives the query string
    }


# --- tokens, nearby, follow ---


def test_token_flow(client: Open311Client, fake_open311: FakeOpen311) -> None:
    fake_open311.set_route("POST", "requests.json", body=[{"token": "tok-9", "service_notice": "batch"}])
    result = client.submit(NewRequest(service_code=GRAFFITI, lat=39.1, long=-86.5))
    assert (result.service_request_id, result.token, result.service_notice) == (None, "tok-9", "batch")
    fake_open311.set_route("GET", "tokens/tok-9.json", body=[{"token": "tok-9", "service_request_id": None}])
    assert client.request_id_for_token("tok-9") is None  # still pending
    fake_open311.set_route(
        "GET", "tokens/tok-9.json", body=[{"token": "tok-9", "service_request_id": "638344"}]
    )
    assert client.request_id_for_token("tok-9") == "638344"


def near(request_id: str, lat: float, long: float, **extra: Any) -> dict[str, Any]:
    return {"service_request_id": request_id, "status": "open", "service_code": "pothole", "lat": lat,
            "long": long, **extra}  # fmt: skip


def test_nearby_sends_extension_params_and_sorts(client: Open311Client, fake_open311: FakeOpen311) -> None:
    fake_open311.set_route(
        "GET",
        "requests.json",
        body=[near("far", 60.1702, 24.94, distance_m=40), near("close", 60.17, 24.94, distance_m=3)],
    )
    found = client.nearby(60.17, 24.94, 50, service_code="pothole")
    assert [r.service_request_id for r in found] == ["close", "far"]
    query = fake_open311.last().query
    assert {k: query[k] for k in ("lat", "long", "radius", "status", "service_code")} == {
        "lat": ["60.17"],
        "long": ["24.94"],
        "radius": ["50"],
        "status": ["open"],
        "service_code": ["pothole"],
    }
    assert "api_key" not in query


def test_nearby_without_distance_is_checked_locally(client: Open311Client, fake_open311: FakeOpen311) -> None:
    # a server that filters but does not report distance_m: we measure (about 22 m north) ourselves
    fake_open311.set_route("GET", "requests.json", body=[near("a", 60.1702, 24.94)])
    [found] = client.nearby(60.17, 24.94, 50)
    assert found.distance_m == pytest.approx(22.2, abs=0.5)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, None),  # ignores the params: Bloomington's whole list, some without coordinates
        (200, [near("elsewhere", 39.16, -86.53)]),  # ignores the params: a request far from Helsinki
        (400, [{"code": 400, "description": "unknown parameter radius"}]),  # refuses them
        (404, [{"code": 404, "description": "not found"}]),
    ],
)
def test_nearby_unsupported(client: Open311Client, fake_open311: FakeOpen311, status: int, body: Any) -> None:
    if body is not None:
        fake_open311.set_route("GET", "requests.json", status=status, body=body)
    expect(ErrorKind.UNSUPPORTED, client.nearby, 60.17, 24.94, 50)


def test_follow(client: Open311Client, fake_open311: FakeOpen311) -> None:
    fake_open311.set_route(
        "POST", "requests/42/follow.json", body={"service_request_id": "42", "followers": "4"}
    )
    assert client.follow("42") == 4
    assert fake_open311.last().form["api_key"] == [KEY]


@pytest.mark.parametrize("status", [404, 405])  # a city without the endpoint
def test_follow_unsupported(client: Open311Client, fake_open311: FakeOpen311, status: int) -> None:
    path = f"requests/{BLOOMINGTON_ID}/follow.json"
    fake_open311.set_route("POST", path, status=status, body="<h1>Nope</h1>", content_type="text/html")
    error = expect(ErrorKind.UNSUPPORTED, client.follow, BLOOMINGTON_ID)
    assert not error.retryable


def test_follow_unknown_request_is_not_found(client: Open311Client, fake_open311: FakeOpen311) -> None:
    # the endpoint exists (our back office) but the request does not: the GET of the request settles it
    fake_open311.set_route(
        "POST", "requests/gone/follow.json", status=404, body=[{"code": 404, "description": "x"}]
    )
    expect(ErrorKind.NOT_FOUND, client.follow, "gone")
    assert [r.path for r in fake_open311.received] == ["requests/gone/follow.json", "requests/gone.json"]


# --- our own back office, for real ---


@pytest.mark.e2e
def test_against_our_back_office(backoffice_server: BackofficeServer) -> None:
    c = Open311Client(backoffice_server.url, api_key=backoffice_server.api_key, timeout=5)
    services = c.services()
    with_metadata = next(s for s in services if s.metadata)
    assert c.service_definition(with_metadata.service_code).attributes
    plain = next(s.service_code for s in services if not s.metadata)
    new = NewRequest(service_code=plain, lat=60.1699, long=24.9384, description="Hole", idempotency_key="k-1")
    first, again = c.submit(new), c.submit(new)
    assert first.service_request_id and again == first  # the Idempotency-Key made the retry harmless
    assert c.request(first.service_request_id).lat == pytest.approx(60.1699)
    [nearby] = c.nearby(60.1699, 24.9385, 50)
    assert nearby.service_request_id == first.service_request_id and nearby.distance_m is not None
    assert c.follow(first.service_request_id) == 1
    assert first.token is None or c.request_id_for_token(first.token) == first.service_request_id
    expect(ErrorKind.NOT_FOUND, c.follow, "no-such-request")
    expect(ErrorKind.UNAUTHORIZED, Open311Client(backoffice_server.url, api_key="wrong").submit, new)
    expect(ErrorKind.REJECTED, c.submit, NewRequest(service_code="no-such-service"))
