"""The real server: `python -m backoffice` (migrate, seed, waitress) on a free loopback port."""

from __future__ import annotations

from pathlib import Path

import requests

from tests.fixtures.backoffice import TEST_DISTRICTS, jpeg_bytes, start_backoffice

TIMEOUT = 10


def test_real_server_files_serves_and_closes_a_report(tmp_path: Path, open311_schema) -> None:
    server = start_backoffice(tmp_path, {"BACKOFFICE_DISTRICTS": str(TEST_DISTRICTS)})
    try:
        assert server.url.endswith("/open311/v2/")
        services = requests.get(f"{server.url}services.json", timeout=TIMEOUT).json()
        open311_schema(services, "services.json")
        assert len(services) == 21

        photo = requests.post(
            f"{server.url}media.json",
            data={"api_key": server.api_key},
            files={"media": ("p.jpg", jpeg_bytes(), "image/jpeg")},
            timeout=TIMEOUT,
        )
        assert photo.status_code == 201
        media_url = photo.json()["media_url"]
        assert media_url.startswith(f"{server.root}/media/")

        canary = {"email": "canary-mail@example.org", "phone": "+358409999999", "first_name": "Canaryname"}
        form = {
            "api_key": server.api_key,
            "service_code": "streetlight",
            "lat": "60.185",
            "long": "24.95",
            "attribute[light_problem]": "out",
            "description": "Canary description text",
            "media_url": media_url,
            **canary,
        }
        headers = {"Idempotency-Key": "server-test-1"}
        created = requests.post(f"{server.url}requests.json", data=form, headers=headers, timeout=TIMEOUT)
        again = requests.post(f"{server.url}requests.json", data=form, headers=headers, timeout=TIMEOUT)
        assert created.status_code == again.status_code == 201
        assert created.json() == again.json()
        rid = created.json()[0]["service_request_id"]
        assert rid == "10001"

        closed = requests.post(
            f"{server.root}/staff/api/requests/{rid}/status",
            data={"status": "closed", "note": "Lamp replaced"},
            files={"photo": ("after.jpg", jpeg_bytes(color=(0, 200, 0)), "image/jpeg")},
            auth=(server.staff_user, server.staff_password),
            timeout=TIMEOUT,
        )
        assert closed.status_code == 200

        shown = requests.get(f"{server.url}requests/{rid}.json", timeout=TIMEOUT).json()
        open311_schema(shown, "requests.json")
        request = shown[0]
        assert (request["status"], request["detailed_status"]) == ("closed", "closed")
        assert (request["district"], request["agency_responsible"]) == ("Kallio", "North Streets Crew")
        assert request["media_url"] == media_url
        served = requests.get(request["closing_media_url"], timeout=TIMEOUT)
        assert served.status_code == 200
        assert served.headers["Content-Type"] == "image/jpeg"
        assert served.headers["X-Content-Type-Options"] == "nosniff"

        unknown = requests.get(f"{server.root}/nowhere", timeout=TIMEOUT)
        assert unknown.status_code == 404 and unknown.json()[0]["code"] == 404
    finally:
        server.stop()
    # Personal data, message text and media URLs never reach the log.
    log = server.process.log()
    assert "backoffice.serving" in log
    for secret in (*canary.values(), "Canary description", media_url.rsplit("/", 1)[1]):
        assert secret not in log
