"""The Telegram connector end to end: a real Sanic server with the channel mounted as `rasa run` mounts it,
a fake Bot API server on loopback, recorded updates (tests/data/telegram, see SOURCES.md)."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests
from PIL import Image
from rasa.core.channels.channel import UserMessage

from bot.channels.message_metadata import LOCATION_ONLY, PHOTO_ONLY
from bot.channels.telegram.connector import (
    DOCUMENT_REPLY,
    EDIT_REPLY,
    SECRET_HEADER,
    UNSUPPORTED_REPLY,
    TelegramInput,
)
from bot.channels.telegram.markup import EXPIRED_BUTTON, SHARE_LOCATION_TITLE
from bot.channels.turns import APOLOGY
from bot.photos.intake import PhotoIntake
from bot.photos.store import LocalMediaStore
from bot.settings import Settings
from tests.fixtures.channels import ChannelServer
from tests.fixtures.media import encode, phone_jpeg, solid

if TYPE_CHECKING:
    from tests.fixtures.telegram_fake import FakeTelegram


DATA = Path(__file__).parent / "data" / "telegram"
SECRET = "webhook-Secret_42"
CHAT = 424242
GPS = ("N", (60.0, 10.0, 12.0), "E", (24.0, 56.0, 18.0))  # 60.17°N 24.94°E, written as a phone does


def load(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def text_update(update_id: int, text: str, chat: int = CHAT) -> dict[str, Any]:
    update = copy.deepcopy(load("text_message__aiogram_dataset.json"))
    update["update_id"] = update_id
    update["message"]["text"] = text
    update["message"]["chat"]["id"] = update["message"]["from"]["id"] = chat
    return update


@dataclass
class Bench:
    server: ChannelServer
    channel: TelegramInput
    api: FakeTelegram
    media: Path

    def post(self, update: Any, *, secret: str | None = SECRET, **kwargs: Any) -> requests.Response:
        headers = {"Content-Type": "application/json", **kwargs.pop("headers", {})}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        body = json.dumps(update) if isinstance(update, (dict, list)) else update
        return requests.post(self.server.webhook(), data=body, headers=headers, timeout=10, **kwargs)

    def run(self, job: Coroutine[Any, Any, Any]) -> Any:
        """Runs a coroutine in the server's event loop (where Rasa would call the output channel)."""
        assert self.server.loop is not None
        return asyncio.run_coroutine_threadsafe(job, self.server.loop).result(15)

    def texts(self) -> list[str]:
        """What the resident was sent, apart from the apology for a turn the stand-in left unanswered."""
        return [call["text"] for call in self.api.called("sendMessage") if call["text"] != APOLOGY]


@pytest.fixture
def bench(telegram_api: FakeTelegram, channel_server: Callable[..., ChannelServer], tmp_path: Path):
    def start(reply: Any = None, secret: str = SECRET) -> Bench:
        media = tmp_path / "media"
        settings = replace(Settings(), media_dir=media)
        store = LocalMediaStore(media, "http://assistant.test/webhooks/media/files")
        channel = TelegramInput(
            telegram_api.token,
            secret,
            telegram_api.api_base,
            intake=PhotoIntake(settings, store=store),
            settings=settings,
        )
        return Bench(channel_server(channel, reply), channel, telegram_api, media)

    return start


async def echo(message: UserMessage) -> None:
    await message.output_channel.send_text_message(message.sender_id, f"echo: {message.text}")


# ------------------------------------------------------------------------------------ who may deliver


@pytest.mark.parametrize(
    ("configured", "sent"),
    [
        (SECRET, "wrong-secret"),  # a forged delivery
        (SECRET, None),  # no secret header at all
        (SECRET, SECRET + "x"),  # a longer secret sharing the right prefix
        ("", ""),  # no secret configured: fail closed, even for an empty header
    ],
)
def test_deliveries_without_the_right_secret_are_refused_and_reach_nobody(bench, configured, sent):
    bed = bench(secret=configured)
    assert bed.post(load("text_message__telegram_docs.json"), secret=sent).status_code == 403
    if configured:
        assert bed.post(text_update(2, "real"), secret=SECRET).status_code == 200
        assert [m.text for m in bed.server.wait_for_messages(1)] == ["real"]
    time.sleep(0.2)
    assert [m.text for m in bed.server.messages] == (["real"] if configured else [])
    # Nothing called Telegram for the refused delivery (only the accepted one is answered).
    assert [c.params.get("text") for c in bed.api.calls if c.method == "sendMessage"] == (
        [APOLOGY] if configured else []
    )


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b"{not json", {}, 400),  # garbage
        (b"[1, 2]", {}, 400),  # JSON, but not an update
        (b'{"update_id": "7"}', {}, 400),  # update_id must be an integer
        (b"\xff\xfe", {}, 400),  # not even text
        (b"{}", {"Content-Type": "text/plain"}, 415),  # not JSON by content type
        (b"{" + b" " * 300_000 + b"}", {}, 413),  # bigger than any update
    ],
)
def test_bad_bodies_are_answered_without_a_crash(bench, body, headers, status):
    bed = bench()
    assert bed.post(body, headers=headers).status_code == status
    assert bed.post(text_update(1, "still alive")).status_code == 200
    assert [m.text for m in bed.server.wait_for_messages(1)] == ["still alive"]


