"""What every connector does with a resident's message before Rasa sees it.

- Typed text is words, never a command: a leading "/" (which Rasa would read as `/intent{...}`) is removed.
  Only buttons the assistant offered may send payloads.
- Photos go through the one photo pipeline (type by content, size and pixel caps, EXIF GPS read, then
  stripped) and are stored; the message carries their URLs and the GPS position as metadata.

Message metadata contract (all keys optional), the same on every channel:
`channel` (str), `photo_urls` (list of stored photo URLs), `photo_gps` ([lat, lon] of the first photo),
`latitude` / `longitude` (a shared position), `place_name` / `place_address` (a shared venue),
`button` (True when the text is the payload of a button the assistant offered).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from bot.media import PhotoRejected, ProcessedPhoto, process_photo
from bot.media_download import download
from bot.mediastore import MediaStore, MediaStoreError, make_store
from bot.settings import Settings, get_settings

logger = logging.getLogger(__name__)
MAX_TEXT = 10_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def as_plain_text(text: str | None) -> str:
    """The resident's words as text Rasa will only ever read as words (no `/command`), trimmed and capped."""
    cleaned = _CONTROL.sub("", text or "").strip()[:MAX_TEXT]
    return cleaned.lstrip("/").lstrip() if cleaned.startswith("/") else cleaned


@dataclass(frozen=True)
class StoredPhoto:
    """A photo that passed the pipeline and is stored."""

    url: str
    gps: tuple[float, float] | None


class PhotoIntake:
    """Cleans, checks and stores photos for a connector."""

    def __init__(self, settings: Settings | None = None, store: MediaStore | None = None) -> None:
        self._settings = settings or get_settings()
        self._store = store

    @property
    def store(self) -> MediaStore:
        """Where photos are kept (built on first use)."""
        if self._store is None:
            self._store = make_store(self._settings)
        return self._store

    def from_bytes(self, data: bytes) -> StoredPhoto:
        """Processes and stores photo bytes.

        Raises:
            PhotoRejected: not an acceptable photo, or it could not be stored (its `user_message` says why).
        """
        s = self._settings
        photo: ProcessedPhoto = process_photo(
            data, max_pixels=s.media_max_pixels, max_side=s.media_max_side, max_bytes=s.media_max_bytes
        )
        try:
            url = self.store.save(photo)
        except MediaStoreError as error:
            logger.error("photo.store_failed error=%s", type(error).__name__)
            raise PhotoRejected(
                "store", "Sorry, I couldn't save your photo just now. Please try again."
            ) from error
        return StoredPhoto(url, photo.gps)

    def from_url(
        self, url: str, allowed_hosts: Collection[str], auth: tuple[str, str] | None = None
    ) -> StoredPhoto:
        """Downloads (capped, from the channel's own hosts only), then processes and stores a photo."""
        s = self._settings
        data = download(
            url,
            allowed_hosts=allowed_hosts,
            max_bytes=s.media_max_bytes,
            timeout=s.media_download_timeout,
            auth=auth,
        )
        return self.from_bytes(data)

    async def from_bytes_async(self, data: bytes) -> StoredPhoto:
        """`from_bytes` off the event loop."""
        return await asyncio.to_thread(self.from_bytes, data)

    async def from_url_async(
        self, url: str, allowed_hosts: Collection[str], auth: tuple[str, str] | None = None
    ) -> StoredPhoto:
        """`from_url` off the event loop."""
        return await asyncio.to_thread(self.from_url, url, allowed_hosts, auth)


def photo_metadata(photos: list[StoredPhoto]) -> dict[str, Any]:
    """Message metadata for stored photos (URLs, and the first GPS position found)."""
    if not photos:
        return {}
    meta: dict[str, Any] = {"photo_urls": [p.url for p in photos]}
    gps = next((p.gps for p in photos if p.gps), None)
    if gps:
        meta["photo_gps"] = [gps[0], gps[1]]
    return meta


# Text sent to Rasa for a message that has a photo or a position but no words: a payload only channels create.
PHOTO_ONLY = "/share_photo"
LOCATION_ONLY = "/share_location"
