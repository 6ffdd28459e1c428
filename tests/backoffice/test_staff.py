"""The staff API (backoffice/staff.py, backoffice/auth.py, backoffice/accounts.py)."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlparse

import pytest
from flask import Flask
from flask.testing import FlaskClient

from backoffice.accounts import set_staff_user
from backoffice.state import EXTENSION_KEY
from tests.fixtures.backoffice import (
    STAFF_PASSWORD,
    STAFF_USER,
    backoffice_test_settings,
    build_app,
    dispose_app,
    file_report,
    jpeg_bytes,
)

AUTH = (STAFF_USER, STAFF_PASSWORD)


@pytest.fixture
def client(backoffice_app: Flask) -> FlaskClient:
    with backoffice_app.extensions[EXTENSION_KEY].session() as session:
        set_staff_user(session, STAFF_USER, STAFF_PASSWORD)
        session.commit()
    return backoffice_app.test_client()


@pytest.mark.parametrize(
    "auth",
    [
        None,  # no credentials
        (STAFF_USER, "wrong"),  # wrong password
        ("nobody", STAFF_PASSWORD),  # unknown user
    ],
)
def test_staff_api_needs_a_login(client: FlaskClient, auth: tuple[str, str] | None) -> None:
    rid = file_report(client)
    for method, path in (
        ("get", "/staff/api/requests"),
        ("get", f"/staff/api/requests/{rid}"),
        ("post", f"/staff/api/requests/{rid}/status"),
    ):
        response = getattr(client, method)(path, auth=auth)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Basic")
        assert response.get_json()[0]["code"] == 401


def test_detail_shows_personal_fields_attributes_and_history(client: FlaskClient) -> None:
    rid = file_report(
        client,
        service_code="streetlight",
        email="resident@example.org",
        phone="+358401234567",
        **{"attribute[light_problem]": "flickering"},
    )
    body = client.get(f"/staff/api/requests/{rid}", auth=AUTH).get_json()
    assert body["email"] == "resident@example.org"
    assert body["phone"] == "+358401234567"
    assert body["attributes"] == {"light_problem": "flickering"}
    assert [h["detailed_status"] for h in body["history"]] == ["received"]
    assert client.get("/staff/api/requests/424242", auth=AUTH).status_code == 404


def test_list_filters_by_status_and_service(client: FlaskClient) -> None:
    pothole = file_report(client)
    graffiti = file_report(client, service_code="graffiti", **{"attribute[property_type]": "private"})
    client.post(f"/staff/api/requests/{pothole}/status", json={"status": "in_progress"}, auth=AUTH)

    def ids(query: str) -> list[str]:
        return [
            r["service_request_id"] for r in client.get(f"/staff/api/requests?{query}", auth=AUTH).get_json()
        ]

    assert ids("") == [graffiti, pothole]
    assert ids("detailed_status=in_progress") == [pothole]
    assert ids("service_code=graffiti") == [graffiti]
    assert ids("limit=1&offset=1") == [pothole]
    assert client.get("/staff/api/requests?limit=lots", auth=AUTH).status_code == 400


def test_status_changes_show_in_open311_and_history(client: FlaskClient, open311_schema) -> None:
    rid = file_report(client)
    started = client.post(
        f"/staff/api/requests/{rid}/status",
        json={"status": "in_progress", "note": "Crew on the way"},
        auth=AUTH,
    )
    assert started.status_code == 200
    public = client.get(f"/open311/v2/requests/{rid}.json").get_json()
    open311_schema(public, "requests.json")
    assert (public[0]["status"], public[0]["detailed_status"]) == ("open", "in_progress")
    assert public[0]["status_notes"] == "Crew on the way"
    assert public[0]["updated_datetime"] >= public[0]["requested_datetime"]

    client.post(f"/staff/api/requests/{rid}/status", json={"status": "closed", "note": "Filled"}, auth=AUTH)
    public = client.get(f"/open311/v2/requests/{rid}.json").get_json()[0]
    assert (public["status"], public["detailed_status"], public["status_notes"]) == (
        "closed",
        "closed",
        "Filled",
    )
    history = client.get(f"/staff/api/requests/{rid}", auth=AUTH).get_json()["history"]
    assert [(h["detailed_status"], h["note"], h["staff_user"]) for h in history] == [
        ("received", None, None),
        ("in_progress", "Crew on the way", STAFF_USER),
        ("closed", "Filled", STAFF_USER),
    ]


def test_closing_with_a_photo_sets_closing_media_url(client: FlaskClient) -> None:
    rid = file_report(client)
    response = client.post(
        f"/staff/api/requests/{rid}/status",
        data={"status": "closed", "note": "Done", "photo": (io.BytesIO(jpeg_bytes()), "after.jpg")},
        content_type="multipart/form-data",
        auth=AUTH,
    )
    assert response.status_code == 200
    public = client.get(f"/open311/v2/requests/{rid}.json").get_json()[0]
    url = public["closing_media_url"]
    assert url and url.startswith("http://backoffice.test/media/")
    photo = client.get(urlparse(url).path)
    assert photo.status_code == 200 and photo.content_type == "image/jpeg"
    # Reopening clears the closing photo.
    client.post(f"/staff/api/requests/{rid}/status", json={"status": "received"}, auth=AUTH)
    assert client.get(f"/open311/v2/requests/{rid}.json").get_json()[0]["closing_media_url"] is None


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"status": "done"}, 400),  # not one of the detailed statuses
        ({}, 400),  # no status
        ({"status": "closed", "note": "x" * 4001}, 400),  # note too long
    ],
)
def test_bad_status_changes_are_refused(client: FlaskClient, body: dict, status: int) -> None:
    rid = file_report(client)
    response = client.post(f"/staff/api/requests/{rid}/status", json=body, auth=AUTH)
    assert response.status_code == status
    assert client.get(f"/open311/v2/requests/{rid}.json").get_json()[0]["detailed_status"] == "received"


def test_closing_photo_must_be_a_real_image(client: FlaskClient) -> None:
    rid = file_report(client)
    response = client.post(
        f"/staff/api/requests/{rid}/status",
        data={"status": "closed", "photo": (io.BytesIO(b"<html></html>"), "after.jpg")},
        content_type="multipart/form-data",
        auth=AUTH,
    )
    assert response.status_code == 400
    assert client.get(f"/open311/v2/requests/{rid}.json").get_json()[0]["status"] == "open"


def test_admin_password_from_settings_is_updated_on_restart(tmp_path: Path) -> None:
    first = build_app(backoffice_test_settings(tmp_path, admin_user="boss", admin_password="old-secret"))
    dispose_app(first)
    second = build_app(backoffice_test_settings(tmp_path, admin_user="boss", admin_password="new-secret"))
    try:
        client = second.test_client()
        assert client.get("/staff/api/requests", auth=("boss", "old-secret")).status_code == 401
        assert client.get("/staff/api/requests", auth=("boss", "new-secret")).status_code == 200
    finally:
        dispose_app(second)