def test_content_type_and_size_are_checked_before_the_secret(bench):
    bed = bench()
    assert bed.post(b"{}", secret=None, headers={"Content-Type": "text/plain"}).status_code == 415
    assert bed.post(b"{" + b" " * 300_000 + b"}", secret=None).status_code == 413


def test_a_chunked_body_over_the_cap_is_refused_while_reading(bench):
    bed = bench()
    chunks = (b"{" + b" " * 1023 for _ in range(400))  # no Content-Length: the size is only known by reading
    assert bed.post(chunks).status_code == 413


# ------------------------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("name", "sender", "text"),
    [
        ("text_message__telegram_docs.json", "telegram:1111111", "hi"),  # /start is a greeting
        ("text_message__aiogram_dataset.json", "telegram:12345678", "Hi, world!"),
    ],
)
def test_recorded_text_messages_reach_rasa(bench, name, sender, text):
    bed = bench()
    assert bed.post(load(name)).status_code == 200
    (message,) = bed.server.wait_for_messages(1)
    assert (message.text, message.sender_id, message.input_channel) == (text, sender, "telegram")
    assert message.metadata == {"channel": "telegram"}


@pytest.mark.parametrize(
    ("typed", "to_rasa"),
    [
        ("/help", "help"),
        ("/start@city_assistant_bot", "hi"),  # the command addressed to the bot by name
        ("/start report-42", "hi"),  # a deep link is still a greeting
        ('/inform{"service":"graffiti"}', 'inform{"service":"graffiti"}'),  # typed payloads become words
        ("/report pothole", "report pothole"),  # an unknown command: plain words
    ],
)
def test_commands_become_words(bench, typed, to_rasa):
    bed = bench()
    bed.post(text_update(1, typed))
    assert [m.text for m in bed.server.wait_for_messages(1)] == [to_rasa]


def test_the_same_update_twice_is_one_message(bench):
    bed = bench()
    update = load("text_message__aiogram_dataset.json")
    assert bed.post(update).status_code == 200
    assert bed.post(update).status_code == 200  # Telegram retried: acknowledged, not handled again
    bed.post(text_update(update["update_id"] + 1, "next"))
    bed.server.wait_for_messages(2)
    time.sleep(0.1)
    assert [m.text for m in bed.server.messages] == ["Hi, world!", "next"]


@pytest.mark.parametrize(
    "name", ["edited_message__telegram_docs.json", "edited_message__aiogram_dataset.json"]
)
def test_an_edit_never_reaches_rasa_and_is_explained_once(bench, name):
    bed = bench()
    edit = load(name)
    again = {**copy.deepcopy(edit), "update_id": edit["update_id"] + 1}  # a second edit of the same message
    bed.post(edit)
    bed.post(again)
    chat = edit["edited_message"]["chat"]["id"]
    bed.post(text_update(edit["update_id"] + 2, "the correction", chat=chat))  # queued behind the edits
    assert [m.text for m in bed.server.wait_for_messages(1)] == ["the correction"]
    assert bed.texts() == [EDIT_REPLY]


@pytest.mark.parametrize(
    ("name", "reply"),
    [
        ("channel_post__handmade.json", None),  # not a resident's chat: ignored
        ("voice__handmade.json", UNSUPPORTED_REPLY),  # the resident hears what the bot can read
    ],
)
def test_other_updates_are_acknowledged_but_not_sent_to_rasa(bench, name, reply):
    bed = bench()
    assert bed.post(load(name)).status_code == 200
    bed.post(text_update(1, "after"))
    assert [m.text for m in bed.server.wait_for_messages(1)] == ["after"]
    assert bed.texts() == ([reply] if reply else [])


