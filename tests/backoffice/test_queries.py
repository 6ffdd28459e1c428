"""`GET requests.json` filters (backoffice/queries.py): ids, service, status, dates, nearby extension."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select, update

from backoffice.models import Service, ServiceRequest
from backoffice.state import EXTENSION_KEY
from citydata.geometry import distance_m
from tests.fixtures.backoffice import file_report

BASE = "/open311/v2"
NOW = datetime.now(timezone.utc)


def _set(app: Flask, rid: str, **values: object) -> None:
    with app.extensions[EXTENSION_KEY].session() as session:
        session.execute(update(ServiceRequest).where(ServiceRequest.id == int(rid)).values(**values))
        session.commit()


def _ids(client: FlaskClient, query: str) -> list[str]:
    response = client.get(f"{BASE}/requests.json?{query}")
    assert response.status_code == 200, response.get_json()
    return [r["service_request_id"] for r in response.get_json()]


def test_default_window_is_the_last_90_days_newest_first(
    backoffice_app: Flask, backoffice_client: FlaskClient, open311_schema
) -> None:
    old = file_report(backoffice_client)
    middle = file_report(backoffice_client)
    new = file_report(backoffice_client)
    _set(backoffice_app, old, requested_datetime=NOW - timedelta(days=91))
    _set(backoffice_app, middle, requested_datetime=NOW - timedelta(days=30))
    body = backoffice_client.get(f"{BASE}/requests.json").get_json()
    open311_schema(body, "requests.json")
    assert [r["service_request_id"] for r in body] == [new, middle]


def test_start_and_end_date_select_the_window(backoffice_app: Flask, backoffice_client: FlaskClient) -> None:
    march = file_report(backoffice_client)
    april = file_report(backoffice_client)
    _set(backoffice_app, march, requested_datetime=datetime(2024, 3, 10, 12, tzinfo=timezone.utc))
    _set(backoffice_app, april, requested_datetime=datetime(2024, 4, 10, 12, tzinfo=timezone.utc))
    # W3C datetimes with Z, with an offset, and date-only all work.
    assert _ids(backoffice_client, "start_date=2024-03-01T00:00:00Z&end_date=2024-03-31T00:00:00Z") == [march]
    assert _ids(backoffice_client, "start_date=2024-04-01T00:00:00%2B03:00&end_date=2024-04-30") == [april]
    assert _ids(backoffice_client, "start_date=2024-03-01") == [april, march]  # 90 days from the start
    assert _ids(backoffice_client, "end_date=2024-03-31") == [march]  # 90 days up to the end


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("start_date=last+week", "start_date"),  # not a W3C datetime
        ("start_date=2024-01-01&end_date=2024-06-01", "90 days"),  # wider than the spec allows
        ("start_date=2024-02-01&end_date=2024-01-01", "after"),  # start after end
        ("start_date=9999-12-31", "range"),  # the 90-day window would pass the year 9999
        ("status=pending", "status"),  # not open or closed
        ("lat=60.1", "together"),  # half a point
        ("lat=60.1&long=24.9&radius=-5", "radius"),  # negative radius
        ("lat=60.1&long=24.9&radius=100000", "radius"),  # radius over the cap
        ("lat=95&long=24.9", "lat"),  # latitude out of range
    ],
)
def test_bad_filters_are_400_error_arrays(backoffice_client: FlaskClient, query: str, says: str) -> None:
    response = backoffice_client.get(f"{BASE}/requests.json?{query}")
    assert response.status_code == 400
    assert says in response.get_json()[0]["description"]


def test_service_code_and_status_filters(backoffice_app: Flask, backoffice_client: FlaskClient) -> None:
    pothole = file_report(backoffice_client)
    closed = file_report(backoffice_client)
    graffiti = file_report(
        backoffice_client, service_code="graffiti", **{"attribute[property_type]": "public"}
    )
    _set(backoffice_app, closed, status="closed", detailed_status="closed")
    assert _ids(backoffice_client, "service_code=graffiti") == [graffiti]
    assert _ids(backoffice_client, "status=open") == [graffiti, pothole]
    assert _ids(backoffice_client, "status=closed") == [closed]
    assert _ids(backoffice_client, "status=open,closed&service_code=pothole") == [closed, pothole]


def test_service_request_id_list_ignores_the_other_filters(
    backoffice_app: Flask, backoffice_client: FlaskClient
) -> None:
    first = file_report(backoffice_client)
    second = file_report(backoffice_client)
    _set(backoffice_app, first, requested_datetime=NOW - timedelta(days=400), status="closed")
    query = f"service_request_id={second},{first},424242,junk,{'9' * 30}&service_code=graffiti&status=open"
    assert _ids(backoffice_client, query) == [second, first]


def test_results_are_capped_at_1000(backoffice_app: Flask, backoffice_client: FlaskClient) -> None:
    with backoffice_app.extensions[EXTENSION_KEY].session() as session:
        service_id = session.execute(select(Service.id).where(Service.service_code == "litter")).scalar_one()
        rows = [
            {
                "token": f"t{i}",
                "service_id": service_id,
                "status": "open",
                "detailed_status": "received",
                "requested_datetime": NOW - timedelta(minutes=i),
                "updated_datetime": NOW,
                "followers": 0,
                "attributes": {},
                "address": f"Street {i}",
            }
            for i in range(1005)
        ]
        session.execute(insert(ServiceRequest), rows)
        session.commit()
    assert len(_ids(backoffice_client, "")) == 1000


def test_nearby_lists_open_requests_nearest_first_with_distance(
    backoffice_app: Flask, backoffice_client: FlaskClient, open311_schema
) -> None:
    lat, lon = 60.1699, 24.9384
    # About 10 m, 30 m and 200 m north of the point, plus a closed one 5 m away and a graffiti 20 m away.
    near = file_report(backoffice_client, lat=str(lat + 10 / 111_195), long=str(lon))
    farther = file_report(backoffice_client, lat=str(lat + 30 / 111_195), long=str(lon))
    file_report(backoffice_client, lat=str(lat + 200 / 111_195), long=str(lon))
    closed = file_report(backoffice_client, lat=str(lat + 5 / 111_195), long=str(lon))
    graffiti = file_report(
        backoffice_client,
        service_code="graffiti",
        lat=str(lat - 20 / 111_195),
        long=str(lon),
        **{"attribute[property_type]": "public"},
    )
    file_report(backoffice_client, lat=None, long=None, address_string="No point street 1")
    _set(backoffice_app, closed, status="closed", detailed_status="closed")

    body = backoffice_client.get(f"{BASE}/requests.json?lat={lat}&long={lon}&radius=50").get_json()
    open311_schema(body, "requests.json")
    assert [r["service_request_id"] for r in body] == [near, graffiti, farther]
    assert [r["distance_m"] for r in body] == pytest.approx([10, 20, 30], abs=0.5)
    # Combined with service_code; the default radius is 50 m; a bigger radius reaches the far one.
    assert _ids(backoffice_client, f"lat={lat}&long={lon}&radius=50&service_code=pothole") == [near, farther]
    assert _ids(backoffice_client, f"lat={lat}&long={lon}") == [near, graffiti, farther]
    assert len(_ids(backoffice_client, f"lat={lat}&long={lon}&radius=250")) == 4


def test_nearby_includes_open_requests_older_than_the_default_window(
    backoffice_app: Flask, backoffice_client: FlaskClient
) -> None:
    old = file_report(backoffice_client)
    _set(backoffice_app, old, requested_datetime=NOW - timedelta(days=200))
    assert _ids(backoffice_client, "lat=60.1699&long=24.9384&radius=20") == [old]


def test_distance_matches_a_known_length() -> None:
    # One degree of latitude is about 111.2 km; at 60°N a degree of longitude is about half that.
    assert distance_m(60.0, 24.0, 61.0, 24.0) == pytest.approx(111_195, rel=1e-3)
    assert distance_m(60.0, 24.0, 60.0, 25.0) == pytest.approx(55_597, rel=5e-3)
