"""The Twilio SMS/MMS connector, end to end.

Signed webhooks are posted to a real Sanic server on loopback, photos are fetched from a fake Twilio media
host and replies are recorded by a fake Twilio REST API (`tests/fixtures/twilio_fake.py`).
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image
from rasa.core.channels.channel import UserMessage
from twilio.request_validator import RequestValidator

from bot.channels.twilio.auth import SignatureCheck
from bot.channels.twilio.connector import TwilioInput, TwilioOutput
from bot.channels.twilio.optout import OptOutStore
from bot.channels.twilio.sms import HELP_TEXT, Keyword, Option, chosen_option, keyword, split_message
from bot.settings import Settings
from tests.fixtures.channels import ChannelServer, Reply
from tests.fixtures.media import encode, jpeg_segments, phone_jpeg, solid
from tests.fixtures.stack import wait_until
from tests.fixtures.twilio_fake import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    CITY_NUMBER,
    DATA_DIR,
    FakeTwilio,
    encode_fields,
    recorded_fields,
    signed_post,
    with_fields,
)

RESIDENT = "+358401234567"
PUBLIC_WEBHOOK = "https://sms.city.example/webhooks/twilio/webhook"
GPS = ("N", (60.0, 10.0, 12.0), "E", (24.0, 56.0, 30.0))  # 60.17 N, 24.9417 E: central Helsinki


# ------------------------------------------------------------------------------------------ harness


@dataclass
class Harness:
    """One running channel, its fake Twilio and the resident's side of the conversation."""

    server: ChannelServer
    channel: TwilioInput
    twilio: FakeTwilio
    media_dir: Path
    opt_out_file: Path

    def fields(self, body: str = "", sender: str = RESIDENT, **extra: str) -> list[tuple[str, str]]:
        """A real inbound SMS (recorded payload 4a) from `sender` with a fresh MessageSid."""
        sid = self.twilio.next_sid()
        changes = {"From": sender, "To": CITY_NUMBER, "AccountSid": ACCOUNT_SID, "Body": body}
        changes |= {"MessageSid": sid, "SmsSid": sid, "SmsMessageSid": sid, **extra}
        return with_fields(recorded_fields("sms_no_media__botbuilder"), **changes)

    def post(self, fields: list[tuple[str, str]], **kwargs: Any) -> requests.Response:
        """POSTs signed fields to the webhook."""
        return signed_post(self.server.webhook(), fields, **kwargs)

    def sms(self, body: str, **extra: str) -> requests.Response:
        """The resident texts `body`; the webhook must acknowledge it."""
        answer = self.post(self.fields(body, **extra))
        assert answer.status_code == 200, answer.text
        return answer

    def texts(self, count: int) -> list[str | None]:
        """The texts of the first `count` messages that reached Rasa (waiting for them)."""
        return [m.text for m in self.server.wait_for_messages(count)][:count]

    def send(self, coroutine: Any) -> Any:
        """Runs an output-channel call on the server's event loop, as Rasa would."""
        assert self.server.loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self.server.loop).result(timeout=15)


def make_settings(tmp_path: Path, twilio: FakeTwilio) -> Settings:
    return Settings(
        media_dir=tmp_path / "media",
        public_url="http://127.0.0.1:5005",
        media_s3_endpoint="",
        redis_url="",
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        twilio_number=CITY_NUMBER,
        twilio_api_base=twilio.base_url,
        twilio_webhook_url="",
        twilio_media_hosts=("127.0.0.1",),
        media_download_timeout=5.0,
    )


Start = Callable[..., Harness]


