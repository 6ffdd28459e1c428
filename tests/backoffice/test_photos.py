"""Photo upload and serving (backoffice/photo_api.py, backoffice/photo_store.py)."""

from __future__ import annotations

import io
import random
from urllib.parse import urlparse

import pytest
from flask.testing import FlaskClient
from PIL import Image

from backoffice.photo_store import MediaError, MediaStore
from tests.fixtures.backoffice import API_KEY, file_report, jpeg_bytes

UPLOAD = "/open311/v2/media.json"


def _upload(client: FlaskClient, data: bytes, filename: str = "photo.jpg", api_key: str | None = API_KEY):
    form: dict = {"media": (io.BytesIO(data), filename)}
    if api_key is not None:
        form["api_key"] = api_key
    return client.post(UPLOAD, data=form, content_type="multipart/form-data")


def _image_bytes(fmt: str, exif: bool = False) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (40, 30), (10, 120, 200))
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "SecretCam"  # Make
        image.save(out, format=fmt, exif=tags)
    else:
        image.save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("JPEG", "image/jpeg"),  # the usual phone photo
        ("PNG", "image/png"),  # screenshots
        ("WEBP", "image/webp"),  # what some apps send
    ],
)
def test_photo_is_stored_and_served_with_its_type(
    backoffice_client: FlaskClient, fmt: str, content_type: str
) -> None:
    response = _upload(backoffice_client, _image_bytes(fmt), filename="whatever.bin")
    assert response.status_code == 201
    url = response.get_json()["media_url"]
    assert url.startswith("http://backoffice.test/media/")
    served = backoffice_client.get(urlparse(url).path)
    assert served.status_code == 200
    assert served.content_type == content_type
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(served.data)).format == fmt


def test_stored_photo_has_no_exif(backoffice_client: FlaskClient) -> None:
    url = _upload(backoffice_client, _image_bytes("JPEG", exif=True)).get_json()["media_url"]
    served = backoffice_client.get(urlparse(url).path).data
    assert b"SecretCam" not in served
    assert not Image.open(io.BytesIO(served)).getexif()


def test_names_are_unguessable_and_distinct(backoffice_client: FlaskClient) -> None:
    names = {
        urlparse(_upload(backoffice_client, jpeg_bytes()).get_json()["media_url"]).path for _ in range(3)
    }
    assert len(names) == 3
    assert all(len(name.rsplit("/", 1)[1].split(".")[0]) >= 32 for name in names)


@pytest.mark.parametrize(
    ("data", "filename", "status"),
    [
        (b"<html><script>alert(1)</script></html>", "photo.jpg", 400),  # HTML with a .jpg name
        (b"GIF89a" + b"\x00" * 64, "photo.gif", 400),  # a type we do not take
        (jpeg_bytes()[:200], "photo.jpg", 400),  # a truncated JPEG
        (b"", "photo.jpg", 400),  # an empty file
    ],
)
def test_files_that_are_not_allowed_photos_are_refused(
    backoffice_client: FlaskClient, data: bytes, filename: str, status: int
) -> None:
    response = _upload(backoffice_client, data, filename=filename)
    assert response.status_code == status
    assert response.get_json()[0]["code"] == status


def test_oversized_photo_is_refused(backoffice_client: FlaskClient) -> None:
    # The test app caps photos at 200 kB; random noise does not compress.
    big = io.BytesIO()
    Image.frombytes("RGB", (400, 400), random.Random(0).randbytes(400 * 400 * 3)).save(big, format="PNG")
    assert 200_000 < len(big.getvalue()) < 1_000_000
    response = _upload(backoffice_client, big.getvalue(), filename="big.png")
    assert response.status_code == 413
    assert response.get_json()[0]["code"] == 413
    # A body far past the cap is cut off before the app reads it, with the same error shape.
    huge = _upload(backoffice_client, b"\xff" * 1_500_000, filename="huge.jpg")
    assert huge.status_code == 413
    assert huge.get_json()[0]["code"] == 413


def test_decompression_bomb_is_refused(tmp_path) -> None:
    bomb = io.BytesIO()
    Image.new("L", (10_000, 5_000)).save(bomb, format="PNG")  # 50 Mpx in a few kB
    with pytest.raises(MediaError) as refused:
        MediaStore(tmp_path, 10_000_000).save(bomb.getvalue())
    assert refused.value.status == 400


def test_upload_needs_an_api_key_and_the_field(backoffice_client: FlaskClient) -> None:
    assert _upload(backoffice_client, jpeg_bytes(), api_key=None).status_code == 403
    missing = backoffice_client.post(UPLOAD, data={"api_key": API_KEY}, content_type="multipart/form-data")
    assert missing.status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/media/",  # no directory listing
        "/media/nothere0000000000000000000000000.jpg",  # a well-formed name that was never stored
        "/media/..%2Fbackoffice.db",  # path traversal
        "/media/backoffice.db",  # another file that is not a photo
    ],
)
def test_only_stored_photos_are_served(backoffice_client: FlaskClient, path: str) -> None:
    response = backoffice_client.get(path)
    assert response.status_code == 404
    assert response.content_type == "application/json"


def test_uploaded_photo_url_can_be_filed_as_media_url(backoffice_client: FlaskClient) -> None:
    url = _upload(backoffice_client, jpeg_bytes()).get_json()["media_url"]
    rid = file_report(backoffice_client, media_url=url)
    shown = backoffice_client.get(f"/open311/v2/requests/{rid}.json").get_json()[0]
    assert shown["media_url"] == url
