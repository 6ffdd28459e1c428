"""How the Open311 client turns broken servers and networks into `Open311Error`s (`bot/open311/wire.py`)."""

from __future__ import annotations

import logging
import socket
import time
from typing import Any

import pytest

from bot.open311 import ErrorKind, NewRequest, Open311Client, Open311Error
from bot.settings import Settings
from tests.fixtures.open311_fake import KEY, FakeOpen311, expect
from tests.fixtures.processes import free_port

HTML = "text/html; charset=utf-8"
PROXY_PAGE = "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>"
LOGIN_PAGE = "<!DOCTYPE html><html><body><form action='/login'><input name='password'></form></body></html>"


@pytest.mark.parametrize(
    ("status", "body", "content_type", "kind", "retryable", "words"),
    [
        # the spec's error arrays: the server's own words reach the caller
        (400, [{"code": 400, "description": "service_code not found"}], "application/json",
         ErrorKind.REJECTED, False, "service_code not found"),
        (403, [{"code": 403, "description": "Invalid api_key"}], "application/json",
         ErrorKind.UNAUTHORIZED, False, "Invalid api_key"),
        (404, [{"code": 404, "description": "x"}, {"code": 404, "description": "y"}], "application/json",
         ErrorKind.NOT_FOUND, False, "x; y"),
        (500, [{"code": 500, "description": "database down"}], "application/json",
         ErrorKind.SERVER_ERROR, True, "database down"),
        (401, "", "text/plain", ErrorKind.UNAUTHORIZED, False, "HTTP 401"),
        (502, PROXY_PAGE, HTML, ErrorKind.SERVER_ERROR, True, "HTTP 502 (an HTML page)"),  # a proxy's page
        (429, "slow down", "text/plain", ErrorKind.SERVER_ERROR, True, "HTTP 429"),  # rate limited: retry
        (501, "", "text/plain", ErrorKind.UNSUPPORTED, False, "HTTP 501"),
        (200, LOGIN_PAGE, HTML, ErrorKind.BAD_RESPONSE, False, "HTML page"),  # a login page with 200
        (200, "", "application/json", ErrorKind.BAD_RESPONSE, False, "empty body"),
        (200, b"\x00\xff\xfegarbage", "application/json", ErrorKind.BAD_RESPONSE, False, "not JSON"),
        (200, '[{"service_code": "4e0', "application/json", ErrorKind.BAD_RESPONSE, False, "not JSON"),  # cut
        (200, "42", "application/json", ErrorKind.BAD_RESPONSE, False, "neither"),  # JSON, wrong shape
        (200, [{"code": 403, "description": "key expired"}], "application/json",  # error array with 200
         ErrorKind.UNAUTHORIZED, False, "key expired"),
    ],
)  # fmt: skip
def test_failures_become_typed_errors(
    client: Open311Client,
    fake_open311: FakeOpen311,
    status: int,
    body: Any,
    content_type: str,
    kind: ErrorKind,
    retryable: bool,
    words: str,
) -> None:
    fake_open311.set_route("GET", "services.json", status=status, body=body, content_type=content_type)
    error = expect(kind, client.services)
    assert error.retryable is retryable
    assert words in error.description
    assert error.status == status or status == 200


def test_server_words_are_sanitised(client: Open311Client, fake_open311: FakeOpen311) -> None:
    noisy = f"<b>Bad</b>\x07 key {KEY} rejected " + "blah " * 200
    fake_open311.set_route("POST", "requests.json", status=400, body=[{"code": 400, "description": noisy}])
    error = expect(ErrorKind.REJECTED, client.submit, NewRequest(service_code="x"))
    assert error.description.startswith("Bad key *** rejected blah")
    assert len(error.description) <= 300 and KEY not in str(error)


def test_retry_after_is_reported(client: Open311Client, fake_open311: FakeOpen311) -> None:
    fake_open311.set_route("GET", "services.json", status=503, body="", headers={"Retry-After": "30"})
    error = expect(ErrorKind.SERVER_ERROR, client.services)
    assert error.retryable and error.retry_after == 30


def test_connection_refused_is_unreachable() -> None:
    error = expect(
        ErrorKind.UNREACHABLE, Open311Client(f"http://127.0.0.1:{free_port()}/v2", timeout=1).services
    )
    assert error.retryable


def test_closed_connection_is_unreachable(client: Open311Client, fake_open311: FakeOpen311) -> None:
    fake_open311.set_route("POST", "requests.json", close=True)
    expect(ErrorKind.UNREACHABLE, client.submit, NewRequest(service_code="x"))


@pytest.mark.parametrize(("method", "path"), [("GET", "services.json"), ("POST", "requests.json")])
def test_slow_answer_is_a_timeout(fake_open311: FakeOpen311, method: str, path: str) -> None:
    fake_open311.set_route(method, path, delay=3, body=[])
    c = Open311Client(fake_open311.url, timeout=0.3)
    started = time.monotonic()
    call = c.services if method == "GET" else lambda: c.submit(NewRequest(service_code="x"))
    error = expect(ErrorKind.TIMEOUT, call)
    assert error.retryable and time.monotonic() - started < 2