@pytest.fixture
def start(channel_server: Callable[..., ChannelServer], fake_twilio: FakeTwilio, tmp_path: Path) -> Start:
    """`start(reply=None, trust_forwarded=False, send_timeout=5, **settings)` → a running Harness."""

    def run(
        reply: Reply | None = None, trust_forwarded: bool = False, send_timeout: float = 5.0, **changes: Any
    ) -> Harness:
        settings = replace(make_settings(tmp_path, fake_twilio), **changes)
        opt_out_file = tmp_path / "opt_out.json"
        channel = TwilioInput.from_settings(
            settings, trust_forwarded=trust_forwarded, opt_out_path=opt_out_file, send_timeout=send_timeout
        )
        server = channel_server(channel, reply)
        return Harness(server, channel, fake_twilio, settings.media_dir, opt_out_file)

    return run


def answer_with(message: dict[str, Any]) -> Reply:
    """A "Rasa" that answers every message with `message` through the connector's output channel."""

    async def reply(user_message: UserMessage) -> None:
        await user_message.output_channel.send_response(user_message.sender_id, dict(message))

    return reply


# ------------------------------------------------------------------------------- signatures (unit)

VECTOR_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}
DOCS_PARAMS = {**VECTOR_PARAMS, "Caller": "+14158675310", "From": "+14158675310"}
DUPLICATE_PARAMS = {"Sid": ["CA123"], "SidAccount": ["AC123"], "Digits": ["5678", "1234"]}


@pytest.mark.parametrize(
    ("url", "params", "expected"),
    [
        # Twilio's documented worked example (S2).
        ("https://example.com/myapp.php?foo=1&bar=2", DOCS_PARAMS, "L/OH5YylLD5NRKLltdqwSvS0BnU="),
        # twilio-python's own vector (S3).
        ("https://mycompany.com/myapp.php?foo=1&bar=2", VECTOR_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
        # An explicit default port is signed as sent (SMS keeps the port).
        ("https://mycompany.com:443/myapp.php?foo=1&bar=2", VECTOR_PARAMS, "kvajT1Ptam85bY51eRf/AJRuM3w="),
        ("http://mycompany.com:80/myapp.php?foo=1&bar=2", VECTOR_PARAMS, "0ZXoZLH/DfblKGATFgpif+LLRf4="),
        # Repeated keys: every value is signed, sorted.
        ("https://mycompany.com/myapp.php?foo=1&bar=2", DUPLICATE_PARAMS, "IK+Dwps556ElfBT0I3Rgjkr1wJU="),
    ],
)
def test_published_vectors_validate(url: str, params: dict[str, Any], expected: str) -> None:
    fields = {key: value if isinstance(value, list) else [value] for key, value in params.items()}
    check = SignatureCheck("12345")
    assert check.is_valid(url, fields, expected)
    assert not check.is_valid(url, fields, expected[:-2] + "A=")  # one character off
    assert not SignatureCheck("54321").is_valid(url, fields, expected)  # another account's token
    assert not check.is_valid(url.replace("foo=1", "foo=2"), fields, expected)  # another URL
    if not any(isinstance(value, list) for value in params.values()):
        assert RequestValidator("12345").validate(url, params, expected)


def test_json_body_vector_validates_with_twilio_validator() -> None:
    body = '{"property": "value", "boolean": true}'
    url = (
        "https://mycompany.com/myapp.php?foo=1&bar=2"
        "&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
    )
    assert RequestValidator("12345").validate(url, body, "a9nBmqA0ju/hNViExpshrM61xv4=")
    assert not RequestValidator("12345").validate(
        url, body.replace("true", "false"), "a9nBmqA0ju/hNViExpshrM61xv4="
    )


def test_recorded_payloads_say_where_they_came_from() -> None:
    for path in DATA_DIR.glob("*.json"):
        assert json.loads(path.read_text())["_source"]


# -------------------------------------------------------------------------------- webhook: refusals


def test_forged_webhooks_are_refused_and_reach_no_one(start: Start) -> None:
    h = start(reply=answer_with({"text": "Thanks"}))
    fields = h.fields("forged report")
    forgeries: dict[str, dict[str, Any]] = {
        "forged signature": {"headers": {"X-Twilio-Signature": "L/OH5YylLD5NRKLltdqwSvS0BnU="}},
        "missing signature": {"headers": {"X-Twilio-Signature": None}},  # requests then sends no header
        "empty signature": {"headers": {"X-Twilio-Signature": ""}},
        "signed for another URL": {"signed_url": "https://evil.example/webhooks/twilio/webhook"},
        "signed with another token": {"token": "not-the-token"},
        "body changed after signing": {"body": encode_fields(with_fields(fields, Body="tampered"))},
        "field added after signing": {"body": encode_fields([*fields, ("Latitude", "60.1")])},
    }
    for what, kwargs in forgeries.items():
        assert h.post(fields, **kwargs).status_code == 403, what
    h.sms("the real one")  # same sender: queued behind anything a forgery might have started
    assert h.texts(1) == ["the real one"]
    assert len(h.twilio.wait_for_sent(1)) == 1
    time.sleep(0.2)
    assert len(h.server.messages) == 1
    assert len(h.twilio.sent) == 1  # only the real message was answered


def test_without_an_auth_token_every_webhook_is_refused(start: Start) -> None:
    h = start(twilio_auth_token="")
    assert h.post(h.fields("hello"), token="").status_code == 403  # "signed" with the empty token
    time.sleep(0.2)
    assert h.server.messages == []


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("application/json", 415),  # Twilio's message webhook is always form-encoded
        ("text/plain", 415),
        ("application/x-www-form-urlencoded; charset=UTF-8", 200),  # parameters after the type are fine
    ],
)
def test_content_type_must_be_form(start: Start, content_type: str, status: int) -> None:
    h = start()
    assert h.post(h.fields("hello"), headers={"Content-Type": content_type}).status_code == status


