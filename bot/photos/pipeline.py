"""Checking and cleaning a resident's photo before anyone else sees it.

Every channel (SMS/MMS, Telegram, web chat) hands the raw bytes to `process_photo`, which accepts only
JPEG, PNG and WebP (by content, never by name), refuses oversized or pixel-bomb images before decoding
them, reads the EXIF position, turns the picture upright, shrinks it and re-encodes it as a plain JPEG with
no metadata at all, so nothing private (position, device, owner) leaves with the stored copy.
"""

from __future__ import annotations

import io
import logging
import math
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import ExifTags, Image, ImageOps

from bot.sentences import has, say

logger = logging.getLogger(__name__)

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"

# Pillow format names that may stand for each sniffed type. Phones often write MPO (a JPEG with extra
# pictures appended); Pillow reports it as "MPO" but it is still a JPEG and its first picture is the photo.
_PILLOW_FORMATS: dict[str, tuple[str, ...]] = {JPEG: ("JPEG", "MPO"), PNG: ("PNG",), WEBP: ("WEBP",)}

_JPEG_QUALITY = 85
_WHITE = (255, 255, 255)


class PhotoRejected(Exception):
    """A photo that was refused, with a short message the resident can act on.

    Attributes:
        reason: One of "type", "too_large", "too_many_pixels", "corrupt", "download", "host".
        user_message: Friendly, jargon-free text saying what was wrong and what to do.
        detail: Technical note for logs; never contains URLs or personal data.
    """

    def __init__(self, reason: str, user_message: str | None = None, detail: str = "") -> None:
        self.reason = reason
        known = has(f"photo_rejected.{reason}")
        self.user_message = user_message or say(f"photo_rejected.{reason if known else 'corrupt'}")
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


def too_large(max_bytes: int) -> PhotoRejected:
    """The rejection for a photo over the size cap, naming the cap in megabytes.

    Args:
        max_bytes: The cap that was exceeded.

    Returns:
        A `PhotoRejected` with reason "too_large".
    """
    megabytes = max(1, max_bytes // (1024 * 1024))
    return PhotoRejected(
        "too_large",
        say("photo.too_large_under", megabytes=megabytes),
        detail=f"over {max_bytes} bytes",
    )


@dataclass(frozen=True)
class ProcessedPhoto:
    """A cleaned photo: JPEG bytes with no metadata, its size, and the position it carried (if any)."""

    data: bytes
    content_type: str
    width: int
    height: int
    gps: tuple[float, float] | None


def sniff_image_type(head: bytes) -> str | None:
    """Tells the image type from the first bytes of a file, never from its name.

    Args:
        head: The start of the file; 12 bytes are enough.

    Returns:
        "image/jpeg", "image/png" or "image/webp", or None for anything else.
    """
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def process_photo(
    data: bytes, *, max_pixels: int, max_side: int, max_bytes: int | None = None
) -> ProcessedPhoto:
    """Checks a photo and returns a clean, upright, resized JPEG copy of it.

    Args:
        data: The photo exactly as received.
        max_pixels: Largest width x height accepted, checked from the header before decoding.
        max_side: Longest side of the stored copy, in pixels.
        max_bytes: Largest accepted input size; None skips the check (downloads enforce it already).

    Returns:
        The cleaned photo.

    Raises:
        PhotoRejected: The photo is not a JPEG/PNG/WebP, is too large, is a pixel bomb, or is damaged.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise too_large(max_bytes)
    content_type = sniff_image_type(data[:16])
    if content_type is None:
        raise PhotoRejected("type", detail="unrecognised file signature")
    with warnings.catch_warnings():
        # Pillow only warns about moderate bombs; here every bomb warning is a refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return _clean(data, content_type, max_pixels=max_pixels, max_side=max_side)
        except PhotoRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise PhotoRejected("too_many_pixels", detail=type(exc).__name__) from exc
        except MemoryError as exc:
            raise PhotoRejected("too_many_pixels", detail="out of memory while decoding") from exc
        except Exception as exc:
            # Pillow signals damaged files with many exception types (OSError, SyntaxError, ValueError,
            # struct.error, EOFError, ...); all of them mean the same thing to the resident.
            raise PhotoRejected("corrupt", detail=type(exc).__name__) from exc


def _clean(data: bytes, content_type: str, *, max_pixels: int, max_side: int) -> ProcessedPhoto:
    """Opens (header only), checks, decodes and re-encodes one photo."""
    formats = _PILLOW_FORMATS[content_type]
    with Image.open(io.BytesIO(data), formats=list(formats)) as image:
        if image.format not in formats:
            raise PhotoRejected("type", detail=f"content says {image.format}")
        width, height = image.size
        if width <= 0 or height <= 0:
            raise PhotoRejected("corrupt", detail="empty image")
        if width * height > max_pixels:
            raise PhotoRejected("too_many_pixels", detail=f"{width}x{height}")
        gps = read_gps(image.getexif())
        # For JPEG, decode straight at a reduced scale when the photo is much larger than needed.
        image.draft(None, (max_side, max_side))
        image.load()
        upright = ImageOps.exif_transpose(image)
    upright.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    flat = _to_rgb(upright)
    flat.info.clear()  # Pillow copies comments from info into the JPEG; nothing of the original may follow.
    out = io.BytesIO()
    flat.save(out, "JPEG", quality=_JPEG_QUALITY, progressive=True, optimize=True)
    return ProcessedPhoto(out.getvalue(), JPEG, flat.width, flat.height, gps)


def _to_rgb(image: Image.Image) -> Image.Image:
    """Flattens any mode to RGB, putting transparent parts on white rather than black."""
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if not has_alpha:
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, _WHITE)
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def read_gps(exif: Image.Exif) -> tuple[float, float] | None:
    """Reads the EXIF position as decimal (lat, lon), or None when absent or nonsense.

    Args:
        exif: The image's EXIF block (`Image.getexif()`).

    Returns:
        (latitude, longitude) in degrees, south and west negative; None for missing refs, out-of-range
        values, or the 0/0 that broken GPS chips write.
    """
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        lat = _dms_to_degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), "NS")
        lon = _dms_to_degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), "EW")
    except Exception:  # a damaged EXIF block costs us the position, never the photo
        logger.debug("unreadable EXIF GPS block", exc_info=True)
        return None
    if lat is None or lon is None:
        return None
    if abs(lat) > 90 or abs(lon) > 180 or (lat == 0 and lon == 0):
        return None
    return (lat, lon)


def _dms_to_degrees(dms: Any, ref: Any, refs: str) -> float | None:
    """Converts EXIF degrees/minutes/seconds and a hemisphere letter to signed decimal degrees."""
    if dms is None or ref is None:
        return None
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    ref = str(ref).strip("\x00 ").upper()
    if ref not in refs:  # an unknown hemisphere would put the report on the wrong side of the world
        return None
    parts = [float(value) for value in (dms if isinstance(dms, tuple | list) else (dms,))]
    if not 1 <= len(parts) <= 3 or any(not math.isfinite(p) or p < 0 for p in parts):
        return None
    parts += [0.0] * (3 - len(parts))
    degrees, minutes, seconds = parts
    if minutes >= 60 or seconds >= 60:
        return None
    value = degrees + minutes / 60 + seconds / 3600
    return -value if ref == refs[1] else value
