"""Residents' phone numbers, chat ids, words and photo links never appear in the logs at INFO or above.

Canary values go through every channel of the real stack; then every log line of every process is searched.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

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


def resident_data(stack: Stack, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "bot.tools.resident_data", *args],
        env={**os.environ, **stack.env}, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return result.stdout


def test_everything_about_a_resident_can_be_exported_then_erased(stack: Stack):
    sender = f"telegram:{CHAT_ID + 1}"
    update = {"update_id": 777002, "message": {"message_id": 10, "date": 1, "caption": "litter canary here",
              "photo": [{"file_id": "erase-me", "file_unique_id": "u-erase", "width": 400, "height": 300}],
              "chat": {"id": CHAT_ID + 1, "type": "private"}, "from": {"id": CHAT_ID + 1, "is_bot": False,
              "first_name": "E"}}}  # fmt: skip
    stack.telegram.add_file("erase-me", phone_jpeg())
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    requests.post(stack.webhook("telegram"), json=update, headers=headers, timeout=10).raise_for_status()
    wait_until(
        lambda: any(str(c.get("chat_id")) == str(CHAT_ID + 1) for c in stack.telegram.called("sendMessage"))
    )

    def export() -> dict:
        return json.loads(resident_data(stack, "export", sender))

    # Rasa saves the conversation right after the turn's replies went out.
    exported = wait_until(lambda: (lambda d: d if d["photos"] else None)(export()))
    assert any(e.get("text") == "litter canary here" for e in exported["conversation"])
    assert len(exported["photos"]) == 1
    photo = Path(stack.env["MEDIA_DIR"]) / exported["photos"][0]
    assert photo.exists()
    removed = json.loads(resident_data(stack, "erase", sender))
    assert removed["conversation_events"] > 0 and removed["photos"] == 1 and not photo.exists()
    again = export()
    assert again["conversation"] == [] and again["photos"] == []
