"""Waiting messages are handed to Rasa's HTTP API for the right conversation, and kept on failure.

Rasa is faked by a tiny HTTP server on loopback that records the raw request line: its router does not
percent-decode path parameters, so what matters is the path exactly as sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.workers import notifications
from bot.workers.notifications import Notifier
from tests.fixtures.loopback import LoopbackServer, QuietHandler


class FakeRasa:
    """Answers `POST /conversations/{id}/execute` with a chosen status and records each call."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.status = 200
        fake = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = urlsplit(self.path)
                fake.calls.append(
                    {"path": parts.path, "query": parse_qs(parts.query), "body": json.loads(body)}
                )
                self.send_json(fake.status, {})

        self.http = LoopbackServer(Handler).start()
        self.url = self.http.root


@pytest.fixture
def rasa() -> Iterator[FakeRasa]:
    fake = FakeRasa()
    yield fake
    fake.http.stop()


def test_a_waiting_message_triggers_the_update_action_in_that_residents_conversation(rasa, db_url):
    notifications.add(db_url, "telegram:700001", "Your report 10001 is fixed.")
    reached = Notifier(db_url, rasa.url, "secret").run_once()
    assert reached == 1
    [call] = rasa.calls
    assert call["path"] == "/conversations/telegram:700001/execute"  # not telegram%3A700001: Rasa would 404
    assert call["query"] == {"output_channel": ["latest"], "token": ["secret"]}
    assert call["body"] == {"name": "action_report_update"}
    # The action takes the message; until then it stays waiting.
    taken = notifications.take_pending(db_url, "telegram:700001")
    assert [n.text for n in taken] == ["Your report 10001 is fixed."]
    assert notifications.take_pending(db_url, "telegram:700001") == []


@pytest.mark.parametrize(
    "sender",
    [
        "twilio:+358401234567",  # the plus of a phone number must not turn into a space
        "webchat:3f9a-Zk_1.x",  # signed web chat session ids
    ],
)
def test_other_channels_sender_ids_reach_rasa_unchanged(rasa, db_url, sender):
    notifications.add(db_url, sender, "hello")
    Notifier(db_url, rasa.url, "t").run_once()
    assert rasa.calls[0]["path"] == f"/conversations/{sender}/execute"


def test_a_refused_delivery_is_kept_and_retried_until_the_attempt_limit(rasa, db_url):
    rasa.status = 404
    notifications.add(db_url, "telegram:1", "kept")
    notifier = Notifier(db_url, rasa.url, "t")
    for _ in range(notifications.MAX_ATTEMPTS):
        assert notifier.run_once() == 0
    assert notifications.senders_waiting(db_url) == []  # given up on: no endless hammering of Rasa
    assert len(rasa.calls) == notifications.MAX_ATTEMPTS


def test_rasa_being_down_loses_nothing(db_url):
    notifications.add(db_url, "telegram:2", "still here")
    assert Notifier(db_url, "http://127.0.0.1:9", "t", timeout=2).run_once() == 0
    assert notifications.senders_waiting(db_url) == ["telegram:2"]