def test_oversized_bodies_are_refused(start: Start) -> None:
    h = start()
    big = h.fields("x" * 70_000)
    assert h.post(big).status_code == 413  # declared length over the 64 KB cap
    data = encode_fields(big)
    chunks = (data[i : i + 8192] for i in range(0, len(data), 8192))
    assert h.post(big, body=chunks).status_code == 413  # chunked, no declared length: counted while read
    h.sms("small")
    assert h.texts(1) == ["small"]


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


def test_configured_public_url_is_what_is_checked(start: Start) -> None:
    h = start(twilio_webhook_url=PUBLIC_WEBHOOK)
    # Behind a proxy Twilio signs the public URL, not the one the server sees.
    assert h.post(h.fields("seen through the proxy"), signed_url=PUBLIC_WEBHOOK).status_code == 200
    assert h.post(h.fields("signed for the inside URL")).status_code == 403
    assert h.texts(1) == ["seen through the proxy"]


@pytest.mark.parametrize(
    ("trust", "status"),
    [
        (True, 200),  # a trusted proxy's X-Forwarded-* rebuild the URL Twilio called
        (False, 403),  # untrusted, the headers are ignored: anyone can send them
    ],
)
def test_forwarded_headers_only_when_trusted(start: Start, trust: bool, status: int) -> None:
    h = start(trust_forwarded=trust)
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "sms.city.example"}
    answer = h.post(h.fields("hello"), signed_url=PUBLIC_WEBHOOK, headers=headers)
    assert answer.status_code == status


# -------------------------------------------------------------------------------------------- photos


