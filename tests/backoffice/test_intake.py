"""Filing requests (backoffice/intake.py): agency by district, attribute datatypes, what gets stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from backoffice.models import ServiceRequest
from backoffice.state import EXTENSION_KEY
from tests.fixtures.backoffice import (
    PROJECT_ROOT,
    backoffice_test_settings,
    build_app,
    dispose_app,
    file_report,
    report_form,
)

BASE = "/open311/v2"
BENCH_CATALOGUE = PROJECT_ROOT / "tests" / "data" / "backoffice" / "services.yml"


@pytest.fixture
def bench_app(tmp_path: Path) -> Iterator[Flask]:
    app = build_app(backoffice_test_settings(tmp_path, catalogue_path=BENCH_CATALOGUE))
    yield app
    dispose_app(app)


def _stored(app: Flask, rid: str) -> ServiceRequest:
    with app.extensions[EXTENSION_KEY].session() as session:
        return session.execute(select(ServiceRequest).where(ServiceRequest.id == int(rid))).scalar_one()


@pytest.mark.parametrize(
    ("lat", "lon", "agency", "district"),
    [
        ("60.185", "24.95", "North Streets Crew", "Kallio"),  # inside the first district
        ("60.16", "24.94", "South Streets Crew", "Punavuori"),  # inside the second district
        ("60.20", "25.10", "City of Helsinki", None),  # outside every district: the default agency
    ],
)
def test_the_district_of_the_point_decides_the_agency(
    backoffice_client: FlaskClient, lat: str, lon: str, agency: str, district: str | None
) -> None:
    rid = file_report(backoffice_client, lat=lat, long=lon)
    shown = backoffice_client.get(f"{BASE}/requests/{rid}.json").get_json()[0]
    assert shown["agency_responsible"] == agency
    assert shown["district"] == district
    assert agency in shown["service_notice"]


def test_without_a_districts_file_everything_goes_to_the_default_agency(tmp_path: Path) -> None:
    settings = backoffice_test_settings(
        tmp_path, districts_path=tmp_path / "missing.geojson", default_agency="Helsinki Works"
    )
    app = build_app(settings)
    try:
        client = app.test_client()
        rid = file_report(client, lat="60.185", long="24.95")
        assert (
            client.get(f"{BASE}/requests/{rid}.json").get_json()[0]["agency_responsible"] == "Helsinki Works"
        )
    finally:
        dispose_app(app)


def test_multivaluelist_number_datetime_and_text_are_stored(bench_app: Flask) -> None:
    client = bench_app.test_client()
    rid = file_report(
        client,
        service_code="bench",
        **{
            "attribute[damage][]": ["slats", "bolts"],
            "attribute[seats]": "3",
            "attribute[noticed]": "2024-05-01T08:30:00+03:00",
            "attribute[details]": "Line one\nline two",
            "attribute[not_ours]": "dropped",
        },
    )
    row = _stored(bench_app, rid)
    assert row.attributes == {
        "damage": ["slats", "bolts"],
        "seats": "3",
        "noticed": "2024-05-01T08:30:00+03:00",
        "details": "Line one\nline two",
    }


@pytest.mark.parametrize(
    ("attributes", "says"),
    [
        ({}, "damage"),  # the required multivaluelist is missing
        ({"attribute[damage][]": ["slats", "rust"]}, "damage"),  # one of the values is not a key
        ({"attribute[damage][]": "slats", "attribute[seats]": "three"}, "seats"),  # not a number
        ({"attribute[damage][]": "slats", "attribute[seats]": "inf"}, "seats"),  # not a finite number
        ({"attribute[damage][]": "slats", "attribute[noticed]": "yesterday"}, "noticed"),  # not a datetime
        ({"attribute[damage][]": "slats", "attribute[details]": "x" * 4001}, "details"),  # too long
    ],
)
def test_attribute_errors_name_the_attribute(bench_app: Flask, attributes: dict, says: str) -> None:
    response = bench_app.test_client().post(
        f"{BASE}/requests.json", data=report_form(service_code="bench", **attributes)
    )
    assert response.status_code == 400
    assert says in response.get_json()[0]["description"]


def test_personal_fields_are_stored_for_staff(backoffice_app: Flask, backoffice_client: FlaskClient) -> None:
    rid = file_report(
        backoffice_client,
        email="resident@example.org",
        first_name="Aino",
        last_name="Virtanen",
        phone="+358401234567",
        device_id="dev-1",
        account_id="acct-1",
    )
    row = _stored(backoffice_app, rid)
    assert (row.email, row.first_name, row.last_name, row.phone, row.device_id, row.account_id) == (
        "resident@example.org",
        "Aino",
        "Virtanen",
        "+358401234567",
        "dev-1",
        "acct-1",
    )
    assert [c.detailed_status for c in row.history] == ["received"]