def test_a_group_message_is_ignored(bench):
    bed = bench()
    group = text_update(1, "hello group")
    group["message"]["chat"] = {"id": -4000, "title": "Neighbours", "type": "group"}
    assert bed.post(group).status_code == 200
    bed.post(text_update(2, "private"))
    assert [m.text for m in bed.server.wait_for_messages(1)] == ["private"]


# ----------------------------------------------------------------------------------------- photos


def stored_file(bed: Bench, url: str) -> Path:
    return bed.media / url.rsplit("/", 1)[1]


def test_a_photo_is_fetched_in_its_largest_size_cleaned_and_stored(bench):
    bed = bench()
    for size in ("small", "medium"):
        bed.api.add_file(f"AgAD-{size}", phone_jpeg((90, 60)))
    large_path = bed.api.add_file("AgAD-large", phone_jpeg((1280, 853), gps=GPS))
    assert bed.post(load("photo_three_sizes__handmade.json")).status_code == 200
    (message,) = bed.server.wait_for_messages(1)
    assert message.text == "Big pothole here"
    assert [c["file_id"] for c in bed.api.called("getFile")] == ["AgAD-large"]
    assert bed.api.file_downloads == [large_path]
    (url,) = message.metadata["photo_urls"]
    assert url.startswith("http://assistant.test/webhooks/media/files/")
    assert message.metadata["photo_gps"] == pytest.approx([60.17, 24.938333], abs=1e-4)
    with Image.open(stored_file(bed, url)) as image:
        assert image.size == (1280, 853)
        assert not image.getexif() and "exif" not in image.info


def test_a_recorded_photo_from_before_file_unique_id_is_still_read(bench):
    bed = bench()
    update = load("photo_with_caption__aiogram_dataset.json")
    bed.api.add_file(update["message"]["photo"][-1]["file_id"], phone_jpeg((90, 51)))
    bed.post(update)
    (message,) = bed.server.wait_for_messages(1)
    assert message.text == "photo description"
    assert stored_file(bed, message.metadata["photo_urls"][0]).is_file()


def test_an_image_sent_as_a_file_is_handled_like_a_photo(bench):
    bed = bench()
    bed.api.add_file("BQAD-png", encode(solid((64, 48)), "PNG"), path="documents/snapshot.png")
    bed.post(load("document_image_png__handmade.json"))
    (message,) = bed.server.wait_for_messages(1)
    assert message.text == PHOTO_ONLY  # no caption: "here is a photo"
    with Image.open(stored_file(bed, message.metadata["photo_urls"][0])) as image:
        assert (image.format, image.size) == ("JPEG", (64, 48))
    assert "photo_gps" not in message.metadata


@pytest.mark.parametrize(
    "name", ["document_pdf__telegram_docs.json", "document_docx_with_caption__aiogram_dataset.json"]
)
def test_other_documents_get_a_friendly_refusal(bench, name):
    bed = bench()
    bed.post(load(name))
    assert bed.api.wait_for("sendMessage")[0]["text"] == DOCUMENT_REPLY
    assert bed.server.messages == [] and bed.api.called("getFile") == []


@pytest.mark.parametrize(
    "in_message",
    [
        True,  # the update says 30 MB: not even getFile is called
        False,  # only getFile tells the size: the file is still never downloaded
    ],
)
def test_a_30_mb_photo_is_refused_without_downloading(bench, in_message):
    bed = bench()
    update = load("photo_three_sizes__handmade.json")
    for size in update["message"]["photo"]:
        if in_message:
            size["file_size"] = 30 * 1024 * 1024
        else:
            size.pop("file_size")
    bed.api.add_file("AgAD-large", phone_jpeg(), size=30 * 1024 * 1024)
    bed.post(update)
    assert "too big" in bed.api.wait_for("sendMessage")[0]["text"]
    assert bed.api.file_downloads == [] and bed.server.messages == []
    assert len(bed.api.called("getFile")) == (0 if in_message else 1)


def test_a_file_path_outside_the_bot_api_host_is_never_read(bench, tmp_path):
    bed = bench()
    local = tmp_path / "on-the-server.jpg"
    local.write_bytes(phone_jpeg())
    # PTB reads an existing local path from disk instead of downloading it; only the Bot API host is allowed.
    bed.api.add_file("AgAD-large", b"", path=str(local))
    bed.post(load("photo_three_sizes__handmade.json"))
    assert "attached directly" in bed.api.wait_for("sendMessage")[0]["text"]
    assert bed.server.messages == [] and not bed.media.exists()


