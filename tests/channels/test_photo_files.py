"""Stored photos are served (`GET /webhooks/media/files/<name>`), and nothing else is."""

from __future__ import annotations

import requests

from bot.channels.photo_files import MediaFiles
from bot.photos.pipeline import process_photo
from bot.photos.store import LocalMediaStore
from tests.fixtures.media import phone_jpeg


def test_stored_photos_are_served_and_nothing_else(channel_server, tmp_path):
    store = LocalMediaStore(tmp_path, "http://unused")
    url = store.save(process_photo(phone_jpeg(), max_pixels=10**8, max_side=2048))
    server = channel_server(MediaFiles(store))
    photo = requests.get(server.webhook(f"files/{url.rsplit('/', 1)[1]}"), timeout=5)
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert photo.headers["x-content-type-options"] == "nosniff" and b"Exif" not in photo.content
    for name in ["..%2F..%2Fetc%2Fpasswd", "missing.jpg", ""]:
        assert requests.get(server.webhook(f"files/{name}"), timeout=5).status_code == 404
