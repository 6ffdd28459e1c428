"""What a connector calls with a resident's photo: download (from the channel's own hosts), clean, store.

The photo comes back as a `StoredPhoto` (its public URL and the GPS position read before the metadata was
stripped), or the call raises `PhotoRejected` whose `user_message` tells the resident why.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from dataclasses import dataclass

from bot.photos.download import download
from bot.photos.pipeline import PhotoRejected, ProcessedPhoto, process_photo
from bot.photos.store import MediaStore, MediaStoreError, make_store
from bot.sentences import say
from bot.settings import Settings, get_settings

logger = logging.getLogger(__name__)


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
            raise PhotoRejected("store", say("photo.not_saved")) from error
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
