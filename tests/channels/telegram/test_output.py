"""Sending the assistant's messages to a Telegram chat: plain text, photos with captions, messages sent
later, and send failures that never break the turn.

End to end: a real Sanic server with the channel mounted as `rasa run` mounts it,
a fake Bot API server on loopback, recorded updates (tests/data/telegram, see SOURCES.md)."""

from __future__ import annotations

import time

import pytest
from rasa.core.channels.channel import UserMessage

from tests.fixtures.telegram_fake import CHAT, echo, text_update

# ---------------------------------------------------------------------------------------------- replies


def test_replies_are_plain_text_so_typed_html_stays_text(bench):
    bed = bench(echo)
    bed.post(text_update(1, "<b>bold</b> & <a href='x'>"))
    (sent,) = bed.api.wait_for("sendMessage")
    assert sent["text"] == "echo: <b>bold</b> & <a href='x'>" and "parse_mode" not in sent


def test_an_image_with_text_is_one_photo_with_a_caption(bench):
    bed = bench()
    url = "http://assistant.test/webhooks/media/files/abc.jpg"
    bed.run(
        bed.channel.get_output_channel().send_response(
            f"telegram:{CHAT}", {"text": "Your photo", "image": url}
        )
    )
    (photo,) = bed.api.wait_for("sendPhoto")
    assert (photo["photo"], photo["caption"], photo["chat_id"]) == (url, "Your photo", str(CHAT))
    assert bed.api.called("sendMessage") == []


def test_when_telegram_cannot_use_the_picture_the_words_still_arrive(bench):
    bed = bench()
    bed.api.fail("sendPhoto", 400, "Bad Request: wrong file identifier/HTTP URL specified")
    output = bed.channel.get_output_channel()
    bed.run(output.send_response(f"telegram:{CHAT}", {"text": "Your photo", "image": "http://x.test/a.jpg"}))
    assert bed.texts() == ["Your photo"]


def test_messages_can_be_sent_later_to_any_resident(bench):
    bed = bench()
    output = bed.channel.get_output_channel()
    bed.run(output.send_text_message("telegram:777", "Your report was filed."))
    bed.run(output.send_text_message("twilio:+358401234567", "not for Telegram"))  # another channel's id
    assert [(c["chat_id"], c["text"]) for c in bed.api.called("sendMessage")] == [
        ("777", "Your report was filed.")
    ]


@pytest.mark.parametrize(
    ("status", "description", "retry_after", "tries", "delivered"),
    [
        (429, "Too Many Requests: retry after 1", 1, 2, True),  # flood control: wait, then once more
        (403, "Forbidden: bot was blocked by the user", None, 1, False),  # blocked: give up quietly
        (400, "Bad Request: chat not found", None, 1, False),
    ],
)
def test_send_failures_never_break_the_turn(bench, status, description, retry_after, tries, delivered):
    errors: list[BaseException] = []

    async def reply(message: UserMessage) -> None:
        try:
            await echo(message)
        except BaseException as error:  # the test fails if the output channel raises into "Rasa"
            errors.append(error)

    bed = bench(reply)
    bed.api.fail("sendMessage", status, description, retry_after)
    bed.post(text_update(1, "hello"))
    bed.server.wait_for_messages(1)
    deadline = time.monotonic() + 5
    while len(bed.api.called("sendMessage")) < tries and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.1)
    assert len(bed.api.called("sendMessage")) == tries and errors == []
    bed.post(text_update(2, "again"))
    assert bed.api.wait_for("sendMessage", tries + 1)[-1]["text"] == "echo: again"
    assert delivered == (tries == 2)
