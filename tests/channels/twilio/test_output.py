"""Replies through Twilio's REST API: long texts split, images as MMS, buttons as numbered lists, and API
failures that never stop the conversation or log a number."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage

from bot.channels.twilio.connector import TwilioOutput
from tests.fixtures.channels import Reply
from tests.fixtures.media import phone_jpeg
from tests.fixtures.twilio_fake import ACCOUNT_SID, AUTH_TOKEN, CITY_NUMBER, RESIDENT, Start, answer_with, mms

# ------------------------------------------------------------------------------------------- replies


def test_reply_goes_through_the_rest_api(start: Start) -> None:
    h = start(reply=answer_with({"text": "Thanks, what is the address?"}))
    h.sms("There is a pothole")
    (sent,) = h.twilio.wait_for_sent(1)
    assert (sent.account, sent.from_, sent.to) == (ACCOUNT_SID, CITY_NUMBER, RESIDENT)
    assert sent.body == "Thanks, what is the address?"
    assert sent.auth == (ACCOUNT_SID, AUTH_TOKEN)


def test_long_reply_arrives_as_two_messages_in_order(start: Start) -> None:
    text = " ".join(f"Sentence number {n} of a long answer about your report." for n in range(1, 41))
    assert len(text) > 2000
    h = start(reply=answer_with({"text": text}))
    h.sms("details please")
    first, second = h.twilio.wait_for_sent(2)
    assert len(first.body) <= 1600 and len(second.body) <= 1600
    assert first.body.endswith("report.")  # cut between sentences
    assert f"{first.body} {second.body}" == text
    time.sleep(0.2)
    assert len(h.twilio.sent) == 2


def test_image_is_sent_as_mms_with_the_text(start: Start) -> None:
    h = start(reply=answer_with({"text": "Is this the place?", "image": "https://city.example/map.png"}))
    h.sms("Kaivokatu 1")
    (sent,) = h.twilio.wait_for_sent(1)
    assert (sent.body, sent.media_urls) == ("Is this the place?", ["https://city.example/map.png"])


BUTTONS = [
    {"title": "Yes", "payload": "/affirm"},
    {"title": "Use my location", "payload": "/share_location"},
    {"title": "No", "payload": "/deny"},
]


def buttons_once() -> Reply:
    """A "Rasa" that offers BUTTONS after the first message only."""

    async def reply(message: UserMessage) -> None:
        if message.text == "report":
            await message.output_channel.send_response(
                message.sender_id, {"text": "Is it urgent?", "buttons": BUTTONS}
            )

    return reply


@pytest.mark.parametrize("answer", ["2", "2.", " 2 ", "no"])  # the number, tolerantly typed, or the title
def test_buttons_become_a_numbered_list_and_a_number_picks_one(start: Start, answer: str) -> None:
    h = start(reply=buttons_once())
    h.sms("report")
    (sent,) = h.twilio.wait_for_sent(1)
    assert sent.body == "Is it urgent?\n\nReply with a number:\n1. Yes\n2. No"  # no location option by SMS
    h.sms(answer)
    h.sms("2")  # the offer was answered: a second "2" is just text
    assert h.texts(3) == ["report", "/deny", "2"]
    assert h.server.messages[1].metadata == {"channel": "twilio", "button": True}
    assert "button" not in h.server.messages[2].metadata


def test_a_number_out_of_range_is_plain_text(start: Start) -> None:
    h = start(reply=buttons_once())
    h.sms("report")
    h.twilio.wait_for_sent(1)
    h.sms("7")
    assert h.texts(2) == ["report", "7"]
    assert "button" not in h.server.messages[1].metadata


def test_proactive_message_reaches_any_resident(start: Start) -> None:
    h = start()
    output = h.channel.get_output_channel()
    (result,) = h.send(output.send_sms("twilio:+358409999999", "Your report was fixed."))
    assert result.ok and result.sid
    (sent,) = h.twilio.sent
    assert (sent.to, sent.body) == ("+358409999999", "Your report was fixed.")


# ------------------------------------------------------------------------------------ API failures


@pytest.mark.parametrize(
    ("status", "delay", "reason"),
    [
        (500, 0.0, "http_error"),  # Twilio answers with an error
        (201, 2.0, "timeout"),  # Twilio does not answer in time
    ],
)
def test_api_failure_is_logged_without_the_number_and_the_turn_goes_on(
    start: Start, caplog: pytest.LogCaptureFixture, status: int, delay: float, reason: str
) -> None:
    caplog.set_level(logging.DEBUG)
    results: list[Any] = []

    async def reply(message: UserMessage) -> None:
        output = message.output_channel.inner
        assert isinstance(output, TwilioOutput)
        results.extend(await output.send_sms(message.sender_id, "Thanks"))

    h = start(reply=reply, send_timeout=0.5)
    h.twilio.status, h.twilio.delay = status, delay
    h.sms("first")
    h.sms("second")
    assert h.texts(2) == ["first", "second"]  # the failed turn did not stop the next one
    deadline = time.monotonic() + 5
    while len(results) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [r.reason for r in results] == [reason, reason]
    failures = [r for r in caplog.records if r.getMessage().startswith("twilio.send_failed")]
    assert failures and all(reason in r.getMessage() for r in failures)
    assert not [r for r in caplog.records if RESIDENT in r.getMessage()]


def test_twilio_unsubscribed_error_is_remembered(start: Start) -> None:
    h = start()
    h.twilio.status, h.twilio.error_code = 400, 21610  # the resident texted STOP to the carrier
    output = h.channel.get_output_channel()
    assert [r.error_code for r in h.send(output.send_sms(RESIDENT, "Report fixed"))] == [21610]
    assert [r.reason for r in h.send(output.send_sms(RESIDENT, "Report fixed"))] == ["opted_out"]
    assert len(h.twilio.sent) == 1


def test_nothing_personal_is_logged(start: Start, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    h = start(reply=answer_with({"text": "Noted"}))
    elsewhere = h.twilio.add_media(phone_jpeg(), "image/jpeg", host="localhost")
    h.post(mms(h, "Broken bench in Esplanadi", [(elsewhere, "image/jpeg")]))
    h.sms("STOP")
    h.texts(1)
    h.twilio.wait_for_sent(2)
    loud = " ".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    for secret in (RESIDENT, "Broken bench", elsewhere, "localhost"):
        assert secret not in loud
