"""The Telegram webhook: who may deliver, photos fetched, cleaned and stored, and timing and order.

End to end: a real Sanic server with the channel mounted as `rasa run` mounts it,
a fake Bot API server on loopback, recorded updates (tests/data/telegram, see SOURCES.md)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
import requests
from PIL import Image
from rasa.core.channels.channel import UserMessage

from bot.channels.message_metadata import PHOTO_ONLY
from bot.channels.telegram.connector import SECRET_HEADER
from bot.sentences import say
from tests.fixtures.media import encode, phone_jpeg, solid
from tests.fixtures.telegram_fake import SECRET, Bench, echo, load, text_update

GPS = ("N", (60.0, 10.0, 12.0), "E", (24.0, 56.0, 18.0))  # 60.17°N 24.94°E, written as a phone does


# ------------------------------------------------------------------------------------ who may deliver


@pytest.mark.parametrize(
    ("configured", "sent"),
    [
        (SECRET, "wrong-secret"),  # a forged delivery
        (SECRET, None),  # no secret header at all
        (SECRET, SECRET + "x"),  # a longer secret sharing the right prefix
        ("", ""),  # no secret configured: fail closed, even for an empty header
    ],
)
def test_deliveries_without_the_right_secret_are_refused_and_reach_nobody(bench, configured, sent):
    bed = bench(secret=configured)
    assert bed.post(load("text_message__telegram_docs.json"), secret=sent).status_code == 403
    if configured:
        assert bed.post(text_update(2, "real"), secret=SECRET).status_code == 200
        assert [m.text for m in bed.server.wait_for_messages(1)] == ["real"]
    time.sleep(0.2)
    assert [m.text for m in bed.server.messages] == (["real"] if configured else [])
    # Nothing called Telegram for the refused delivery (only the accepted one is answered).
    assert [c.params.get("text") for c in bed.api.calls if c.method == "sendMessage"] == (
        [say("trouble.apology")] if configured else []
    )


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b"{not json", {}, 400),  # garbage
        (b"[1, 2]", {}, 400),  # JSON, but not an update
        (b'{"update_id": "7"}', {}, 400),  # update_id must be an integer
        (b"\xff\xfe", {}, 400),  # not even text
        (b"{}", {"Content-Type": "text/plain"}, 415),  # not JSON by content type
        (b"{" + b" " * 300_000 + b"}", {}, 413),  # bigger than any update
    ],
)
def test_bad_bodies_are_answered_without_a_crash(bench, body, headers, status):
    bed = bench()
    assert bed.post(body, headers=headers).status_code == status
    assert bed.post(text_update(1, "still alive")).status_code == 200
    assert [m.text for m in bed.server.wait_for_messages(1)] == ["still alive"]


def test_content_type_and_size_are_checked_before_the_secret(bench):
    bed = bench()
    assert bed.post(b"{}", secret=None, headers={"Content-Type": "text/plain"}).status_code == 415
    assert bed.post(b"{" + b" " * 300_000 + b"}", secret=None).status_code == 413


def test_a_chunked_body_over_the_cap_is_refused_while_reading(bench):
    bed = bench()
    chunks = (b"{" + b" " * 1023 for _ in range(400))  # no Content-Length: the size is only known by reading
    assert bed.post(chunks).status_code == 413


# ----------------------------------------------------------------------------------------- photos


def stored_file(bed: Bench, url: str) -> Path:
    return bed.media / url.rsplit("/", 1)[1]


def test_a_photo_is_fetched_in_its_largest_size_cleaned_and_stored(bench):
    bed = bench()
    for size in ("small", "medium"):
        bed.api.add_file(f"AgAD-{size}", phone_jpeg((90, 60)))
    large_path = bed.api.add_file("AgAD-large", phone_jpeg((1280, 853), gps=GPS))
    assert bed.post(load("photo_three_sizes__handmade.json")).status_code == 200
    (message,) = bed.server.wait_for_messages(1)
    assert message.text == "Big pothole here"
    assert [c["file_id"] for c in bed.api.called("getFile")] == ["AgAD-large"]
    assert bed.api.file_downloads == [large_path]
    (url,) = message.metadata["photo_urls"]
    assert url.startswith("http://assistant.test/webhooks/media/files/")
    assert message.metadata["photo_gps"] == pytest.approx([60.17, 24.938333], abs=1e-4)
    with Image.open(stored_file(bed, url)) as image:
        assert image.size == (1280, 853)
        assert not image.getexif() and "exif" not in image.info


def test_a_recorded_photo_from_before_file_unique_id_is_still_read(bench):
    bed = bench()
    update = load("photo_with_caption__aiogram_dataset.json")
    bed.api.add_file(update["message"]["photo"][-1]["file_id"], phone_jpeg((90, 51)))
    bed.post(update)
    (message,) = bed.server.wait_for_messages(1)
    assert message.text == "photo description"
    assert stored_file(bed, message.metadata["photo_urls"][0]).is_file()


def test_an_image_sent_as_a_file_is_handled_like_a_photo(bench):
    bed = bench()
    bed.api.add_file("BQAD-png", encode(solid((64, 48)), "PNG"), path="documents/snapshot.png")
    bed.post(load("document_image_png__handmade.json"))
    (message,) = bed.server.wait_for_messages(1)
    assert message.text == PHOTO_ONLY  # no caption: "here is a photo"
    with Image.open(stored_file(bed, message.metadata["photo_urls"][0])) as image:
        assert (image.format, image.size) == ("JPEG", (64, 48))
    assert "photo_gps" not in message.metadata


@pytest.mark.parametrize(
    "name", ["document_pdf__telegram_docs.json", "document_docx_with_caption__aiogram_dataset.json"]
)
def test_other_documents_get_a_friendly_refusal(bench, name):
    bed = bench()
    bed.post(load(name))
    assert bed.api.wait_for("sendMessage")[0]["text"] == say("telegram.document")
    assert bed.server.messages == [] and bed.api.called("getFile") == []


@pytest.mark.parametrize(
    "in_message",
    [
        True,  # the update says 30 MB: not even getFile is called
        False,  # only getFile tells the size: the file is still never downloaded
    ],
)
def test_a_30_mb_photo_is_refused_without_downloading(bench, in_message):
    bed = bench()
    update = load("photo_three_sizes__handmade.json")
    for size in update["message"]["photo"]:
        if in_message:
            size["file_size"] = 30 * 1024 * 1024
        else:
            size.pop("file_size")
    bed.api.add_file("AgAD-large", phone_jpeg(), size=30 * 1024 * 1024)
    bed.post(update)
    assert "too big" in bed.api.wait_for("sendMessage")[0]["text"]
    assert bed.api.file_downloads == [] and bed.server.messages == []
    assert len(bed.api.called("getFile")) == (0 if in_message else 1)


def test_a_file_path_outside_the_bot_api_host_is_never_read(bench, tmp_path):
    bed = bench()
    local = tmp_path / "on-the-server.jpg"
    local.write_bytes(phone_jpeg())
    # PTB reads an existing local path from disk instead of downloading it; only the Bot API host is allowed.
    bed.api.add_file("AgAD-large", b"", path=str(local))
    bed.post(load("photo_three_sizes__handmade.json"))
    assert "attached directly" in bed.api.wait_for("sendMessage")[0]["text"]
    assert bed.server.messages == [] and not bed.media.exists()


def test_a_file_that_is_not_a_picture_is_refused_kindly(bench):
    bed = bench()
    bed.api.add_file("BQAD-png", b"%PDF-1.7 not an image at all", path="documents/snapshot.png")
    bed.post(load("document_image_png__handmade.json"))
    assert "JPEG, PNG or WebP" in bed.api.wait_for("sendMessage")[0]["text"]
    assert bed.server.messages == []


# ------------------------------------------------------------------------------- timing and order


def test_the_webhook_answers_at_once_while_the_turn_is_slow(bench):
    async def slow(message: UserMessage) -> None:
        await asyncio.sleep(3)
        await echo(message)

    bed = bench(slow)
    started = time.monotonic()
    assert bed.post(text_update(1, "hello")).status_code == 200
    assert time.monotonic() - started < 0.5
    bed.server.wait_for_messages(1)
    assert bed.api.called("sendMessage") == []  # the reply is still being worked on


def test_messages_from_one_chat_reach_rasa_in_order(bench):
    async def echo_late(message: UserMessage) -> None:
        # Earlier messages take longer: handled side by side, the echoes would come out reversed.
        await asyncio.sleep(0.05 * (5 - int(message.text[-1])))
        await echo(message)

    bed = bench(echo_late)
    started = time.monotonic()
    with requests.Session() as session:
        for n in range(1, 6):
            body = json.dumps(text_update(n, f"message {n}"))
            headers = {"Content-Type": "application/json", SECRET_HEADER: SECRET}
            assert (
                session.post(bed.server.webhook(), data=body, headers=headers, timeout=5).status_code == 200
            )
    assert time.monotonic() - started < 0.1 * 5  # delivered in quick succession
    expected = [f"message {n}" for n in range(1, 6)]
    assert [m.text for m in bed.server.wait_for_messages(5)] == expected
    assert [call["text"] for call in bed.api.wait_for("sendMessage", 5)] == [f"echo: {t}" for t in expected]


def test_telegram_is_not_called_for_every_update(bench):
    bed = bench(echo)
    for n in range(1, 4):
        bed.post(text_update(n, f"m{n}"))
    bed.api.wait_for("sendMessage", 3)
    assert [c.method for c in bed.api.calls] == ["getMe", "sendMessage", "sendMessage", "sendMessage"]
    # A turn Rasa leaves unanswered gets the apology, and still nothing per update goes to Telegram:
    # one getMe for the new connector, then only the two apologies.
    quiet = bench()
    quiet.post(text_update(9, "just words"))
    quiet.post(text_update(10, "more words"))
    bed.api.wait_for("sendMessage", 5)
    bed.api.wait_for("sendMessage", 6, timeout=0.3)  # room for a stray extra call to show up
    assert [c.method for c in bed.api.calls[4:]] == ["getMe", "sendMessage", "sendMessage"]
    assert {c.params["text"] for c in bed.api.calls[5:]} == {say("trouble.apology")}
