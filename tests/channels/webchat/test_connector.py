"""Web chat messages: text and replies, typed commands, offered buttons, repeated ids, positions.

Over real HTTP: a Sanic server on loopback with the channel mounted as `rasa run` mounts it, and a
recording stand-in for Rasa (`tests/fixtures/channels.py`)."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.text import MAX_TEXT
from tests.fixtures.channels import ChannelServer
from tests.fixtures.webchat import BUTTONS, new_token, post

# ------------------------------------------------------------------------------------------- messages


def test_text_reaches_rasa_and_the_replies_come_back(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat()
    token = new_token(server)
    answer = post(server, token, message_id="m1", text="pothole")
    assert answer.status_code == 200
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.json() == {
        "messages": [
            {"text": "Is it on the road?", "buttons": BUTTONS, "image": None},
            {"text": "", "buttons": [], "image": "https://city.example/pothole-example.jpg"},
        ]
    }
    message = server.wait_for_messages(1)[0]
    assert (message.text, message.input_channel) == ("pothole", "webchat")
    assert message.metadata == {"channel": "webchat"}


def test_typed_commands_are_only_words(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat()
    post(server, new_token(server), message_id="m1", text='/restart{"x": 1}')
    message = server.wait_for_messages(1)[0]
    assert message.text == 'restart{"x": 1}' and "button" not in message.metadata


def test_offered_buttons_are_payloads_and_anything_else_is_text(
    webchat: Callable[..., ChannelServer],
) -> None:
    server = webchat()
    token = new_token(server)
    post(server, token, message_id="m1", text="pothole")  # offers /affirm, /deny, /share_location
    post(server, token, message_id="m2", payload="/affirm")  # offered: a real button press
    post(server, token, message_id="m3", payload="/deny")  # offered one turn ago: stale now, so words
    post(server, token, message_id="m4", payload="/restart")  # never offered: forged, so words
    messages = server.wait_for_messages(4)
    assert [(m.text, m.metadata.get("button")) for m in messages[1:]] == [
        ("/affirm", True),
        ("deny", None),
        ("restart", None),
    ]


def test_the_location_button_is_never_a_payload(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat()
    token = new_token(server)
    post(server, token, message_id="m1", text="pothole")
    post(server, token, message_id="m2", payload="/share_location")  # the page sends a position instead
    assert server.wait_for_messages(2)[1].text == "share_location"


def test_a_repeated_message_id_is_one_turn(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat()
    token = new_token(server)
    first = post(server, token, message_id="same", text="hello")
    second = post(server, token, message_id="same", text="hello")
    assert first.json()["messages"][0]["text"] == "echo: hello"
    assert second.json() == {"messages": [], "duplicate": True}
    time.sleep(0.3)
    assert len(server.messages) == 1


def test_the_same_message_id_in_another_session_is_another_message(
    webchat: Callable[..., ChannelServer],
) -> None:
    server = webchat()
    post(server, new_token(server), message_id="1", text="a")
    post(server, new_token(server), message_id="1", text="b")
    assert [m.text for m in server.wait_for_messages(2)] == ["a", "b"]


def test_long_text_is_trimmed_and_empty_text_refused(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat()
    token = new_token(server)
    for empty in ("", "   ", "/"):  # nothing, blanks, and a slash that is no words once cleaned
        answer = post(server, token, message_id=f"e{len(empty)}", text=empty)
        assert answer.status_code == 400 and answer.json()["message"]
    assert post(server, token, message_id="long", text="x" * 20_000).status_code == 200
    assert len(server.wait_for_messages(1)[0].text) == MAX_TEXT


def test_browser_location_becomes_metadata(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat()
    token = new_token(server)
    assert post(server, token, message_id="g1", latitude=60.1699, longitude=24.9384).status_code == 200
    message = server.wait_for_messages(1)[0]
    assert message.text == "/share_location"
    assert message.metadata == {"channel": "webchat", "latitude": 60.1699, "longitude": 24.9384}
    # Out of range, or not numbers: refused before anything reaches Rasa.
    for latitude, longitude in ((91, 24.9), (60.1, "24.9"), (True, 24.9)):
        assert (
            post(server, token, message_id="bad", latitude=latitude, longitude=longitude).status_code == 400
        )
    assert len(server.messages) == 1
