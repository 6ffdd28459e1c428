"""The Open311 endpoints (backoffice/api.py) against GeoReport v2, through Flask's test client."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.fixtures.backoffice import API_KEY, file_report, report_form

BASE = "/open311/v2"


def test_discovery_points_at_the_public_json_endpoint(backoffice_client: FlaskClient) -> None:
    body = backoffice_client.get(f"{BASE}/discovery.json").get_json()
    endpoint = body["endpoints"][0]
    assert endpoint["url"] == "http://backoffice.test/open311/v2/"
    assert endpoint["formats"] == ["application/json"]


def test_services_list_the_whole_catalogue_in_open311_shape(
    backoffice_client: FlaskClient, open311_schema
) -> None:
    response = backoffice_client.get(f"{BASE}/services.json")
    assert response.status_code == 200
    assert response.content_type == "application/json"
    services = response.get_json()
    open311_schema(services, "services.json")
    assert len(services) == 21
    by_code = {s["service_code"]: s for s in services}
    assert by_code["streetlight"]["metadata"] is True
    assert by_code["traffic_signal"]["metadata"] is False
    assert by_code["pothole"]["group"] == "Streets"
    assert "pothole" in by_code["pothole"]["keywords"]


def test_service_definition_has_open311_attributes_without_our_hints(
    backoffice_client: FlaskClient, open311_schema
) -> None:
    body = backoffice_client.get(f"{BASE}/services/streetlight.json").get_json()
    open311_schema(body, "service-definition.json")
    first = body["attributes"][0]
    assert first["code"] == "light_problem"
    assert first["required"] is True
    assert first["order"] == 1
    assert {"key": "out", "name": "It is out"} in first["values"]
    assert "hints" not in str(body)


def test_unknown_service_definition_is_404_error_array(backoffice_client: FlaskClient) -> None:
    response = backoffice_client.get(f"{BASE}/services/unicorns.json")
    assert response.status_code == 404
    assert response.get_json()[0]["code"] == 404


@pytest.mark.parametrize(
    "path",
    [
        "services.xml",  # the list
        "services/pothole.xml",  # a definition
        "requests.xml",  # the request search
        "discovery.xml",  # discovery
    ],
)
def test_xml_is_refused_with_an_error_saying_only_json(backoffice_client: FlaskClient, path: str) -> None:
    response = backoffice_client.get(f"{BASE}/{path}")
    assert response.status_code == 400
    assert response.content_type == "application/json"
    assert "JSON" in response.get_json()[0]["description"]


def test_post_files_a_request_with_id_from_10001(backoffice_client: FlaskClient, open311_schema) -> None:
    response = backoffice_client.post(f"{BASE}/requests.json", data=report_form(account_id="acct-7"))
    assert response.status_code == 201
    body = response.get_json()
    assert body[0]["service_request_id"] == "10001"
    assert body[0]["account_id"] == "acct-7"
    assert body[0]["service_notice"]
    assert file_report(backoffice_client) == "10002"
    shown = backoffice_client.get(f"{BASE}/requests/10001.json").get_json()
    open311_schema(shown, "requests.json")
    assert len(shown) == 1
    request = shown[0]
    assert request["status"] == "open"
    assert request["service_code"] == "pothole"
    assert request["service_name"] == "Pothole or damaged road"
    assert request["lat"] == pytest.approx(60.1699)
    assert request["long"] == pytest.approx(24.9384)
    assert request["detailed_status"] == "received"
    assert request["followers"] == 0
    assert request["closing_media_url"] is None


def test_post_with_address_only_and_multivalue_attributes(backoffice_client: FlaskClient) -> None:
    rid = file_report(
        backoffice_client,
        service_code="graffiti",
        lat=None,
        long=None,
        address_string="Mannerheimintie 5",
        **{"attribute[property_type]": "public", "attribute[offensive]": "no"},
    )
    request = backoffice_client.get(f"{BASE}/requests/{rid}.json").get_json()[0]
    assert request["address"] == "Mannerheimintie 5"
    assert request["lat"] is None
    # No point, so the default agency gets it.
    assert request["agency_responsible"] == "City of Helsinki"
    assert request["district"] is None


@pytest.mark.parametrize(
    ("api_key", "status"),
    [
        (None, 403),  # no key at all
        ("wrong-key", 403),  # a key the server does not accept
        ("", 403),  # an empty key never matches
    ],
)
def test_post_needs_a_valid_api_key(backoffice_client: FlaskClient, api_key: str | None, status: int) -> None:
    response = backoffice_client.post(f"{BASE}/requests.json", data=report_form(api_key=api_key))
    assert response.status_code == status
    assert response.get_json()[0]["code"] == status
    assert backoffice_client.get(f"{BASE}/requests.json").get_json() == []


def test_server_without_keys_refuses_every_post(tmp_path) -> None:
    from tests.fixtures.backoffice import backoffice_test_settings, build_app, dispose_app

    app = build_app(backoffice_test_settings(tmp_path, api_keys=()))
    try:
        response = app.test_client().post(f"{BASE}/requests.json", data=report_form())
        assert response.status_code == 403
    finally:
        dispose_app(app)


@pytest.mark.parametrize(
    ("overrides", "status", "says"),
    [
        ({"service_code": None}, 400, "service_code"),  # service missing
        ({"service_code": "unicorns"}, 400, "unicorns"),  # unknown service
        ({"lat": None, "long": None}, 400, "location"),  # no location at all
        ({"long": None}, 400, "together"),  # half a point
        ({"lat": "91"}, 400, "lat"),  # latitude out of range
        ({"long": "-180.5"}, 400, "long"),  # longitude out of range
        ({"lat": "nan"}, 400, "lat"),  # not a finite number
        ({"lat": "sixty"}, 400, "lat"),  # not a number
        ({"description": "x" * 4001}, 400, "description"),  # over the spec's 4000 characters
        ({"email": "a" * 250 + "@x.fi"}, 400, "email"),  # over-long personal field
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),  # not an http(s) URL
        ({"service_code": "streetlight"}, 400, "light_problem"),  # required attribute missing
        (
            {"service_code": "streetlight", "attribute[light_problem]": "purple"},
            400,
            "light_problem",
        ),  # a list value not among the keys
        (
            {"service_code": "streetlight", "attribute[light_problem]": ["out", "flickering"]},
            400,
            "light_problem",
        ),  # two values for a single-value list
    ],
)
def test_post_validation_errors_name_the_problem(
    backoffice_client: FlaskClient, overrides: dict, status: int, says: str
) -> None:
    response = backoffice_client.post(f"{BASE}/requests.json", data=report_form(**overrides))
    assert response.status_code == status
    error = response.get_json()
    assert isinstance(error, list) and error[0]["code"] == status
    assert says in error[0]["description"]


def test_description_of_exactly_4000_characters_is_accepted(backoffice_client: FlaskClient) -> None:
    rid = file_report(backoffice_client, description="é" * 4000)
    assert backoffice_client.get(f"{BASE}/requests/{rid}.json").get_json()[0]["description"] == "é" * 4000


def test_hostile_text_is_stored_and_returned_verbatim(backoffice_client: FlaskClient) -> None:
    text = "<script>alert(1)</script>'; DROP TABLE service_requests;-- \u202e\u200b 🕳️"
    rid = file_report(backoffice_client, description=text)
    response = backoffice_client.get(f"{BASE}/requests/{rid}.json")
    assert response.content_type == "application/json"
    assert response.get_json()[0]["description"] == text.strip()
    # Served as JSON that browsers may not sniff into HTML.
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_personal_fields_are_never_in_gets(backoffice_client: FlaskClient) -> None:
    personal = {
        "email": "resident@example.org",
        "first_name": "Aino",
        "last_name": "Virtanen",
        "phone": "+358401234567",
        "device_id": "device-secret-42",
    }
    rid = file_report(backoffice_client, **personal)
    pages = [
        backoffice_client.get(f"{BASE}/requests/{rid}.json").data,
        backoffice_client.get(f"{BASE}/requests.json").data,
        backoffice_client.get(f"{BASE}/requests.json?service_request_id={rid}").data,
        backoffice_client.get(f"{BASE}/requests.json?lat=60.1699&long=24.9384&radius=50").data,
    ]
    for page in pages:
        assert rid.encode() in page
        for value in personal.values():
            assert value.encode() not in page


def test_get_single_request_unknown_is_404(backoffice_client: FlaskClient) -> None:
    # A free id, not a number, and a number too big for the database's integer column.
    for rid in ("99999", "abc", "99999999999999999999999"):
        response = backoffice_client.get(f"{BASE}/requests/{rid}.json")
        assert response.status_code == 404
        assert response.get_json()[0]["code"] == 404


def test_token_resolves_to_the_request(backoffice_client: FlaskClient) -> None:
    created = backoffice_client.post(f"{BASE}/requests.json", data=report_form()).get_json()[0]
    body = backoffice_client.get(f"{BASE}/tokens/{created['token']}.json").get_json()
    assert body == [{"service_request_id": created["service_request_id"], "token": created["token"]}]
    assert backoffice_client.get(f"{BASE}/tokens/not-a-token.json").status_code == 404


def test_follow_adds_one_follower_each_time(backoffice_client: FlaskClient) -> None:
    rid = file_report(backoffice_client)
    first = backoffice_client.post(f"{BASE}/requests/{rid}/follow.json", data={"api_key": API_KEY})
    second = backoffice_client.post(f"{BASE}/requests/{rid}/follow.json", data={"api_key": API_KEY})
    assert first.get_json() == {"service_request_id": rid, "followers": 1}
    assert second.get_json() == {"service_request_id": rid, "followers": 2}
    assert backoffice_client.get(f"{BASE}/requests/{rid}.json").get_json()[0]["followers"] == 2


def test_follow_needs_a_key_and_an_existing_request(backoffice_client: FlaskClient) -> None:
    rid = file_report(backoffice_client)
    assert backoffice_client.post(f"{BASE}/requests/{rid}/follow.json").status_code == 403
    missing = backoffice_client.post(f"{BASE}/requests/99999/follow.json", data={"api_key": API_KEY})
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/nowhere", 404),  # an unknown route
        ("get", f"{BASE}/nothing.json", 404),  # unknown route under the API prefix
        ("delete", f"{BASE}/services.json", 405),  # a wrong method
        ("put", f"{BASE}/requests.json", 405),  # a wrong method on the request collection
    ],
)
def test_routing_errors_are_open311_error_arrays(
    backoffice_client: FlaskClient, method: str, path: str, status: int
) -> None:
    response = getattr(backoffice_client, method)(path)
    assert response.status_code == status
    assert response.content_type == "application/json"
    assert response.get_json()[0]["code"] == status


def test_unexpected_failure_is_500_without_a_stack_trace(backoffice_app) -> None:
    # A real failure: the database disappears under the running app.
    from backoffice.state import EXTENSION_KEY

    with backoffice_app.extensions[EXTENSION_KEY].engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE services")
    backoffice_app.config["PROPAGATE_EXCEPTIONS"] = False
    response = backoffice_app.test_client().get(f"{BASE}/services.json")
    assert response.status_code == 500
    assert response.get_json() == [{"code": 500, "description": "internal server error"}]
    assert b"Traceback" not in response.data and b"sqlite" not in response.data.lower()


def test_wrong_jurisdiction_is_refused(tmp_path) -> None:
    from tests.fixtures.backoffice import backoffice_test_settings, build_app, dispose_app

    app = build_app(backoffice_test_settings(tmp_path, jurisdiction_id="helsinki.fi"))
    try:
        client = app.test_client()
        assert client.get(f"{BASE}/services.json?jurisdiction_id=helsinki.fi").status_code == 200
        assert client.get(f"{BASE}/services.json").status_code == 200
        assert client.get(f"{BASE}/services.json?jurisdiction_id=espoo.fi").status_code == 404
    finally:
        dispose_app(app)


def test_a_crash_while_filing_logs_no_personal_data(backoffice_app, caplog) -> None:
    # A trigger makes the very INSERT that carries the personal fields fail.
    from backoffice.state import EXTENSION_KEY

    with backoffice_app.extensions[EXTENSION_KEY].engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TRIGGER boom BEFORE INSERT ON service_requests BEGIN SELECT RAISE(ABORT, 'boom'); END"
        )
    backoffice_app.config["PROPAGATE_EXCEPTIONS"] = False
    canaries = {"email": "canary@example.org", "phone": "+358400000001", "description": "canary text"}
    response = backoffice_app.test_client().post(f"{BASE}/requests.json", data=report_form(**canaries))
    assert response.status_code == 500
    assert "backoffice.unexpected_error" in caplog.text
    for value in canaries.values():
        assert value not in caplog.text
