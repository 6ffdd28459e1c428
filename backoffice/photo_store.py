"""Photos on disk: checked by content, re-encoded without metadata, stored under unguessable names.

Only JPEG, PNG and WebP are accepted, as Pillow identifies them from the bytes (never from the file name).
"""

from __future__ import annotations

import io
import logging
import re
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

# Pillow format name -> (content type, file extension).
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
MAX_PIXELS = 40_000_000
_NOT_AN_ALLOWED_IMAGE = (
    Image.UnidentifiedImageError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32}\.(jpg|png|webp)$")


class MediaError(Exception):
    """A file refused as a photo; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


@dataclass(frozen=True)
class StoredMedia:
    """A photo saved by the store."""

    name: str
    content_type: str
    size: int


class MediaStore:
    """Saves checked photos into one folder and finds them again by name."""

    def __init__(self, directory: Path, max_bytes: int) -> None:
        self.directory = Path(directory)
        self.max_bytes = max_bytes

    def save(self, data: bytes) -> StoredMedia:
        """Checks `data` is a JPEG, PNG or WebP photo within the limits, strips its metadata and stores it.

        Raises:
            MediaError: 413 when too large; 400 when empty, not an allowed image, truncated or too big.
        """
        if len(data) > self.max_bytes:
            raise MediaError(413, f"the photo is larger than {self.max_bytes} bytes")
        if not data:
            raise MediaError(400, "the photo is empty")
        encoded, image_format = _clean_image(data)
        content_type, extension = FORMATS[image_format]
        name = f"{secrets.token_urlsafe(24)}.{extension}"
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / name).write_bytes(encoded)
        logger.info("backoffice.media_stored type=%s bytes=%d", content_type, len(encoded))
        return StoredMedia(name=name, content_type=content_type, size=len(encoded))

    def path_of(self, name: str) -> Path | None:
        """The file of a stored photo, or None when `name` is not one of ours or the file is gone."""
        if not NAME_PATTERN.match(name):
            return None
        path = self.directory / name
        return path if path.is_file() else None


def _clean_image(data: bytes) -> tuple[bytes, str]:
    """Decodes the image (only the allowed formats) and re-encodes it without metadata."""
    try:
        with warnings.catch_warnings():
            # A decompression bomb is an error here, not a warning.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
                image_format = str(image.format)
                if image.width * image.height > MAX_PIXELS:
                    raise MediaError(400, "the photo has too many pixels")
                image.load()
                upright = ImageOps.exif_transpose(image)
                return _encode(upright, image_format), image_format
    except MediaError:
        raise
    except _NOT_AN_ALLOWED_IMAGE as error:
        raise MediaError(400, "the file is not a JPEG, PNG or WebP photo") from error
    except (OSError, ValueError, SyntaxError) as error:
        raise MediaError(400, "the photo is damaged or truncated") from error


def _encode(image: Image.Image, image_format: str) -> bytes:
    # Saving without `exif=` drops EXIF (GPS, camera serials); the pixels were already turned upright.
    out = io.BytesIO()
    if image_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, format="JPEG", quality=90)
    elif image_format == "WEBP":
        image.save(out, format="WEBP", quality=90)
    else:
        image.save(out, format="PNG", optimize=False)
    return out.getvalue()
