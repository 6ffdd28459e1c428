"""What an inbound SMS/MMS becomes: photos fetched from the media host, cleaned and stored, and the
STOP, START and HELP keywords handled before Rasa (on a real Sanic server with the fake Twilio)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.channels.twilio.optout import OptOutStore
from bot.sentences import say
from tests.fixtures.media import encode, jpeg_segments, phone_jpeg, solid
from tests.fixtures.stack import wait_until
from tests.fixtures.twilio_fake import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    RESIDENT,
    Start,
    answer_with,
    mms,
    recorded_fields,
    with_fields,
)

GPS = ("N", (60.0, 10.0, 12.0), "E", (24.0, 56.0, 30.0))  # 60.17 N, 24.9417 E: central Helsinki


# -------------------------------------------------------------------------------------------- photos


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
    assert sent.body == say("sms.help")
    h.sms("hello")
    assert h.texts(1) == ["hello"]
