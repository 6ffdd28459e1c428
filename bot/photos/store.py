"""Where cleaned photos are kept and the public URL each one gets (the Open311 request's `media_url`).

Two stores: a local folder served by the assistant itself, and any S3-compatible bucket. Names are random
and unguessable, so a URL is the only way to a photo; nothing can list them.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Any, Protocol

from bot.photos.pipeline import ProcessedPhoto

logger = logging.getLogger(__name__)

# token_urlsafe(24) is 32 characters of [A-Za-z0-9_-]; anything else cannot be a name we gave out.
NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]{32}\.jpg")
_S3_CONNECT_TIMEOUT = 5.0
_S3_READ_TIMEOUT = 20.0


class MediaStoreError(Exception):
    """A photo could not be stored (disk full, bucket unreachable, access denied)."""


class MediaStore(Protocol):
    """Somewhere to keep cleaned photos."""

    def save(self, photo: ProcessedPhoto) -> str:
        """Stores the photo under a new random name and returns its public URL."""
        ...

    def load(self, name: str) -> bytes | None:
        """The stored bytes for serving them, or None when absent, invalid, or served elsewhere."""
        ...


def new_name() -> str:
    """A fresh, unguessable file name for a stored photo."""
    return secrets.token_urlsafe(24) + ".jpg"


def is_valid_name(name: str) -> bool:
    """Whether `name` has exactly the shape of a name `new_name` gives out (so no paths, no dots)."""
    return NAME_PATTERN.fullmatch(name) is not None


class LocalMediaStore:
    """Photos in a local folder, served by the assistant under `public_base_url`."""

    def __init__(self, folder: Path, public_base_url: str) -> None:
        self.folder = Path(folder)
        self.public_base_url = public_base_url.rstrip("/")

    def save(self, photo: ProcessedPhoto) -> str:
        """Writes the photo atomically (temp file, then rename) and returns its URL.

        Args:
            photo: A cleaned photo.

        Returns:
            f"{public_base_url}/{name}".

        Raises:
            MediaStoreError: The folder or file could not be written.
        """
        name = new_name()
        try:
            # Owner-only: other local users cannot list the folder or read the photos.
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            _write_atomically(self.folder / name, photo.data)
        except OSError as exc:
            logger.error("could not store a photo locally: %s", type(exc).__name__)
            raise MediaStoreError(str(exc)) from exc
        return f"{self.public_base_url}/{name}"

    def load(self, name: str) -> bytes | None:
        """Returns a stored photo's bytes, or None when the name is invalid or no such photo exists.

        Args:
            name: The last part of the photo's URL, exactly as `save` made it.

        Returns:
            The JPEG bytes, or None.
        """
        if not is_valid_name(name):
            return None
        path = self.folder / name
        if path.is_symlink() or not path.is_file():
            return None
        try:
            return path.read_bytes()
        except OSError:
            return None


def _write_atomically(path: Path, data: bytes) -> None:
    """Writes a file so readers see either nothing or all of it."""
    # The temp name starts with a dot and ends in .part, so load() never serves a half-written file.
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class S3MediaStore:
    """Photos in an S3-compatible bucket (AWS, MinIO, Garage, R2...), served by the bucket's public URL."""

    def __init__(self, endpoint_url: str, bucket: str, public_base_url: str, client: Any = None) -> None:
        self.endpoint_url = endpoint_url
        self.bucket = bucket
        self.public_base_url = public_base_url.rstrip("/")
        self._client = client

    @property
    def client(self) -> Any:
        """The boto3 S3 client, created on first use (credentials come from the usual AWS variables)."""
        if self._client is None:
            import boto3
            from botocore.config import Config

            config = Config(
                connect_timeout=_S3_CONNECT_TIMEOUT,
                read_timeout=_S3_READ_TIMEOUT,
                retries={"max_attempts": 3, "mode": "standard"},
                # Path-style URLs and checksums only when required work with every S3-compatible server.
                s3={"addressing_style": "path"},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            )
            self._client = boto3.client("s3", endpoint_url=self.endpoint_url, config=config)
        return self._client

    def save(self, photo: ProcessedPhoto) -> str:
        """Uploads the photo with `put_object` (content type only, no metadata) and returns its URL.

        Args:
            photo: A cleaned photo.

        Returns:
            f"{public_base_url}/{key}".

        Raises:
            MediaStoreError: The upload failed.
        """
        from botocore.exceptions import BotoCoreError, ClientError

        key = new_name()
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=key, Body=photo.data, ContentType=photo.content_type
            )
        except (BotoCoreError, ClientError) as exc:
            logger.error("could not upload a photo to the bucket: %s", type(exc).__name__)
            raise MediaStoreError(type(exc).__name__) from exc
        return f"{self.public_base_url}/{key}"

    def load(self, name: str) -> bytes | None:
        """Always None: the bucket serves its photos itself, the assistant does not proxy them."""
        return None


def make_store(settings: Any = None) -> MediaStore:
    """The store the settings ask for: S3 when `media_s3_endpoint` is set, else the local folder.

    Args:
        settings: A `bot.settings.Settings`; None reads `get_settings()`.

    Raises:
        ValueError: An S3 endpoint is set without a bucket.

    Returns:
        An `S3MediaStore` (public base `media_s3_public_url`, or endpoint/bucket when unset) or a
        `LocalMediaStore` in `media_dir` served under f"{public_url}/webhooks/media/files".
    """
    if settings is None:
        from bot.settings import get_settings

        settings = get_settings()
    if settings.media_s3_endpoint:
        if not settings.media_s3_bucket:
            raise ValueError("MEDIA_S3_BUCKET must be set when MEDIA_S3_ENDPOINT is")
        endpoint = settings.media_s3_endpoint.rstrip("/")
        public = settings.media_s3_public_url or f"{endpoint}/{settings.media_s3_bucket}"
        return S3MediaStore(endpoint, settings.media_s3_bucket, public)
    return LocalMediaStore(settings.media_dir, f"{settings.public_url}/webhooks/media/files")
