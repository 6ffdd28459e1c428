"""Storing cleaned photos: the local folder served by the assistant, and an S3-compatible bucket."""

from __future__ import annotations

import dataclasses
import io
import stat
from pathlib import Path

import pytest
from PIL import Image

from bot.photos.pipeline import ProcessedPhoto, process_photo
from bot.photos.store import LocalMediaStore, MediaStoreError, S3MediaStore, make_store
from bot.settings import Settings
from tests.fixtures.media import FakeS3, phone_jpeg

BASE = "https://assistant.example.org/webhooks/media/files"
NAME_LENGTH = len("x" * 32 + ".jpg")


@pytest.fixture
def photo() -> ProcessedPhoto:
    return process_photo(
        phone_jpeg(gps=("N", (60.0, 10.0, 0.0), "E", (24.0, 57.0, 0.0))), max_pixels=10**7, max_side=2048
    )


def name_of(url: str, base: str = BASE) -> str:
    assert url.startswith(base + "/")
    return url[len(base) + 1 :]


# ---------------------------------------------------------------------------------------- local folder


def test_local_save_creates_the_folder_and_serves_the_photo_back(
    tmp_path: Path, photo: ProcessedPhoto
) -> None:
    folder = tmp_path / "var" / "media"
    store = LocalMediaStore(folder, BASE + "/")

    url = store.save(photo)

    name = name_of(url)
    assert len(name) == NAME_LENGTH and name.endswith(".jpg")
    assert store.load(name) == photo.data
    assert Image.open(io.BytesIO(store.load(name) or b"")).format == "JPEG"
    # Only the owner may list or read the folder; no half-written temp file is left behind.
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert [p.name for p in folder.iterdir()] == [name]


def test_names_are_unguessable_and_never_reused(tmp_path: Path, photo: ProcessedPhoto) -> None:
    store = LocalMediaStore(tmp_path, BASE)
    names = {name_of(store.save(photo)) for _ in range(50)}
    assert len(names) == 50


@pytest.mark.parametrize(
    "name",
    [
        # Path tricks to reach files outside the folder.
        "../secret.jpg",
        "..%2Fsecret.jpg",
        "/etc/passwd",
        "sub/" + "a" * 28 + ".jpg",
        # The temp files of a save in progress.
        ".tmpabc123.part",
        # The right length but not our shape (other extension, odd characters, trailing newline).
        "a" * 32 + ".png",
        "a" * 31 + "!.jpg",
        "a" * 32 + ".jpg\n",
        "",
    ],
)
def test_load_refuses_odd_names(tmp_path: Path, name: str) -> None:
    (tmp_path / "secret.jpg").write_bytes(b"private")
    store = LocalMediaStore(tmp_path / "media", BASE)
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / ".tmpabc123.part").write_bytes(b"half")
    assert store.load(name) is None


def test_load_of_a_well_formed_but_unknown_name_is_none(tmp_path: Path) -> None:
    assert LocalMediaStore(tmp_path, BASE).load("A" * 32 + ".jpg") is None


def test_local_save_failure_is_a_store_error(tmp_path: Path, photo: ProcessedPhoto) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(MediaStoreError):
        LocalMediaStore(blocker, BASE).save(photo)


# ------------------------------------------------------------------------------------------------ S3


def test_s3_upload_is_a_plain_put_with_content_type_only(fake_s3: FakeS3, photo: ProcessedPhoto) -> None:
    store = S3MediaStore(fake_s3.url, "photos", "https://cdn.example.org/photos/")

    url = store.save(photo)

    key = name_of(url, "https://cdn.example.org/photos")
    [upload] = fake_s3.uploads
    assert upload.path == f"/photos/{key}"
    assert upload.body == photo.data
    headers = {k.lower(): v for k, v in upload.headers.items()}
    assert headers["content-type"] == "image/jpeg"
    assert headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=test-access-key/")
    assert not [h for h in headers if h.startswith("x-amz-meta-")]
    assert "x-amz-acl" not in headers
    assert store.load(key) is None  # the bucket serves its photos itself


def test_s3_refusal_is_a_store_error(fake_s3: FakeS3, photo: ProcessedPhoto) -> None:
    fake_s3.fail_with = 403
    with pytest.raises(MediaStoreError):
        S3MediaStore(fake_s3.url, "photos", "https://cdn.example.org/photos").save(photo)


def test_s3_client_is_only_made_when_first_needed() -> None:
    # Nothing listens here; building the store must not connect or need credentials.
    store = S3MediaStore("http://127.0.0.1:9", "photos", "https://cdn.example.org/photos")
    assert store._client is None


# ---------------------------------------------------------------------------------------- make_store


def test_make_store_uses_the_local_folder_by_default(tmp_path: Path, photo: ProcessedPhoto) -> None:
    settings = dataclasses.replace(
        Settings(), media_dir=tmp_path, media_s3_endpoint="", public_url="https://bot.example.org"
    )

    store = make_store(settings)

    assert isinstance(store, LocalMediaStore)
    assert store.save(photo).startswith("https://bot.example.org/webhooks/media/files/")


def test_make_store_uses_s3_when_an_endpoint_is_set(fake_s3: FakeS3, photo: ProcessedPhoto) -> None:
    settings = dataclasses.replace(
        Settings(), media_s3_endpoint=fake_s3.url, media_s3_bucket="photos", media_s3_public_url=""
    )

    store = make_store(settings)

    assert isinstance(store, S3MediaStore)
    # Without a separate public URL the bucket's own path-style URL is used.
    assert store.save(photo).startswith(f"{fake_s3.url}/photos/")
    assert fake_s3.uploads[0].path.startswith("/photos/")


def test_make_store_refuses_s3_without_a_bucket() -> None:
    settings = dataclasses.replace(Settings(), media_s3_endpoint="http://127.0.0.1:9", media_s3_bucket="")
    with pytest.raises(ValueError, match="MEDIA_S3_BUCKET"):
        make_store(settings)
