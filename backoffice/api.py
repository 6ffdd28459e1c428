"""The Open311 GeoReport v2 endpoints under `/open311/v2/` (JSON only), plus the follow extension."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import idempotency
from .auth import require_api_key
from .errors import ApiError
from .intake import check_submission, file_request
from .models import Service, ServiceRequest
from .queries import search
from .serialize import definition_json, request_json, service_json
from .state import state

logger = logging.getLogger(__name__)

PREFIX = "/open311/v2"
blueprint = Blueprint("open311", __name__, url_prefix=PREFIX)


@blueprint.before_request
def _check_jurisdiction() -> None:
    # One server serves one city: jurisdiction_id is optional, but a different one is an unknown jurisdiction.
    given = request.values.get("jurisdiction_id", "").strip()
    expected = state().settings.jurisdiction_id
    if given and expected and given != expected:
        raise ApiError(404, "jurisdiction_id not found")


def json_only(fmt: str) -> None:
    """Refuses every response format but JSON.

    Raises:
        ApiError: 400 for `.xml` or anything else.
    """
    if fmt != "json":
        raise ApiError(400, "only the JSON format is served: use .json")


def _json(body: Any, status: int = 200) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


def _active_service(session: Session, code: str) -> Service | None:
    return session.execute(
        select(Service).where(Service.service_code == code, Service.active.is_(True))
    ).scalar_one_or_none()


def _request_by_id(session: Session, raw_id: str) -> ServiceRequest:
    row_id = ServiceRequest.id_from_public(raw_id)
    row = session.get(ServiceRequest, row_id) if row_id is not None else None
    if row is None:
        raise ApiError(404, f"service request {raw_id} not found")
    return row


@blueprint.get("/discovery.<fmt>")
def discovery(fmt: str) -> Response:
    """Where the API lives and what it speaks."""
    json_only(fmt)
    settings = state().settings
    return _json(
        {
            "changeset": "2025-01-01T00:00:00Z",
            "contact": "City service desk",
            "key_service": f"{settings.public_url}/ (ask the city for an api_key)",
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": settings.open311_url,
                    "changeset": "2025-01-01T00:00:00Z",
                    "type": "production",
                    "formats": ["application/json"],
                }
            ],
        }
    )


@blueprint.get("/services.<fmt>")
def services(fmt: str) -> Response:
    """The list of services (active catalogue entries)."""
    json_only(fmt)
    with state().session() as session:
        rows = session.execute(select(Service).where(Service.active.is_(True)).order_by(Service.id)).scalars()
        return _json([service_json(row) for row in rows])


@blueprint.get("/services/<code>.<fmt>")
def service_definition(code: str, fmt: str) -> Response:
    """One service's definition: its attributes."""
    json_only(fmt)
    with state().session() as session:
        row = _active_service(session, code)
        if row is None:
            raise ApiError(404, f"service_code {code} not found")
        return _json(definition_json(row))


@blueprint.get("/requests.<fmt>")
def list_requests(fmt: str) -> Response:
    """Requests matching the spec's filters or, with lat/long/radius, open requests nearby."""
    json_only(fmt)
    with state().session() as session:
        found = search(session, request.args)
        return _json([request_json(f.request, f.distance_m) for f in found])


@blueprint.get("/requests/<rid>.<fmt>")
def get_request(rid: str, fmt: str) -> Response:
    """One request, as a one-element array (as the spec has it)."""
    json_only(fmt)
    with state().session() as session:
        return _json([request_json(_request_by_id(session, rid))])


@blueprint.get("/tokens/<token>.<fmt>")
def get_token(token: str, fmt: str) -> Response:
    """The request id behind a token returned by POST requests.json."""
    json_only(fmt)
    with state().session() as session:
        query = select(ServiceRequest).where(ServiceRequest.token == token)
        row = session.execute(query).scalar_one_or_none()
        if row is None:
            raise ApiError(404, "token not found")
        return _json([{"service_request_id": row.public_id, "token": row.token}])


@blueprint.post("/requests.<fmt>")
def create_request(fmt: str) -> Response:
    """Files a service request (form-encoded, as the spec); honours `Idempotency-Key`."""
    json_only(fmt)
    require_api_key()
    key = idempotency.key_of(request)
    app_state = state()
    with app_state.session() as session:
        if key is not None and (answer := idempotency.recall(session, key)) is not None:
            return _json(answer.body, answer.status)
        code = (request.form.get("service_code") or "").strip()
        if not code:
            raise ApiError(400, "service_code is required")
        service = _active_service(session, code)
        if service is None:
            raise ApiError(400, f"service_code {code} not found")
        submission = check_submission(request.form, service)
        row = file_request(session, service, submission, app_state.areas, app_state.settings.default_agency)
        body = [
            {
                "service_request_id": row.public_id,
                "token": row.token,
                "service_notice": row.service_notice,
                "account_id": row.account_id,
            }
        ]
        if key is not None:
            idempotency.remember(session, key, row.id, idempotency.StoredAnswer(201, body))
        try:
            session.commit()
        except IntegrityError:
            if key is None:
                raise
            session.rollback()
            answer = idempotency.recall(session, key)
            if answer is None:
                raise
            return _json(answer.body, answer.status)
    return _json(body, 201)


@blueprint.post("/requests/<rid>/follow.<fmt>")
def follow_request(rid: str, fmt: str) -> Response:
    """Extension: one more resident follows this request (+1); answers the new count."""
    json_only(fmt)
    require_api_key()
    with state().session() as session:
        row = _request_by_id(session, rid)
        # Incremented in SQL so concurrent follows are not lost.
        session.execute(
            update(ServiceRequest)
            .where(ServiceRequest.id == row.id)
            .values(followers=ServiceRequest.followers + 1)
        )
        session.commit()
        session.refresh(row)
        return _json({"service_request_id": row.public_id, "followers": row.followers})
