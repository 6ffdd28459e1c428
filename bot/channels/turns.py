"""Handing one resident message to Rasa so that the resident never meets silence.

When the action server is down or a turn fails, Rasa logs the error and answers nothing; a resident would just
wait. Every connector runs its turns through `run_turn`, which counts what Rasa sends back and, when nothing
was sent, apologises on the same channel.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot.sentences import say

logger = logging.getLogger(__name__)


class CountingOutput(OutputChannel):
    """Passes every message to the channel's own output and counts them."""

    def __init__(self, inner: OutputChannel) -> None:
        self.inner = inner
        self.sent = 0

    def name(self) -> str:
        """The wrapped channel's name (Rasa reads it for proactive messages)."""
        return self.inner.name()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Counts, then sends through the wrapped channel (how Rasa sends each bot message)."""
        self.sent += 1
        await self.inner.send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:  # noqa: D102
        self.sent += 1
        await self.inner.send_text_message(recipient_id, text, **kwargs)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:  # noqa: D102
        self.sent += 1
        await self.inner.send_image_url(recipient_id, image, **kwargs)

    async def send_text_with_buttons(  # noqa: D102
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        self.sent += 1
        await self.inner.send_text_with_buttons(recipient_id, text, buttons, **kwargs)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:  # noqa: D102
        self.sent += 1
        await self.inner.send_custom_json(recipient_id, json_message, **kwargs)

    def __getattr__(self, name: str) -> Any:
        # Anything else a channel's own output offers (answering a Telegram button press, …).
        return getattr(self.inner, name)


async def run_turn(on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage) -> int:
    """Runs one turn; apologises when it produced no reply. Returns how many replies Rasa sent."""
    counting = CountingOutput(message.output_channel)
    message.output_channel = counting
    try:
        await on_new_message(message)
    except Exception:  # a failed turn must still answer the resident
        logger.exception("turn.failed channel=%s", counting.name())
    if counting.sent == 0:
        logger.warning("turn.silent channel=%s", counting.name())
        await counting.inner.send_text_message(message.sender_id, say("trouble.apology"))
    return counting.sent
