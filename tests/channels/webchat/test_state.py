"""What the web chat keeps per session: messages sent later, slow answers fetched later, order kept.

Over real HTTP: a Sanic server on loopback with the channel mounted as `rasa run` mounts it, and a
recording stand-in for Rasa (`tests/fixtures/channels.py`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import requests

from tests.fixtures.channels import ChannelServer
from tests.fixtures.webchat import new_token, post

# ---------------------------------------------------------------------------- the assistant on its own


def test_messages_sent_later_wait_for_the_browser(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat()
    token = new_token(server)
    session_id = token.partition(".")[0]
    output = server.channel.get_output_channel()
    assert output is not None and output.name() == "webchat"

    async def say() -> None:
        await output.send_text_message(f"web:{session_id}", "Your report was filed: #42")
        await output.send_text_with_buttons(
            f"web:{session_id}", "Is it fixed?", [{"title": "Yes", "payload": "/fixed"}]
        )

    assert server.loop is not None
    asyncio.run_coroutine_threadsafe(say(), server.loop).result(5)
    auth = {"Authorization": f"Bearer {token}"}
    updates = requests.get(server.webhook("updates"), headers=auth, timeout=10).json()["messages"]
    assert [m["text"] for m in updates] == ["Your report was filed: #42", "Is it fixed?"]
    assert requests.get(server.webhook("updates"), headers=auth, timeout=10).json() == {"messages": []}
    # A button offered on its own is a real button too.
    post(server, token, message_id="b1", payload="/fixed")
    assert server.wait_for_messages(1)[0].metadata.get("button") is True


def test_waiting_messages_come_first_in_the_next_answer(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat()
    token = new_token(server)
    output = server.channel.get_output_channel()
    assert output is not None and server.loop is not None
    sender = "web:" + token.partition(".")[0]
    asyncio.run_coroutine_threadsafe(output.send_text_message(sender, "Status: fixed"), server.loop).result(5)
    texts = [m["text"] for m in post(server, token, message_id="m1", text="hi").json()["messages"]]
    assert texts == ["Status: fixed", "echo: hi"]


def test_a_slow_answer_is_fetched_later(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat(turn_timeout=0.2)
    token = new_token(server)
    answer = post(server, token, message_id="s1", text="slow").json()
    assert answer == {"messages": [], "pending": True}
    auth = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + 5
    texts: list[str] = []
    while not texts and time.monotonic() < deadline:
        time.sleep(0.1)
        texts = [
            m["text"]
            for m in requests.get(server.webhook("updates"), headers=auth, timeout=10).json()["messages"]
        ]
    assert texts == ["Sorry, that took a while."]


def test_one_sessions_messages_are_handled_in_order(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat(turn_timeout=0.05)
    token = new_token(server)
    post(server, token, message_id="1", text="slow")  # still running when the next one arrives
    post(server, token, message_id="2", text="after")
    assert [m.text for m in server.wait_for_messages(2)] == ["slow", "after"]
