"""The staff API under `/staff/api/`: list and read requests (with personal fields), change their status."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from .auth import staff_required
from .errors import ApiError
from .models import CLOSED, DETAILED_STATUSES, OPEN, Service, ServiceRequest, StatusChange, utcnow
from .photo_api import store_upload
from .serialize import request_json, staff_request_json
from .state import state

logger = logging.getLogger(__name__)

blueprint = Blueprint("staff", __name__, url_prefix="/staff/api")
NOTE_LIMIT = 4000
PAGE_LIMIT = 1000


def _get_request(session: Session, rid: str) -> ServiceRequest:
    row_id = ServiceRequest.id_from_public(rid)
    row = session.get(ServiceRequest, row_id) if row_id is not None else None
    if row is None:
        raise ApiError(404, f"service request {rid} not found")
    return row


def _int_arg(name: str, default: int, high: int) -> int:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) > high:
        raise ApiError(400, f"{name} must be a whole number from 0 to {high}")
    return int(raw)


@blueprint.get("/requests")
@staff_required
def list_requests() -> Response:
    """Requests, newest first.

    Filters `status`, `detailed_status`, `service_code`, `agency` and `district`; pages with `limit`
    (default 100) and `offset`.
    """
    query = select(ServiceRequest).join(Service)
    filters = {
        "status": ServiceRequest.status,
        "detailed_status": ServiceRequest.detailed_status,
        "service_code": Service.service_code,
        "agency": ServiceRequest.agency_responsible,
        "district": ServiceRequest.district,
    }
    for name, column in filters.items():
        value = request.args.get(name, "").strip()
        if value:
            query = query.where(column == value)
    limit = _int_arg("limit", 100, PAGE_LIMIT)
    offset = _int_arg("offset", 0, 10**9)
    query = query.order_by(ServiceRequest.id.desc()).limit(limit).offset(offset)
    with state().session() as session:
        rows = session.execute(query).scalars().all()
        return jsonify([{**request_json(row), "attributes": row.attributes} for row in rows])


@blueprint.get("/requests/<rid>")
@staff_required
def get_request(rid: str) -> Response:
    """One request with its attributes, personal fields and full status history."""
    with state().session() as session:
        return jsonify(staff_request_json(_get_request(session, rid)))


def _status_form() -> tuple[dict[str, Any], Any]:
    """The submitted fields and the optional photo upload, from JSON or a (multipart) form."""
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise ApiError(400, "the JSON body must be an object")
        return data, None
    return dict(request.form.items()), request.files.get("photo")


@blueprint.post("/requests/<rid>/status")
@staff_required
def change_status(rid: str) -> Response:
    """Sets the detailed status (`received`, `in_progress` or `closed`) with an optional note and photo.

    A photo sent with `closed` becomes the request's `closing_media_url`; reopening clears it.
    """
    data, photo = _status_form()
    detailed = str(data.get("status") or "").strip()
    if detailed not in DETAILED_STATUSES:
        raise ApiError(400, f"status must be one of {', '.join(DETAILED_STATUSES)}")
    note = str(data.get("note") or "").strip() or None
    if note is not None and len(note) > NOTE_LIMIT:
        raise ApiError(400, f"note is longer than {NOTE_LIMIT} characters")
    app_state = state()
    with app_state.session() as session:
        row = _get_request(session, rid)
        photo_url = None
        if photo is not None and photo.filename:
            photo_url = store_upload(session, app_state.media, photo, app_state.settings.public_url)
        now = utcnow()
        row.detailed_status = detailed
        row.status = CLOSED if detailed == "closed" else OPEN
        row.status_notes = note
        row.updated_datetime = now
        if detailed == "closed":
            row.closing_media_url = photo_url or row.closing_media_url
        else:
            row.closing_media_url = None
        row.history.append(
            StatusChange(
                detailed_status=detailed,
                note=note,
                photo_url=photo_url,
                staff_user_id=g.staff_user_id,
                changed_at=now,
            )
        )
        session.commit()
        logger.info("backoffice.status_changed id=%s status=%s staff=%s", row.id, detailed, g.staff_user_id)
        session.refresh(row)
        return jsonify(staff_request_json(row))
