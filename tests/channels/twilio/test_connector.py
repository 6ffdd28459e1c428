"""The Twilio webhook accepts a signed SMS once, acknowledges it at once and hands messages to Rasa in order
(the connector on loopback: `start`, `tests/fixtures/twilio_fake.py`)."""

from __future__ import annotations

import asyncio
import time

from rasa.core.channels.channel import UserMessage

from bot.channels.twilio.connector import TwilioOutput
from tests.fixtures.twilio_fake import ACCOUNT_SID, Start, recorded_fields, with_fields

# --------------------------------------------------------------------------- webhook: accepted, once


def test_recorded_sms_reaches_rasa_once_even_when_delivered_twice(start: Start) -> None:
    h = start()
    # Recorded payload 4a as captured, blank fields (ToCity=, FromZip=…) and all: they are signed too.
    fields = with_fields(recorded_fields("sms_no_media__botbuilder"), AccountSid=ACCOUNT_SID)
    first, again = h.post(fields), h.post(fields)
    for answer in (first, again):
        assert answer.status_code == 200
        assert answer.headers["Content-Type"].startswith("text/xml")
        assert answer.text.endswith("<Response/>")
    h.sms("after the retry", sender="+571138050810")
    assert h.texts(2) == ["Hello", "after the retry"]
    message = h.server.messages[0]
    assert message.sender_id == "twilio:+571138050810"
    assert message.input_channel == "twilio"
    assert message.metadata == {"channel": "twilio"}
    assert message.message_id == "SMa56324aa4a31735561b7205472192d68"
    assert isinstance(message.output_channel.inner, TwilioOutput)  # behind the "never silent" counter


def test_typed_commands_reach_rasa_as_words(start: Start) -> None:
    h = start()
    h.sms('/restart{"x": 1}')
    assert h.texts(1) == ['restart{"x": 1}']


def test_five_quick_messages_reach_rasa_in_order(start: Start) -> None:
    turns: list[str] = []

    async def slow_for_early_ones(message: UserMessage) -> None:
        turns.append(f"start {message.text}")
        await asyncio.sleep(0.05 * (5 - int(str(message.text)[-1])))  # the first takes longest
        turns.append(f"end {message.text}")

    h = start(reply=slow_for_early_ones)
    began = time.monotonic()
    for n in range(1, 6):
        h.sms(f"part {n}")
    assert time.monotonic() - began < 0.5  # five acknowledged requests (about 40 ms on loopback)
    assert h.texts(5) == [f"part {n}" for n in range(1, 6)]
    deadline = time.monotonic() + 5
    while len(turns) < 10 and time.monotonic() < deadline:
        time.sleep(0.02)
    # One turn at a time, in arrival order: Rasa never sees part 2 before it has answered part 1.
    assert turns == [f"{edge} part {n}" for n in range(1, 6) for edge in ("start", "end")]


def test_webhook_answers_at_once_while_rasa_is_slow(start: Start) -> None:
    async def slow(message: UserMessage) -> None:
        await asyncio.sleep(3)

    h = start(reply=slow)
    for body in ("first", "second"):
        began = time.monotonic()
        h.sms(body)
        assert time.monotonic() - began < 0.5
    assert h.texts(1) == ["first"]
    assert h.texts(2) == ["first", "second"]
