"""Checking and cleaning photos: what a resident's photo looks like once stored, and what gets refused."""

from __future__ import annotations

import dataclasses
import io
import resource
import time
import warnings

import pytest
from PIL import Image

from bot.photos.pipeline import PhotoRejected, process_photo, sniff_image_type
from bot.settings import Settings
from tests.fixtures.media import (
    animated,
    encode,
    jpeg_segments,
    noisy,
    noisy_jpeg,
    phone_jpeg,
    png_bomb,
    solid,
)

CAPS = {"max_pixels": 40_000_000, "max_side": 2048}
HELSINKI_CATHEDRAL = ("N", (60.0, 10.0, 12.36), "E", (24.0, 57.0, 8.4))


def reopen(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def rgb(image: Image.Image, xy: tuple[int, int]) -> tuple[int, int, int]:
    pixel = image.convert("RGB").getpixel(xy)
    assert isinstance(pixel, tuple)
    return (pixel[0], pixel[1], pixel[2])


def is_red(pixel: tuple[int, int, int]) -> bool:
    r, g, b = pixel
    return r > 200 and g < 60 and b < 60


def is_blue(pixel: tuple[int, int, int]) -> bool:
    r, g, b = pixel
    return b > 200 and r < 60 and g < 60


# ------------------------------------------------------------------------------------ what is stored


def test_gps_is_read_and_every_piece_of_metadata_is_gone() -> None:
    original = phone_jpeg(gps=HELSINKI_CATHEDRAL)
    assert b"Exif" in original and b"Jane Resident" in original  # the input really carries it

    photo = process_photo(original, **CAPS)

    assert photo.gps == pytest.approx((60.170100, 24.952333), abs=1e-5)
    assert photo.content_type == "image/jpeg"
    for secret in (b"Exif", b"PhoneMaker", b"Secret Model", b"Jane Resident", b"ICC-PROFILE", b"taken at"):
        assert secret not in photo.data
    stored = reopen(photo.data)
    assert stored.format == "JPEG"
    assert len(stored.getexif()) == 0
    assert not {"exif", "xmp", "icc_profile", "comment"} & set(stored.info)
    # Only the JFIF header, tables and frame: no APP1 (EXIF/XMP), APP2 (ICC) or COM (comment) segment.
    assert not {0xE1, 0xE2, 0xFE} & set(jpeg_segments(photo.data))


@pytest.mark.parametrize(
    ("gps", "expected"),
    [
        # Southern and western hemispheres come out negative (Buenos Aires).
        (("S", (34.0, 36.0, 12.0), "W", (58.0, 22.0, 54.0)), (-34.603333, -58.381667)),
        # 0/0 is what a phone writes before it has a fix: no position rather than one in the ocean.
        (("N", (0.0, 0.0, 0.0), "E", (0.0, 0.0, 0.0)), None),
        # A latitude beyond the pole is nonsense.
        (("N", (95.0, 0.0, 0.0), "E", (24.0, 0.0, 0.0)), None),
        # An unknown hemisphere letter could put the report on the wrong continent.
        (("X", (60.0, 10.0, 0.0), "E", (24.0, 57.0, 0.0)), None),
        # Minutes past 60 are not a real reading.
        (("N", (60.0, 75.0, 0.0), "E", (24.0, 57.0, 0.0)), None),
    ],
)
def test_gps_hemispheres_and_nonsense(gps: tuple, expected: tuple[float, float] | None) -> None:
    photo = process_photo(phone_jpeg(gps=gps), **CAPS)
    if expected is None:
        assert photo.gps is None
    else:
        assert photo.gps == pytest.approx(expected, abs=1e-5)


def test_photo_without_gps_has_no_position() -> None:
    assert process_photo(encode(solid((50, 40)), "JPEG"), **CAPS).gps is None


def test_rotated_phone_photo_is_stored_upright() -> None:
    # Stored sideways 400x200 with a red top-left corner; orientation 6 means "turn 90 degrees clockwise".
    photo = process_photo(phone_jpeg((400, 200), orientation=6), **CAPS)

    stored = reopen(photo.data)
    assert (photo.width, photo.height) == stored.size == (200, 400)
    # Turning clockwise carries the top-left corner to the top-right.
    assert is_red(rgb(stored, (195, 5)))
    assert is_blue(rgb(stored, (5, 5)))
    assert is_blue(rgb(stored, (195, 395)))


def test_large_photo_is_resized_to_the_long_side_cap() -> None:
    photo = process_photo(encode(solid((5000, 3000)), "JPEG"), **CAPS)

    assert (photo.width, photo.height) == reopen(photo.data).size == (2048, 1229)


def test_small_photo_is_not_enlarged() -> None:
    photo = process_photo(encode(solid((300, 200)), "PNG"), **CAPS)
    assert (photo.width, photo.height) == (300, 200)


def test_transparent_png_is_flattened_on_white() -> None:
    image = solid((100, 100), (0, 0, 0, 0), mode="RGBA")  # fully transparent black
    image.paste((255, 0, 0, 255), (0, 0, 50, 100))  # opaque red left half

    stored = reopen(process_photo(encode(image, "PNG"), **CAPS).data)

    assert stored.mode == "RGB"
    assert is_red(rgb(stored, (10, 50)))
    assert min(rgb(stored, (90, 50))) > 240  # white, not the black hidden under the transparency


def test_webp_becomes_jpeg() -> None:
    photo = process_photo(encode(solid((320, 240), (255, 0, 0)), "WEBP", quality=90), **CAPS)

    stored = reopen(photo.data)
    assert stored.format == "JPEG" and stored.size == (320, 240)
    assert is_red(rgb(stored, (160, 120)))


def test_multi_picture_jpeg_from_a_phone_is_accepted() -> None:
    # Many phones save MPO: a JPEG with extra pictures appended. Pillow calls it "MPO"; it is still a JPEG.
    first, second = solid((120, 80), (255, 0, 0)), solid((120, 80), (0, 0, 255))
    data = encode(first, "MPO", save_all=True, append_images=[second])
    assert reopen(data).format == "MPO"

    stored = reopen(process_photo(data, **CAPS).data)

    assert stored.format == "JPEG" and is_red(rgb(stored, (60, 40)))


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_animated_image_keeps_its_first_frame(fmt: str) -> None:
    data = animated(fmt, [(255, 0, 0), (0, 0, 255), (0, 255, 0)])
    assert getattr(reopen(data), "n_frames", 1) == 3

    stored = reopen(process_photo(data, **CAPS).data)

    assert is_red(rgb(stored, (30, 20)))


@pytest.mark.parametrize("mode", ["L", "P", "CMYK", "I;16", "1"])
def test_unusual_colour_modes_become_rgb(mode: str) -> None:
    # Scanners and old cameras write greyscale, palette, CMYK and 16-bit files; none may crash the bot.
    fmt = "JPEG" if mode == "CMYK" else "PNG"
    data = encode(Image.new(mode, (40, 30)), fmt)
    assert reopen(process_photo(data, **CAPS).data).mode == "RGB"


# ----------------------------------------------------------------------------------- what is refused


@pytest.mark.parametrize(
    "data",
    [
        # A web page saved as "photo.jpg": names and claimed types mean nothing.
        b"<!DOCTYPE html><html><body><img src=x></body></html>",
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>',
        encode(solid((10, 10)), "GIF"),
        # HEIC (iPhone default) starts with an ISO box, not an image signature we accept.
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64,
        b"just some text from a resident",
        b"",
    ],
    ids=["html", "pdf", "svg", "gif", "heic", "text", "empty"],
)
def test_non_images_are_refused_with_a_friendly_message(data: bytes) -> None:
    with pytest.raises(PhotoRejected) as caught:
        process_photo(data, **CAPS)

    assert caught.value.reason == "type"
    assert "JPEG, PNG or WebP" in caught.value.user_message


@pytest.mark.parametrize(
    "data",
    [
        # Cut in the middle of the picture data (a photo that did not finish uploading).
        noisy_jpeg()[:30_000],
        # Only the start of the header survived.
        noisy_jpeg()[:100],
        # Right signature, then garbage: sniffing alone must not let it through.
        b"\xff\xd8\xff\xe0" + b"\x13\x37" * 500,
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
        b"RIFF\x00\x01\x00\x00WEBPVP8 " + b"\xaa" * 100,
        # A valid PNG with the end chopped off.
        encode(noisy((200, 200)), "PNG")[:-300],
    ],
    ids=["jpeg-half", "jpeg-header", "jpeg-garbage", "png-garbage", "webp-garbage", "png-truncated"],
)
def test_damaged_files_are_refused_not_crashed_on(data: bytes) -> None:
    with pytest.raises(PhotoRejected) as caught:
        process_photo(data, **CAPS)

    assert caught.value.reason == "corrupt"


def test_bytes_over_the_size_cap_are_refused() -> None:
    data = noisy_jpeg()
    with pytest.raises(PhotoRejected) as caught:
        process_photo(data, **CAPS, max_bytes=len(data) - 1)

    assert caught.value.reason == "too_large"
    assert "MB" in caught.value.user_message
    assert process_photo(data, **CAPS, max_bytes=len(data)).width == 640  # exactly at the cap is fine


def test_png_decompression_bomb_is_refused_fast_and_small() -> None:
    bomb = png_bomb(100_000, 100_000)  # ten billion pixels declared (10 GB to decode)
    assert len(bomb) < 2_000
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    started = time.perf_counter()
    with pytest.raises(PhotoRejected) as caught:
        process_photo(bomb, **CAPS)
    elapsed = time.perf_counter() - started

    assert caught.value.reason == "too_many_pixels"
    assert elapsed < 0.5
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    assert grown_kib < 50 * 1024


@pytest.mark.parametrize(
    ("size", "max_pixels"),
    [
        # Under Pillow's own limits but over ours: our cap is checked from the header, before decoding.
        ((3000, 3000), 1_000_000),
        # Over Pillow's warning level (89M) with our cap set higher: the warning still refuses it.
        ((10_000, 10_000), 200_000_000),
        # Over Pillow's hard limit.
        ((20_000, 20_000), 10**12),
    ],
)
def test_pixel_bombs_are_refused_whatever_the_cap(size: tuple[int, int], max_pixels: int) -> None:
    with pytest.raises(PhotoRejected) as caught:
        process_photo(png_bomb(*size), max_pixels=max_pixels, max_side=2048)
    assert caught.value.reason == "too_many_pixels"


def test_processing_leaves_pillow_and_warnings_as_they_were() -> None:
    limit = Image.MAX_IMAGE_PIXELS
    filters = list(warnings.filters)
    with pytest.raises(PhotoRejected):
        process_photo(png_bomb(10_000, 10_000), max_pixels=200_000_000, max_side=2048)
    process_photo(phone_jpeg(), **CAPS)
    assert limit == Image.MAX_IMAGE_PIXELS
    assert warnings.filters == filters


def test_every_rejection_speaks_plainly() -> None:
    jargon = ("exif", "mime", "pillow", "magic", "decompression", "http", "exception", "bytes")
    for reason in ("type", "too_large", "too_many_pixels", "corrupt", "download", "host"):
        message = PhotoRejected(reason).user_message
        assert message.endswith(".") and len(message) < 160  # fits an SMS
        assert not any(word in message.lower() for word in jargon), message


# ------------------------------------------------------------------------------------------ helpers


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe1\x00\x10Exif", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0d", "image/png"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8L", "image/webp"),
        # RIFF is also WAV and AVI: the WEBP tag must be there too.
        (b"RIFF\x10\x00\x00\x00WAVEfmt ", None),
        (b"GIF89a\x01\x00\x01\x00", None),
        (b"\xff\xd8", None),  # too short to be sure
    ],
)
def test_sniffing_reads_signatures(head: bytes, expected: str | None) -> None:
    assert sniff_image_type(head) == expected


def test_settings_caps_are_applied() -> None:
    settings = dataclasses.replace(Settings(), media_max_side=100, media_max_bytes=10 * 1024 * 1024)

    photo = process_photo(
        encode(solid((500, 250)), "JPEG"),
        max_pixels=settings.media_max_pixels,
        max_side=settings.media_max_side,
        max_bytes=settings.media_max_bytes,
    )

    assert (photo.width, photo.height) == (100, 50)
