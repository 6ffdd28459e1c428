"""Residents hear when a request they filed or follow changes, with the crew's photo when it is fixed."""

from __future__ import annotations

import requests
from sqlalchemy import select

from bot.db import Notification, Subscription, session_factory
from bot.open311 import Open311Client
from bot.workers.status_poller import StatusPoller
from tests.fixtures.backoffice import jpeg_bytes


def file(backoffice) -> str:
    response = requests.post(
        f"{backoffice.url}requests.json",
        data={
            "api_key": backoffice.api_key,
            "service_code": "litter",
            "lat": 60.169,
            "long": 24.94,
            "description": "broken glass",
        },
        timeout=5,
    )
    return str(response.json()[0]["service_request_id"])


def staff_status(backoffice, number: str, status: str, note: str, photo: bytes | None = None) -> None:
    files = {"photo": ("done.jpg", photo, "image/jpeg")} if photo else None
    response = requests.post(
        f"{backoffice.root}/staff/api/requests/{number}/status",
        data={"status": status, "note": note},
        files=files,
        auth=(backoffice.staff_user, backoffice.staff_password),
        timeout=10,
    )
    response.raise_for_status()


def notes(db_url: str) -> list[Notification]:
    with session_factory(db_url)() as s:
        return list(s.execute(select(Notification).order_by(Notification.id)).scalars())


def test_changes_are_told_once_and_a_fixed_report_comes_with_the_crews_photo(shared_backoffice, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'a.db'}"
    number = file(shared_backoffice)
    with session_factory(db_url)() as s, s.begin():
        s.add(Subscription(sender_id="telegram:42", service_request_id=number))
    poller = StatusPoller(db_url, Open311Client(shared_backoffice.url, timeout=5))
    assert poller.run_once() == 0  # the first look records where things stand
    staff_status(shared_backoffice, number, "in_progress", "Crew on the way")
    assert poller.run_once() == 1
    assert poller.run_once() == 0  # nothing new, nothing said
    staff_status(shared_backoffice, number, "closed", "Glass swept up", jpeg_bytes())
    assert poller.run_once() == 1
    told = notes(db_url)
    assert "being worked on" in told[0].text and "Crew on the way" in told[0].text
    assert told[1].text.startswith("Fixed!") and "Glass swept up" in told[1].text
    assert (
        told[1].image_url
        and requests.get(told[1].image_url, timeout=5).headers["content-type"] == "image/jpeg"
    )
    with session_factory(db_url)() as s:  # a closed request is no longer watched
        assert s.execute(select(Subscription)).first() is None


def test_a_back_office_that_is_down_is_tried_again_later(fake_open311, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'a.db'}"
    with session_factory(db_url)() as s, s.begin():
        s.add(Subscription(sender_id="web:x", service_request_id="1"))
    fake_open311.set_route("GET", "requests.json", status=500, body=[{"code": 500, "description": "down"}])
    assert StatusPoller(db_url, Open311Client(fake_open311.url, timeout=1)).run_once() == 0
    with session_factory(db_url)() as s:
        assert s.execute(select(Subscription)).scalar_one().sender_id == "web:x"
