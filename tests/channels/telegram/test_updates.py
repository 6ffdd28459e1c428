"""Reading Telegram updates: text, commands, edits, other kinds of update, locations and venues.

End to end: a real Sanic server with the channel mounted as `rasa run` mounts it,
a fake Bot API server on loopback, recorded updates (tests/data/telegram, see SOURCES.md)."""

from __future__ import annotations

import copy
import time

import pytest

from bot.channels.message_metadata import LOCATION_ONLY
from bot.sentences import say
from tests.fixtures.telegram_fake import load, text_update

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
    assert bed.texts() == [say("telegram.edited")]


@pytest.mark.parametrize(
    ("name", "reply"),
    [
        ("channel_post__handmade.json", None),  # not a resident's chat: ignored
        ("voice__handmade.json", say("telegram.unsupported")),  # the resident hears what the bot can read
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
