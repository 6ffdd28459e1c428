"""The metadata a connector attaches to a resident's message, the same on every channel."""

from __future__ import annotations

from bot.channels.message_metadata import photo_metadata
from bot.photos.intake import StoredPhoto


def test_photo_metadata_carries_urls_and_the_first_gps():
    meta = photo_metadata([StoredPhoto("u1", None), StoredPhoto("u2", (60.1, 24.9))])
    assert meta == {"photo_urls": ["u1", "u2"], "photo_gps": [60.1, 24.9]}
