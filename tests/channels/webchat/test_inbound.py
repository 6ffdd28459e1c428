"""Web chat photo uploads: stored without EXIF, position kept, non-photos and oversized bodies refused.

Over real HTTP: a Sanic server on loopback with the channel mounted as `rasa run` mounts it, and a
recording stand-in for Rasa (`tests/fixtures/channels.py`)."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from tests.fixtures.channels import ChannelServer
from tests.fixtures.media import phone_jpeg
from tests.fixtures.webchat import new_token, nothing_reached_rasa, upload

# 60° 10' 12" N, 24° 56' 24" E: central Helsinki, as a phone writes it into EXIF.
GPS = ("N", (60.0, 10.0, 12.0), "E", (24.0, 56.0, 24.0))


# --------------------------------------------------------------------------------------------- photos


def test_a_photo_is_stored_without_exif_and_its_position_kept(
    webchat: Callable[..., ChannelServer], media_dir: Path
) -> None:
    server = webchat()
    token = new_token(server)
    assert upload(server, token, phone_jpeg(gps=GPS), message_id="p1").status_code == 200
    assert upload(server, token, phone_jpeg(), message_id="p2", text="/big hole").status_code == 200
    first, second = server.wait_for_messages(2)
    assert first.text == "/share_photo"  # a photo with no words
    assert first.metadata["channel"] == "webchat"
    assert first.metadata["photo_gps"] == pytest.approx([60.17, 24.94], abs=1e-6)
    (url,) = first.metadata["photo_urls"]
    stored = media_dir / url.rsplit("/", 1)[1]
    assert stored.exists()
    assert not Image.open(io.BytesIO(stored.read_bytes())).getexif()  # the position left with the photo
    assert second.text == "big hole"  # a caption is words, a leading slash and all
    assert "photo_gps" not in second.metadata


def test_a_page_named_jpg_is_refused_kindly(webchat: Callable[..., ChannelServer], media_dir: Path) -> None:
    server = webchat()
    answer = upload(server, new_token(server), b"<!doctype html><script>alert(1)</script>", name="cat.jpg")
    assert answer.status_code == 422
    assert "JPEG, PNG or WebP" in answer.json()["message"]
    assert nothing_reached_rasa(server)
    assert not media_dir.exists() or not any(media_dir.iterdir())


def test_an_upload_over_the_cap_is_refused_before_it_is_read(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat(max_photo_bytes=100_000)
    token = new_token(server)
    host, port = server.url.removeprefix("http://").split(":")
    # Only the headers are sent: the answer must come without the server waiting for the 5 MB body.
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(
            b"POST /webhooks/webchat/webhook HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: Bearer " + token.encode() + b"\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 5000000\r\n\r\n"
        )
        head, _, body = _read_response(sock).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert "too big" in json.loads(body)["message"]
    assert nothing_reached_rasa(server)


def _read_response(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data