def test_a_file_that_is_not_a_picture_is_refused_kindly(bench):
    bed = bench()
    bed.api.add_file("BQAD-png", b"%PDF-1.7 not an image at all", path="documents/snapshot.png")
    bed.post(load("document_image_png__handmade.json"))
    assert "JPEG, PNG or WebP" in bed.api.wait_for("sendMessage")[0]["text"]
    assert bed.server.messages == []


# -------------------------------------------------------------------------------------- locations


def test_a_location_becomes_metadata(bench):
    bed = bench()
    bed.post(load("location__aiogram_dataset.json"))
    (message,) = bed.server.wait_for_messages(1)
    assert message.text == LOCATION_ONLY
    assert message.metadata == {"channel": "telegram", "latitude": 55.693416, "longitude": 37.624605}


def test_a_venue_also_names_the_place(bench):
    bed = bench()
    bed.post(load("venue__handmade.json"))
    (message,) = bed.server.wait_for_messages(1)
    assert message.metadata == {
        "channel": "telegram",
        "latitude": 60.169856,
        "longitude": 24.938379,
        "place_name": "Central Railway Station",
        "place_address": "Kaivokatu 1, Helsinki",
    }


# ---------------------------------------------------------------------------------- buttons, replies

YES_NO = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]


def test_a_tapped_button_sends_its_payload_and_stops_the_spinner(bench):
    bed = bench()
    bed.post(load("callback_query__handmade.json"))
    (message,) = bed.server.wait_for_messages(1)
    assert (message.text, message.sender_id) == ("/affirm", f"telegram:{CHAT}")
    assert message.metadata == {"channel": "telegram", "button": True}
    assert bed.api.wait_for("answerCallbackQuery")[0]["callback_query_id"] == "4382bfdwdsb323b2d9"


def test_buttons_are_an_inline_keyboard_and_share_location_a_reply_keyboard(bench):
    buttons = [*YES_NO, {"title": "Use my location", "payload": "/share_location"}]

    async def ask(message: UserMessage) -> None:
        if message.text == "hi":
            await message.output_channel.send_text_with_buttons(message.sender_id, "Where is it?", buttons)
        else:
            await echo(message)

    bed = bench(ask)
    bed.post(text_update(1, "/start"))
    first, second = bed.api.wait_for("sendMessage", 2)
    assert first["text"] == "Where is it?"
    assert first["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "Yes", "callback_data": "/affirm"}],
            [{"text": "No", "callback_data": "/deny"}],
        ]
    }
    keyboard = second["reply_markup"]
    assert keyboard["keyboard"] == [[{"text": SHARE_LOCATION_TITLE, "request_location": True}]]
    assert keyboard["one_time_keyboard"] is True
    location = load("location__aiogram_dataset.json") | {"update_id": 2}
    location["message"]["chat"]["id"] = CHAT
    bed.post(location)
    location_reply = bed.api.wait_for("sendMessage", 3)[2]
    assert location_reply["reply_markup"] == {"remove_keyboard": True}  # the keyboard goes once answered
    bed.post(text_update(3, "thanks"))
    assert "reply_markup" not in bed.api.wait_for("sendMessage", 4)[3]


def test_share_location_alone_asks_with_the_reply_keyboard_only(bench):
    async def ask(message: UserMessage) -> None:
        await message.output_channel.send_text_with_buttons(
            message.sender_id, "Where?", [{"title": "Share", "payload": "/share_location"}]
        )

    bed = bench(ask)
    bed.post(text_update(1, "hello"))
    (only,) = bed.api.wait_for("sendMessage")
    assert only["text"] == "Where?" and only["reply_markup"]["keyboard"][0][0]["request_location"] is True