def mms(h: Harness, body: str, media: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """An MMS (recorded payload 4c's fields) with `media` as (URL, content type) pairs."""
    extra = {"NumMedia": str(len(media))}
    for n, (url, kind) in enumerate(media):
        extra |= {f"MediaUrl{n}": url, f"MediaContentType{n}": kind}
    sid = h.twilio.next_sid()
    changes = {
        "From": RESIDENT,
        "To": CITY_NUMBER,
        "AccountSid": ACCOUNT_SID,
        "Body": body,
        "MessageSid": sid,
    }
    return with_fields(recorded_fields("mms_docs_example__twilio_docs"), **changes, **extra)


def test_mms_photos_are_stored_clean_with_their_position(start: Start) -> None:
    h = start()
    jpeg_url = h.twilio.add_media(phone_jpeg(gps=GPS), "image/jpeg")
    png_url = h.twilio.add_media(encode(solid((320, 240), (0, 200, 0)), "PNG"), "image/png")
    assert h.post(mms(h, "", [(jpeg_url, "image/jpeg"), (png_url, "image/png")])).status_code == 200
    assert h.texts(1) == ["/share_photo"]  # a photo with no words
    metadata = h.server.messages[0].metadata
    assert metadata["channel"] == "twilio"
    assert metadata["photo_gps"] == pytest.approx([60.17, 24.9417], abs=1e-3)
    assert len(metadata["photo_urls"]) == 2
    for url in metadata["photo_urls"]:
        data = (h.media_dir / url.rsplit("/", 1)[1]).read_bytes()
        assert 0xE1 not in jpeg_segments(data)  # no EXIF/XMP block left
        assert not Image.open(io.BytesIO(data)).getexif()
    # Twilio's media URLs need the account's credentials.
    assert [r.auth for r in h.twilio.media_requests] == [(ACCOUNT_SID, AUTH_TOKEN)] * 2


def test_caption_travels_with_the_photo(start: Start) -> None:
    h = start()
    url = h.twilio.add_media(phone_jpeg(), "image/jpeg")
    h.post(mms(h, "Pothole on Mannerheimintie", [(url, "image/jpeg")]))
    assert h.texts(1) == ["Pothole on Mannerheimintie"]
    assert "photo_gps" not in h.server.messages[0].metadata  # that photo carried no position
    assert len(h.server.messages[0].metadata["photo_urls"]) == 1


def test_recorded_mms_with_scrubbed_media_keeps_its_words(start: Start) -> None:
    h = start()
    # Recorded payload 4b as captured; its media was scrubbed (json, www.google.com).
    # Not an image type: refused without any download.
    h.post(with_fields(recorded_fields("mms_one_media__botbuilder"), AccountSid=ACCOUNT_SID))
    assert h.texts(1) == ["Hello"]
    assert h.server.messages[0].metadata == {"channel": "twilio"}
    sent = h.twilio.wait_for_sent(1)[0]
    assert (sent.to, sent.body) == ("+571138050810", "Please send a photo as a JPEG, PNG or WebP picture.")
    assert h.twilio.media_requests == []


def test_media_from_another_host_is_refused(start: Start) -> None:
    h = start()
    elsewhere = h.twilio.add_media(phone_jpeg(), "image/jpeg", host="localhost")  # not in the allowlist
    h.post(mms(h, "Graffiti here", [(elsewhere, "image/jpeg")]))
    assert h.texts(1) == ["Graffiti here"]
    assert "photo_urls" not in h.server.messages[0].metadata
    assert h.twilio.media_requests == []  # never contacted, credentials never sent
    sent = h.twilio.wait_for_sent(1)[0]
    assert sent.to == RESIDENT
    assert "attached directly" in sent.body


@pytest.mark.parametrize(
    ("served", "declared", "fetched"),
    [
        # Twilio says image/jpeg but the file is a web page: caught by its content.
        (b"<!DOCTYPE html><html><body>Not a photo</body></html>", "image/jpeg", True),
        # A video is not fetched at all.
        (b"\x00\x00\x00\x18ftypmp42", "video/mp4", False),
    ],
)
def test_a_non_photo_gets_a_friendly_refusal(
    start: Start, served: bytes, declared: str, fetched: bool
) -> None:
    h = start()
    url = h.twilio.add_media(served, declared)
    h.post(mms(h, "", [(url, declared)]))
    (sent,) = h.twilio.wait_for_sent(1)
    assert sent.body == "Please send a photo as a JPEG, PNG or WebP picture."
    assert bool(h.twilio.media_requests) is fetched
    h.sms("no photo then")
    assert h.texts(1) == ["no photo then"]  # the refused photo-only message never reached Rasa


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


# ----------------------------------------------------------------------------------- keywords


@pytest.mark.parametrize("word", ["STOP", "stopall", "Unsubscribe", "cancel", "End", "QUIT", "stop."])
def test_stop_words_opt_out_until_start(start: Start, word: str) -> None:
    h = start(reply=answer_with({"text": "Welcome back"}))
    h.sms(word)
    wait_until(lambda: OptOutStore(h.opt_out_file).is_opted_out(RESIDENT))  # handled after the quick ack
    h.sms("a pothole on my street")  # opted out: Twilio would block any answer, so it goes nowhere
    output = h.channel.get_output_channel()
    assert [r.reason for r in h.send(output.send_sms(f"twilio:{RESIDENT}", "Report fixed"))] == ["opted_out"]
    assert OptOutStore(h.opt_out_file).is_opted_out(RESIDENT)  # remembered across restarts…
    assert RESIDENT not in h.opt_out_file.read_text()  # …without writing the number down
    h.sms("START")
    assert h.texts(1) == ["hi"]  # opted back in, greeted as a new conversation
    (sent,) = h.twilio.wait_for_sent(1)
    assert sent.body == "Welcome back"
    assert not OptOutStore(h.opt_out_file).is_opted_out(RESIDENT)


@pytest.mark.parametrize(
    ("body", "reaches_rasa"),
    [
        ("cancel my report", "cancel my report"),  # only a keyword alone counts
        ("YES", "YES"),  # "yes" from a subscribed resident is an answer, not an opt-in
        ("start", "hi"),
    ],
)
def test_keyword_lookalikes_reach_rasa(start: Start, body: str, reaches_rasa: str) -> None:
    h = start()
    h.sms(body)
    assert h.texts(1) == [reaches_rasa]


def test_yes_opts_back_in_after_stop(start: Start) -> None:
    h = start()
    h.sms("STOP")
    h.sms("yes")
    assert h.texts(1) == ["hi"]


@pytest.mark.parametrize("word", ["HELP", "info"])
def test_help_is_answered_and_not_forwarded(start: Start, word: str) -> None:
    h = start()
    h.sms(word)
    (sent,) = h.twilio.wait_for_sent(1)
    assert sent.body == HELP_TEXT
    h.sms("hello")
    assert h.texts(1) == ["hello"]


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


# ------------------------------------------------------------------------------------ SMS helpers


def test_split_prefers_paragraphs_then_lines_then_sentences() -> None:
    paragraph = "A" * 900
    assert split_message(f"{paragraph}\n\n{paragraph}", 1600) == [paragraph, paragraph]
    words = "word " * 500  # no sentence ends: cut between words
    parts = split_message(words, 1600)
    assert all(len(p) <= 1600 and not p.endswith("wor") for p in parts)
    assert " ".join(parts) == words.strip()
    assert split_message("x" * 3300, 1600) == ["x" * 1600, "x" * 1600, "x" * 100]  # no boundary at all
    assert split_message("   ") == []


def test_split_counts_emoji_as_twilio_does() -> None:
    parts = split_message("🚧" * 1000, 1600)  # 2,000 UTF-16 units
    assert [len(p) for p in parts] == [800, 200]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("1", "/affirm"),
        ("2.", "/deny"),
        (" 2 ", "/deny"),
        ("2)", "/deny"),
        ("No", "/deny"),  # the option's own title
        ("3", None),  # out of range: plain text
        ("12 Main St", None),  # an address that starts with a number is not a pick
        ("", None),
    ],
)
def test_chosen_option(reply: str, expected: str | None) -> None:
    options = [Option("Yes", "/affirm"), Option("No", "/deny")]
    choice = chosen_option(reply, options)
    assert (choice.payload if choice else None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("STOP", Keyword.STOP),
        (" Quit! ", Keyword.STOP),
        ("stop it", None),  # Twilio: only single-word messages count
        ("UNSTOP", Keyword.START),
        ("Info", Keyword.HELP),
        ("helpful", None),
    ],
)
def test_keyword(text: str, expected: Keyword | None) -> None:
    assert keyword(text) is expected
