"""Downloading a resident's photo from a channel's media server (fake servers on 127.0.0.1)."""

from __future__ import annotations

import base64
import logging
import time

import pytest

from bot.photos.download import download
from bot.photos.pipeline import PhotoRejected, process_photo
from tests.fixtures.media import FakeFileServer, Route, encode, endless_jpeg, phone_jpeg, solid
from tests.fixtures.processes import free_port

LOOPBACK = {"127.0.0.1"}
TEN_MB = 10 * 1024 * 1024


def fetch(url: str, **overrides: object) -> bytes:
    options: dict = {"allowed_hosts": LOOPBACK, "max_bytes": TEN_MB, "timeout": 5.0}
    options.update(overrides)
    return download(url, **options)


def rejected(url: str, **overrides: object) -> PhotoRejected:
    with pytest.raises(PhotoRejected) as caught:
        fetch(url, **overrides)
    return caught.value


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_photo_is_downloaded_and_cleaned(file_server: FakeFileServer) -> None:
    original = phone_jpeg()
    url = file_server.add("/media/ME123", body=original)

    data = fetch(url, auth=("AC123", "token"))

    assert data == original
    assert file_server.seen("/media/ME123")[0].headers["Authorization"] == basic("AC123", "token")
    assert process_photo(data, max_pixels=40_000_000, max_side=2048).width == 400


def test_body_of_30_mb_is_cut_off_while_streaming(file_server: FakeFileServer) -> None:
    # No Content-Length: only counting while reading can stop it.
    url = file_server.add("/huge.jpg", body=endless_jpeg(30 * 1024 * 1024), send_length=False)

    reason = rejected(url).reason
    time.sleep(0.2)  # let the server notice the hang-up

    assert reason == "too_large"
    sent = file_server.bytes_sent["/huge.jpg"]
    # The client stopped near the cap: what the server got rid of is the cap plus socket buffers.
    assert TEN_MB < sent < TEN_MB + 6 * 1024 * 1024


def test_announced_size_over_the_cap_is_refused_before_reading(file_server: FakeFileServer) -> None:
    url = file_server.add("/announced.jpg", body=b"\xff\xd8\xff" + b"\x00" * (2 * 1024 * 1024))

    reason = rejected(url, max_bytes=1024 * 1024).reason
    time.sleep(0.2)

    assert reason == "too_large"
    assert file_server.bytes_sent.get("/announced.jpg", 0) < 1024 * 1024


def test_html_named_jpg_is_refused_at_the_first_bytes(file_server: FakeFileServer) -> None:
    page = b"<!DOCTYPE html><html>" + b"<p>login</p>" * 200_000
    url = file_server.add("/photo.jpg", body=page, headers={"Content-Type": "image/jpeg"}, send_length=False)

    reason = rejected(url).reason
    time.sleep(0.2)

    assert reason == "type"
    assert file_server.bytes_sent["/photo.jpg"] < len(page) // 2


@pytest.mark.parametrize(
    "url",
    [
        # Exact host match only: a look-alike host is not the allowed one.
        "http://127.0.0.1.evil.example/a.jpg",
        # Another scheme, even to an allowed host.
        "ftp://127.0.0.1/a.jpg",
        "file:///etc/passwd",
        # Credentials smuggled in the URL.
        "http://user:pw@127.0.0.1/a.jpg",
        "not a url",
    ],
)
def test_urls_outside_the_rules_are_refused_without_a_request(url: str) -> None:
    assert rejected(url).reason == "host"


def test_allowlist_ignores_case(file_server: FakeFileServer) -> None:
    url = file_server.add("/a.jpg", body=phone_jpeg())
    assert fetch(url.replace("127.0.0.1", "LOCALHOST"), allowed_hosts={"localHost"}) == phone_jpeg()


def test_redirect_to_a_host_outside_the_allowlist_is_refused(
    file_server: FakeFileServer, other_file_server: FakeFileServer
) -> None:
    target = other_file_server.add("/cdn.jpg", body=phone_jpeg())
    url = file_server.redirect("/media/ME1", target.replace("127.0.0.1", "localhost"))

    assert rejected(url).reason == "host"
    assert other_file_server.requests == []