def test_a_long_payload_travels_behind_a_short_key(bench):
    long_payload = '/change_report{"report_field":"location","note":"' + "x" * 80 + '"}'

    async def ask(message: UserMessage) -> None:
        if not message.metadata.get("button"):
            buttons = [{"title": "Change the place", "payload": long_payload}]
            await message.output_channel.send_text_with_buttons(message.sender_id, "Change?", buttons)

    bed = bench(ask)
    bed.post(text_update(1, "hello"))
    data = bed.api.wait_for("sendMessage")[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert len(data.encode()) <= 64
    tap = load("callback_query__handmade.json")
    tap["callback_query"]["data"] = data
    bed.post(tap)
    assert [m.text for m in bed.server.wait_for_messages(2)] == ["hello", long_payload]


def test_a_key_this_chat_was_never_given_is_answered_as_expired(bench):
    bed = bench()
    tap = load("callback_query__handmade.json")
    tap["callback_query"]["data"] = "~k:0123456789abcdef01234567"
    bed.post(tap)
    assert bed.api.wait_for("answerCallbackQuery")[0]["text"] == EXPIRED_BUTTON
    bed.post(text_update(1, "after"))
    assert [m.text for m in bed.server.wait_for_messages(1)] == ["after"]


def test_a_long_reply_is_split_into_messages_in_order(bench):
    words = [f"word{i:04d}" for i in range(556)]  # 5,003 characters with spaces
    reply_text = " ".join(words)

    async def long_reply(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, reply_text)

    bed = bench(long_reply)
    bed.post(text_update(1, "tell me everything"))
    parts = [call["text"] for call in bed.api.wait_for("sendMessage", 2)]
    assert len(parts) == 2 and all(len(p) <= 4096 for p in parts)
    assert " ".join(parts).split() == words  # in order, nothing lost, no word cut in two


def test_a_long_reply_full_of_emoji_fits_telegrams_count(bench):
    reply_text = "🚧" * 3000  # 3,000 characters, but 6,000 UTF-16 units as Telegram counts them

    async def long_reply(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, reply_text)

    bed = bench(long_reply)
    bed.post(text_update(1, "hello"))
    parts = [call["text"] for call in bed.api.wait_for("sendMessage", 2)]
    assert [len(p.encode("utf-16-le")) // 2 for p in parts] == [4096, 1904]
    assert "".join(parts) == reply_text


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


# ------------------------------------------------------------------------------- timing and order


def test_the_webhook_answers_at_once_while_the_turn_is_slow(bench):
    async def slow(message: UserMessage) -> None:
        await asyncio.sleep(3)
        await echo(message)

    bed = bench(slow)
    started = time.monotonic()
    assert bed.post(text_update(1, "hello")).status_code == 200
    assert time.monotonic() - started < 0.5
    bed.server.wait_for_messages(1)
    assert bed.api.called("sendMessage") == []  # the reply is still being worked on


def test_messages_from_one_chat_reach_rasa_in_order(bench):
    async def echo_late(message: UserMessage) -> None:
        # Earlier messages take longer: handled side by side, the echoes would come out reversed.
        await asyncio.sleep(0.05 * (5 - int(message.text[-1])))
        await echo(message)

    bed = bench(echo_late)
    started = time.monotonic()
    with requests.Session() as session:
        for n in range(1, 6):
            body = json.dumps(text_update(n, f"message {n}"))
            headers = {"Content-Type": "application/json", SECRET_HEADER: SECRET}
            assert (
                session.post(bed.server.webhook(), data=body, headers=headers, timeout=5).status_code == 200
            )
    assert time.monotonic() - started < 0.1 * 5  # delivered in quick succession
    expected = [f"message {n}" for n in range(1, 6)]
    assert [m.text for m in bed.server.wait_for_messages(5)] == expected
    assert [call["text"] for call in bed.api.wait_for("sendMessage", 5)] == [f"echo: {t}" for t in expected]


def test_telegram_is_not_called_for_every_update(bench):
    bed = bench(echo)
    for n in range(1, 4):
        bed.post(text_update(n, f"m{n}"))
    bed.api.wait_for("sendMessage", 3)
    assert [c.method for c in bed.api.calls] == ["getMe", "sendMessage", "sendMessage", "sendMessage"]
    # A turn Rasa leaves unanswered gets the apology, and still nothing per update goes to Telegram:
    # one getMe for the new connector, then only the two apologies.
    quiet = bench()
    quiet.post(text_update(9, "just words"))
    quiet.post(text_update(10, "more words"))
    bed.api.wait_for("sendMessage", 5)
    bed.api.wait_for("sendMessage", 6, timeout=0.3)  # room for a stray extra call to show up
    assert [c.method for c in bed.api.calls[4:]] == ["getMe", "sendMessage", "sendMessage"]
    assert {c.params["text"] for c in bed.api.calls[5:]} == {APOLOGY}
