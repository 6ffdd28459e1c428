"""Reports are persisted first and sent later, exactly once, with retries that back off."""

from __future__ import annotations

import threading

from sqlalchemy import select

from bot.db import Notification, OutboxEntry, Subscription, session_factory
from bot.open311 import NewRequest, Open311Client
from bot.workers.outbox import Outbox
from tests.fixtures.open311_fake import posts

REPORT = NewRequest(
    service_code="pothole",
    lat=60.169,
    long=24.939,
    address_string="Mannerheimintie 5",
    description="huge pothole",
)


def outbox_for(fake_open311, db_url: str, **kwargs) -> Outbox:
    client = Open311Client(fake_open311.url, api_key="k", timeout=1.0)
    return Outbox(db_url, client, base_delay=0.0, **kwargs)


def test_a_report_is_filed_at_once_when_the_back_office_answers(fake_open311, db_url):
    outbox = outbox_for(fake_open311, db_url)
    entry = outbox.add_report("resident-1", REPORT, key="k1")
    delivery = outbox.deliver(entry.reference)
    assert delivery.state == "sent" and delivery.service_request_id == "fake-1"
    sent = posts(fake_open311)[0]
    assert sent.form["service_code"] == ["pothole"] and sent.headers["idempotency-key"] == "k1"
    with session_factory(db_url)() as s:  # the resident now follows their own report
        assert s.execute(select(Subscription.service_request_id)).scalars().all() == ["fake-1"]


def test_the_same_key_is_one_entry_and_one_request(fake_open311, db_url):
    outbox = outbox_for(fake_open311, db_url)
    first = outbox.add_report("resident-1", REPORT, key="same")
    second = outbox.add_report("resident-1", REPORT, key="same")
    assert first.reference == second.reference
    outbox.deliver(first.reference)
    outbox.deliver(second.reference)
    assert len(posts(fake_open311)) == 1


def test_back_office_down_then_up_files_exactly_once_and_tells_the_resident(fake_open311, db_url):
    outbox = outbox_for(fake_open311, db_url)
    fake_open311.set_route(
        "POST", "requests.json", status=503, body="<html>maintenance</html>", content_type="text/html"
    )
    entry = outbox.add_report("resident-2", REPORT, key="k2")
    assert outbox.deliver(entry.reference).state == "pending"  # the resident still has entry.reference
    assert [d.state for d in outbox.deliver_due()] == ["pending"]
    fake_open311.set_route(
        "POST",
        "requests.json",
        status=201,
        body=[{"service_request_id": "10500", "service_notice": None, "account_id": None}],
    )
    assert [d.state for d in outbox.deliver_due()] == ["sent"]
    assert outbox.deliver_due() == []  # nothing left to send
    assert [r.form["service_code"] for r in posts(fake_open311)] == [["pothole"]] * 3
    with session_factory(db_url)() as s:
        note = s.execute(select(Notification)).scalar_one()
    assert note.sender_id == "resident-2" and entry.reference in note.text and "10500" in note.text


def test_two_senders_at_once_send_one_request(fake_open311, db_url):
    fake_open311.set_route(
        "POST",
        "requests.json",
        status=201,
        delay=0.5,
        body=[{"service_request_id": "10501", "service_notice": None, "account_id": None}],
    )
    outbox = outbox_for(fake_open311, db_url)
    entry = outbox.add_report("resident-3", REPORT, key="k3")
    threads = [threading.Thread(target=outbox.deliver, args=(entry.reference,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(posts(fake_open311)) == 1


def test_a_refused_report_is_kept_for_a_clerk_and_the_resident_told(fake_open311, db_url):
    fake_open311.set_route(
        "POST",
        "requests.json",
        status=400,
        body=[{"code": 400, "description": "service_code pothole is closed for winter"}],
    )
    outbox = outbox_for(fake_open311, db_url)
    entry = outbox.add_report("resident-4", REPORT, key="k4")
    delivery = outbox.deliver(entry.reference, notify=True)
    assert delivery.state == "failed" and "closed for winter" in delivery.error.description
    assert outbox.deliver_due() == []  # not retried
    with session_factory(db_url)() as s:
        row = s.execute(select(OutboxEntry)).scalar_one()
        assert row.payload["description"] == "huge pothole"  # nothing the resident sent is lost
        assert s.execute(select(Notification)).scalar_one().sender_id == "resident-4"


def test_retries_back_off(fake_open311, db_url):
    fake_open311.set_route("POST", "requests.json", status=500, body=[{"code": 500, "description": "down"}])
    outbox = outbox_for(fake_open311, db_url)
    outbox._base_delay = 10.0
    entry = outbox.add_report("resident-5", REPORT, key="k5")
    delays = []
    for _ in range(3):
        outbox.deliver(entry.reference)
        with session_factory(db_url)() as s:
            row = s.execute(select(OutboxEntry)).scalar_one()
            delays.append((row.next_attempt_at - row.updated_at).total_seconds())
        with session_factory(db_url)() as s, s.begin():  # make it due again without waiting
            s.execute(select(OutboxEntry)).scalar_one().claimed_until = None
    assert 7 < delays[0] < 13 and 15 < delays[1] < 25 and 31 < delays[2] < 49


def test_a_token_is_exchanged_for_a_number_later(fake_open311, db_url):
    fake_open311.set_route("POST", "requests.json", status=201, body=[{"token": "tok-1"}])
    fake_open311.set_route(
        "GET", "tokens/tok-1.json", body=[{"token": "tok-1", "service_request_id": "10777"}]
    )
    outbox = outbox_for(fake_open311, db_url)
    entry = outbox.add_report("resident-6", REPORT, key="k6")
    assert outbox.deliver(entry.reference).state == "awaiting_id"
    assert [(d.state, d.service_request_id) for d in outbox.deliver_due()] == [("sent", "10777")]


def test_following_a_server_without_the_extension_still_subscribes(fake_open311, db_url):
    outbox = outbox_for(fake_open311, db_url)
    fake_open311.set_route(
        "POST",
        "requests/4fbd40b2b1fe2c4b02000001/follow.json",
        status=404,
        body=[{"code": 404, "description": "not found"}],
    )
    entry = outbox.add_follow("resident-7", "4fbd40b2b1fe2c4b02000001", key="f1")
    assert outbox.deliver(entry.reference).state == "sent"
    with session_factory(db_url)() as s:
        assert s.execute(select(Subscription.sender_id)).scalars().all() == ["resident-7"]
