"""What Telegram shows for the assistant's buttons (inline and reply keyboards, long payloads behind short
keys) and how long replies are split.

End to end: a real Sanic server with the channel mounted as `rasa run` mounts it,
a fake Bot API server on loopback, recorded updates (tests/data/telegram, see SOURCES.md)."""

from __future__ import annotations

from rasa.core.channels.channel import UserMessage

from bot.sentences import say
from tests.fixtures.telegram_fake import CHAT, echo, load, text_update

# ---------------------------------------------------------------------------------------------- buttons

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
    assert keyboard["keyboard"] == [[{"text": say("report.share_location_button"), "request_location": True}]]
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
    assert bed.api.wait_for("answerCallbackQuery")[0]["text"] == say("telegram.expired_button")
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