def test_trickling_answer_is_a_timeout(fake_open311: FakeOpen311) -> None:
    # each piece comes within the read timeout, but the whole answer takes far longer than the budget
    fake_open311.set_route("GET", "services.json", body=b" " * 16 * 1024 * 12 + b"[]", trickle=0.15)
    started = time.monotonic()
    expect(ErrorKind.TIMEOUT, Open311Client(fake_open311.url, timeout=0.3).services)
    assert time.monotonic() - started < 1.5


def test_connect_timeout() -> None:
    # a listener whose accept queue is full: the kernel drops our SYN, so connecting hangs
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = [socket.socket() for _ in range(3)]
        for filler in fillers:
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
        try:
            started = time.monotonic()
            expect(ErrorKind.TIMEOUT, Open311Client(f"http://127.0.0.1:{port}/", timeout=0.3).services)
            assert time.monotonic() - started < 2
        finally:
            for filler in fillers:
                filler.close()


def test_post_is_not_redirected_to_another_host(client: Open311Client, fake_open311: FakeOpen311) -> None:
    with FakeOpen311() as elsewhere:
        fake_open311.set_route(
            "POST", "requests.json", status=307, headers={"Location": elsewhere.url + "requests.json"}
        )
        expect(ErrorKind.BAD_RESPONSE, client.submit, NewRequest(service_code="x"))
        assert elsewhere.received == []  # the api key never left for the other host


@pytest.mark.parametrize(
    ("status", "followed"),
    [
        (307, True),  # same host, method and body kept: safe to resend
        (302, False),  # would turn the submission into a GET: refuse
    ],
)
def test_post_redirect_on_same_host(
    client: Open311Client, fake_open311: FakeOpen311, status: int, followed: bool
) -> None:
    fake_open311.set_route(
        "POST", "requests.json", status=status, headers={"Location": fake_open311.url + "v3.json"}
    )
    fake_open311.set_route("POST", "v3.json", body=[{"service_request_id": "moved-1"}])
    if followed:
        assert client.submit(NewRequest(service_code="x")).service_request_id == "moved-1"
        assert fake_open311.last().form["api_key"] == [KEY]
    else:
        expect(ErrorKind.BAD_RESPONSE, client.submit, NewRequest(service_code="x"))


def test_get_redirect_is_followed(client: Open311Client, fake_open311: FakeOpen311) -> None:
    fake_open311.set_route(
        "GET", "services.json", status=301, headers={"Location": fake_open311.url + "new.json"}
    )
    fake_open311.set_route("GET", "new.json", body=[{"service_code": "a", "service_name": "A"}])
    assert [s.service_code for s in client.services()] == ["a"]


def test_secrets_and_personal_data_stay_out_of_logs(
    client: Open311Client, fake_open311: FakeOpen311, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # urllib3 and requests included
    client.submit(NewRequest(service_code="x", email="ann@example.org", media_url="https://m.example/p.jpg"))
    fake_open311.set_route("POST", "requests.json", status=500, body=[{"code": 500, "description": KEY}])
    with pytest.raises(Open311Error):
        client.submit(NewRequest(service_code="x", phone="+358401234567"))
    assert caplog.records, "the client should log its calls"
    for secret in (KEY, "ann@example.org", "https://m.example/p.jpg", "+358401234567", "358401234567"):
        assert secret not in caplog.text


@pytest.mark.parametrize("url", ["", "ftp://city.example/open311", "not a url", "http:///v2"])
def test_bad_base_url(url: str) -> None:
    expect(ErrorKind.UNSUPPORTED, Open311Client, url)


def test_from_settings(fake_open311: FakeOpen311) -> None:
    settings = Settings(
        open311_url=fake_open311.url, open311_api_key=KEY, open311_jurisdiction_id="j", open311_timeout=1.5
    )
    client = Open311Client.from_settings(settings)
    client.submit(NewRequest(service_code="x"))
    assert fake_open311.last().form["api_key"] == [KEY] and fake_open311.last().form["jurisdiction_id"] == [
        "j"
    ]
    assert KEY not in repr(client)


@pytest.mark.parametrize(
    ("kind", "retryable"),
    [
        (kind, kind in {ErrorKind.TIMEOUT, ErrorKind.UNREACHABLE, ErrorKind.SERVER_ERROR})
        for kind in ErrorKind
    ],
)  # the outbox retries exactly these
def test_retryable_kinds(kind: ErrorKind, retryable: bool) -> None:
    assert Open311Error(kind, "x").retryable is retryable
    assert Open311Error(kind, "x", status=429).retryable  # a rate limit is always worth another try
