"""Residents' phone numbers, chat ids, words and photo links never appear in the logs at INFO or above.

Canary values go through every channel of the real stack; then every log line of every process is searched.
"""

from __future__ import annotations

import re

import pytest
import requests

from tests.fixtures import twilio_fake
from tests.fixtures.media import phone_jpeg
from tests.fixtures.stack import TELEGRAM_SECRET, Stack, wait_until

pytestmark = pytest.mark.e2e

PHONE = "+358401112233"
CHAT_ID = 987654321
WORDS = "zebracanary pothole outside Bulevardi 12 signed Quentin Canarysson"


def test_canaries_never_reach_the_logs(stack: Stack):
    twilio = stack.twilio
    media_url = twilio.add_media(phone_jpeg())
    fields = [("MessageSid", twilio.next_sid()), ("AccountSid", twilio_fake.ACCOUNT_SID), ("From", PHONE),
              ("To", twilio_fake.CITY_NUMBER), ("Body", WORDS), ("NumMedia", "1"),
              ("MediaContentType0", "image/jpeg"), ("MediaUrl0", media_url)]  # fmt: skip
    assert twilio_fake.signed_post(stack.webhook("twilio"), fields).status_code == 200
    update = {"update_id": 777001, "message": {"message_id": 9, "date": 1, "text": WORDS,
              "chat": {"id": CHAT_ID, "type": "private", "first_name": "Quentin"},
              "from": {"id": CHAT_ID, "is_bot": False, "first_name": "Quentin"}}}  # fmt: skip
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    assert (
        requests.post(stack.webhook("telegram"), json=update, headers=headers, timeout=10).status_code == 200
    )
    token = requests.post(stack.webhook("webchat", "session"), json={}, timeout=10).json()["token"]
    requests.post(
        stack.webhook("webchat"),
        json={"message_id": "canary", "text": WORDS},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    ).raise_for_status()
    wait_until(lambda: any(m.to == PHONE for m in twilio.sent), timeout=30)
    wait_until(
        lambda: any(str(c.get("chat_id")) == str(CHAT_ID) for c in stack.telegram.called("sendMessage"))
    )

    logs = stack.logs()
    planted = {
        "phone number": PHONE,
        "phone digits": PHONE.lstrip("+"),
        "chat id": str(CHAT_ID),
        "message text": "zebracanary",
        "resident's name": "Canarysson",
        "media url": media_url.split("/Media/")[1],
    }
    leaked = {what: value for what, value in planted.items() if value in logs}
    assert leaked == {}, [line for line in logs.splitlines() if any(v in line for v in leaked.values())][:5]
    assert re.search(r"\b(INFO|WARNING|ERROR)\b", logs)  # the logs were really read
