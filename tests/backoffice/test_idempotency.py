"""The `Idempotency-Key` extension (backoffice/idempotency.py): one request per key, even across restarts."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from tests.fixtures.backoffice import backoffice_test_settings, build_app, dispose_app, report_form

URL = "/open311/v2/requests.json"


def _count(client: FlaskClient) -> int:
    return len(client.get(URL).get_json())


def test_same_key_gets_the_same_answer_and_one_request(backoffice_client: FlaskClient) -> None:
    headers = {"Idempotency-Key": "report-abc-1"}
    first = backoffice_client.post(URL, data=report_form(), headers=headers)
    second = backoffice_client.post(URL, data=report_form(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.get_json() == second.get_json()
    assert _count(backoffice_client) == 1


def test_different_keys_and_no_key_file_separate_requests(backoffice_client: FlaskClient) -> None:
    backoffice_client.post(URL, data=report_form(), headers={"Idempotency-Key": "k-1"})
    backoffice_client.post(URL, data=report_form(), headers={"Idempotency-Key": "k-2"})
    backoffice_client.post(URL, data=report_form())
    backoffice_client.post(URL, data=report_form())
    assert _count(backoffice_client) == 4


def test_refused_post_is_not_remembered(backoffice_client: FlaskClient) -> None:
    headers = {"Idempotency-Key": "fix-and-retry"}
    refused = backoffice_client.post(URL, data=report_form(lat=None, long=None), headers=headers)
    assert refused.status_code == 400
    accepted = backoffice_client.post(URL, data=report_form(), headers=headers)
    assert accepted.status_code == 201


def test_key_does_not_bypass_the_api_key(backoffice_client: FlaskClient) -> None:
    headers = {"Idempotency-Key": "k-secret"}
    assert backoffice_client.post(URL, data=report_form(), headers=headers).status_code == 201
    assert backoffice_client.post(URL, data=report_form(api_key="wrong"), headers=headers).status_code == 403


def test_overlong_key_is_refused(backoffice_client: FlaskClient) -> None:
    response = backoffice_client.post(URL, data=report_form(), headers={"Idempotency-Key": "k" * 256})
    assert response.status_code == 400
    assert "Idempotency-Key" in response.get_json()[0]["description"]


def test_same_key_after_a_restart_on_the_same_database(tmp_path: Path) -> None:
    settings = backoffice_test_settings(tmp_path)
    headers = {"Idempotency-Key": "survives-restarts"}
    first_app = build_app(settings)
    first = first_app.test_client().post(URL, data=report_form(), headers=headers)
    dispose_app(first_app)

    second_app = build_app(settings)
    try:
        client = second_app.test_client()
        again = client.post(URL, data=report_form(), headers=headers)
        assert again.status_code == 201
        assert again.get_json() == first.get_json()
        assert _count(client) == 1
    finally:
        dispose_app(second_app)
