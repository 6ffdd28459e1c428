"""What every connector shares: typed text stays text, deliveries count once, residents are handled in order,
and stored photos are served."""

from __future__ import annotations

import asyncio

import pytest
import requests

from bot.channels.dedupe import MemorySeenStore, RedisSeenStore
from bot.channels.message_metadata import photo_metadata
from bot.channels.photo_files import MediaFiles
from bot.channels.sender_queues import SenderQueues
from bot.photos.intake import StoredPhoto
from bot.photos.pipeline import process_photo
from bot.photos.store import LocalMediaStore
from bot.text import as_plain_text
from tests.fixtures.media import phone_jpeg


@pytest.mark.parametrize(
    ("typed", "seen_by_rasa"),
    [
        ("/restart", "restart"),  # Rasa would restart the conversation
        ('/inform{"service_code":"x"}', 'inform{"service_code":"x"}'),  # a forged payload
        ("  //stop", "stop"),
        ("pothole on Annankatu 5", "pothole on Annankatu 5"),
        ("bad\x00bytes\x07here", "badbyteshere"),  # control characters never reach storage
        ("a" * 20_000, "a" * 10_000),  # capped
    ],
)
def test_typed_text_is_only_ever_words(typed, seen_by_rasa):
    assert as_plain_text(typed) == seen_by_rasa


def test_photo_metadata_carries_urls_and_the_first_gps():
    meta = photo_metadata([StoredPhoto("u1", None), StoredPhoto("u2", (60.1, 24.9))])
    assert meta == {"photo_urls": ["u1", "u2"], "photo_gps": [60.1, 24.9]}


def test_a_delivery_counts_once():
    seen = MemorySeenStore(ttl=60)
    assert [seen.first_time("SM1"), seen.first_time("SM1"), seen.first_time("SM2")] == [True, False, True]


def test_redis_unavailable_falls_back_to_this_process():
    seen = RedisSeenStore("redis://127.0.0.1:1/0")
    assert [seen.first_time("u1"), seen.first_time("u1")] == [True, False]


async def test_one_residents_messages_run_in_order_others_run_alongside():
    queues, log = SenderQueues(), []

    def job(sender: str, n: int, pause: float):
        async def run() -> None:
            await asyncio.sleep(pause)
            log.append((sender, n))

        return run

    for n, pause in enumerate([0.05, 0.0, 0.02]):
        queues.submit("a", job("a", n, pause))
    queues.submit("b", job("b", 0, 0.0))
    await queues.drain()
    assert [n for s, n in log if s == "a"] == [0, 1, 2]
    assert log[0] == ("b", 0)  # not stuck behind "a"


async def test_a_failing_message_does_not_stop_the_next():
    queues, log = SenderQueues(), []

    async def boom() -> None:
        raise RuntimeError("x")

    async def fine() -> None:
        log.append("ok")

    queues.submit("a", boom)
    queues.submit("a", fine)
    await queues.drain()
    assert log == ["ok"]


def test_stored_photos_are_served_and_nothing_else(channel_server, tmp_path):
    store = LocalMediaStore(tmp_path, "http://unused")
    url = store.save(process_photo(phone_jpeg(), max_pixels=10**8, max_side=2048))
    server = channel_server(MediaFiles(store))
    photo = requests.get(server.webhook(f"files/{url.rsplit('/', 1)[1]}"), timeout=5)
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert photo.headers["x-content-type-options"] == "nosniff" and b"Exif" not in photo.content
    for name in ["..%2F..%2Fetc%2Fpasswd", "missing.jpg", ""]:
        assert requests.get(server.webhook(f"files/{name}"), timeout=5).status_code == 404