def test_credentials_do_not_follow_a_redirect_to_another_host(
    file_server: FakeFileServer, other_file_server: FakeFileServer
) -> None:
    # Twilio answers the media URL with a redirect to its CDN: the account token must stay with Twilio.
    cdn = other_file_server.add("/cdn/ME1.jpg", body=phone_jpeg())
    url = file_server.redirect("/media/ME1", cdn.replace("127.0.0.1", "localhost"), status=307)

    data = fetch(
        url,
        allowed_hosts={"127.0.0.1", "localhost"},
        auth=("AC123", "secret-token"),
        headers={"Authorization": "Bearer other-secret", "User-Agent": "city-assistant"},
    )

    assert data == phone_jpeg()
    assert file_server.seen("/media/ME1")[0].headers["Authorization"] == basic("AC123", "secret-token")
    at_cdn = other_file_server.seen("/cdn/ME1.jpg")[0].headers
    assert "Authorization" not in at_cdn
    assert at_cdn["User-Agent"] == "city-assistant"


def test_credentials_are_kept_on_a_redirect_within_the_same_host(file_server: FakeFileServer) -> None:
    file_server.add("/final.jpg", body=phone_jpeg())
    url = file_server.redirect("/start", "/final.jpg")

    assert fetch(url, auth=("AC1", "tok")) == phone_jpeg()
    assert file_server.seen("/final.jpg")[0].headers["Authorization"] == basic("AC1", "tok")


def test_at_most_three_redirects(file_server: FakeFileServer) -> None:
    file_server.add("/3", body=phone_jpeg())
    for hop in (2, 1, 0):
        file_server.redirect(f"/{hop}", f"/{hop + 1}")
    assert fetch(file_server.url("/0")) == phone_jpeg()  # three redirects: fine

    file_server.redirect("/-1", "/0")
    assert rejected(file_server.url("/-1")).reason == "download"  # four: refused
    assert len(file_server.seen("/3")) == 1  # the fourth hop was never requested


@pytest.mark.parametrize(
    "route",
    [
        # Expired or wrong media URL.
        Route(status=404, body=b"not found"),
        Route(status=500, body=b"oops"),
        # A redirect that says nowhere.
        Route(status=302, headers={}, body=b""),
        # The server promised more than it sent and closed the connection.
        Route(body=encode(solid((10, 10)), "JPEG"), headers={"Content-Length": "99999"}, send_length=False),
    ],
    ids=["404", "500", "redirect-without-location", "short-body"],
)
def test_http_failures_become_download_rejections(file_server: FakeFileServer, route: Route) -> None:
    assert rejected(file_server.add("/x", route)).reason == "download"


def test_connection_refused_is_a_download_rejection() -> None:
    assert rejected(f"http://127.0.0.1:{free_port()}/gone.jpg").reason == "download"


def test_server_that_never_answers_times_out(file_server: FakeFileServer) -> None:
    url = file_server.add("/slow.jpg", body=phone_jpeg(), delay=3.0)

    started = time.perf_counter()
    assert rejected(url, timeout=0.5).reason == "download"
    assert time.perf_counter() - started < 1.5


@pytest.mark.timeout(10)  # a client that only checks the deadline between full chunks hangs here
def test_server_dripping_bytes_is_cut_off_at_the_deadline(file_server: FakeFileServer) -> None:
    # Each byte arrives within the read timeout, but the whole download must still end on time.
    url = file_server.add("/drip.jpg", body=phone_jpeg(), chunk_size=1, drip=0.05, send_length=False)

    started = time.perf_counter()
    assert rejected(url, timeout=0.6).reason == "download"
    assert time.perf_counter() - started < 1.5


def test_urls_are_not_logged_at_info(file_server: FakeFileServer, caplog: pytest.LogCaptureFixture) -> None:
    secret_path = "/2010-04-01/Accounts/AC123/Messages/MM1/Media/ME1"
    file_server.add(secret_path, status=404, body=b"")
    caplog.set_level(logging.INFO)

    rejected(file_server.url(secret_path))
    rejected(file_server.url(secret_path).replace("127.0.0.1", "localhost"))

    assert caplog.records  # the refusals are logged...
    for record in caplog.records:
        assert "AC123" not in record.getMessage() and "localhost" not in record.getMessage()
