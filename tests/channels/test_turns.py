"""A resident never meets silence: a turn that fails or answers nothing ends with an apology."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels.turns import run_turn
from bot.sentences import say


async def answer(message: UserMessage) -> None:
    await message.output_channel.send_response(message.sender_id, {"text": "Where is it?"})


async def silent(message: UserMessage) -> None:
    return None  # what Rasa does when the action server is down: logs, answers nothing


async def crash(message: UserMessage) -> None:
    raise RuntimeError("tracker store unreachable")


@pytest.mark.parametrize(
    ("handler", "expected"),
    [
        (answer, ["Where is it?"]),  # a normal turn: no apology
        (silent, [say("trouble.apology")]),  # the action server is down
        (crash, [say("trouble.apology")]),  # the turn itself failed
    ],
)
async def test_every_turn_says_something(handler: Any, expected: list[str]):
    output = CollectingOutputChannel()
    await run_turn(handler, UserMessage("pothole", output, "web:abc"))
    assert [m["text"] for m in output.messages] == expected
