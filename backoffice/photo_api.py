"""Media extension: `POST /open311/v2/media.json` stores a photo; `GET /media/<name>` serves stored photos."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, send_file
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from .auth import require_api_key
from .errors import ApiError
from .models import Media
from .photo_store import MediaError, MediaStore
from .state import state

blueprint = Blueprint("media", __name__)


def store_upload(session: Session, store: MediaStore, upload: FileStorage, public_url: str) -> str:
    """Checks and stores an uploaded photo; the caller commits. Returns its public URL.

    Raises:
        ApiError: 400 or 413 when the file is not an acceptable photo.
    """
    # Read one byte past the cap, so an oversized upload is detected without reading all of it.
    data = upload.stream.read(store.max_bytes + 1)
    try:
        stored = store.save(data)
    except MediaError as error:
        raise ApiError(error.status, error.description) from None
    session.add(Media(name=stored.name, content_type=stored.content_type, size=stored.size))
    return f"{public_url}/media/{stored.name}"


@blueprint.post("/open311/v2/media.<fmt>")
def upload_media(fmt: str) -> Response:
    """Stores the multipart field `media` as a photo and answers `{"media_url": ...}` (201)."""
    if fmt != "json":
        raise ApiError(400, "only the JSON format is served: use .json")
    require_api_key()
    upload = request.files.get("media")
    if upload is None:
        raise ApiError(400, "multipart field media is required")
    app_state = state()
    with app_state.session() as session:
        url = store_upload(session, app_state.media, upload, app_state.settings.public_url)
        session.commit()
    response = jsonify({"media_url": url})
    response.status_code = 201
    return response


@blueprint.get("/media/<name>")
def serve_media(name: str) -> Response:
    """A stored photo with its own content type; 404 for any other name."""
    app_state = state()
    path = app_state.media.path_of(name)
    if path is None:
        raise ApiError(404, "media not found")
    with app_state.session() as session:
        row = session.execute(select(Media).where(Media.name == name)).scalar_one_or_none()
    if row is None:
        raise ApiError(404, "media not found")
    response = send_file(path, mimetype=row.content_type, max_age=86400, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
