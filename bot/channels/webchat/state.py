"""What the web chat remembers per session between requests, in this process and bounded in size.

- `Mailbox`: the assistant's messages no open request can carry (sent on its own, or after the resident's
  request gave up waiting), handed over on the session's next request or `/updates` poll.
- `OfferedButtons`: the payloads of the buttons the assistant offered the session lately; only these may
  reach Rasa as payloads, anything else is words.
- `Turn`: the replies of one resident message, collected for its HTTP answer until that answer is sent.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, TypeVar

from bot.bounded_cache import BoundedCache

logger = logging.getLogger(__name__)

Message = dict[str, Any]
V = TypeVar("V")

MAX_SESSIONS = 10_000
MAX_PENDING = 50
MAX_BUTTONS = 30


class Mailbox:
    """Messages waiting for a session's browser to come back."""

    def __init__(self, max_sessions: int = MAX_SESSIONS, max_per_session: int = MAX_PENDING) -> None:
        self._pending: BoundedCache[str, list[Message]] = BoundedCache(max_sessions)
        self._max_per_session = max_per_session

    def put(self, session_id: str, message: Message) -> None:
        """Keeps a message for the session (the oldest go first when too many wait)."""
        queue = self._pending.get(session_id) or []
        queue.append(message)
        if len(queue) > self._max_per_session:
            del queue[: len(queue) - self._max_per_session]
            logger.warning("webchat.mailbox_full dropped=oldest")
        self._pending.put(session_id, queue)

    def take(self, session_id: str) -> list[Message]:
        """Every message waiting for the session, oldest first; they are no longer kept."""
        return self._pending.pop(session_id) or []


class OfferedButtons:
    """The button payloads each session may send back."""

    def __init__(self, max_sessions: int = MAX_SESSIONS, max_per_session: int = MAX_BUTTONS) -> None:
        self._offered: BoundedCache[str, list[str]] = BoundedCache(max_sessions)
        self._max_per_session = max_per_session

    def offer(self, session_id: str, payloads: list[str]) -> None:
        """Adds payloads the assistant just offered (newest kept when there are too many)."""
        if not payloads:
            return
        current = [p for p in self._offered.get(session_id) or [] if p not in payloads] + payloads
        self._offered.put(session_id, current[-self._max_per_session :])

    def accepts(self, session_id: str, payload: str) -> bool:
        """Whether the payload is one of the buttons the session was offered."""
        return payload in (self._offered.get(session_id) or [])

    def forget(self, session_id: str) -> None:
        """Forgets the session's buttons: a new turn starts and earlier buttons are stale."""
        self._offered.pop(session_id)


class Turn:
    """The replies to one resident message while its HTTP request waits for them."""

    def __init__(self, session_id: str, mailbox: Mailbox) -> None:
        self.session_id = session_id
        self.finished: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._mailbox = mailbox
        self._messages: list[Message] = []
        self._closed = False

    def add(self, message: Message) -> None:
        """A reply: into this turn's answer, or into the mailbox once the answer has gone."""
        if self._closed:
            self._mailbox.put(self.session_id, message)
        else:
            self._messages.append(message)

    def finish(self) -> None:
        """The assistant has finished answering this message."""
        if not self.finished.done():
            self.finished.set_result(None)

    def close(self) -> list[Message]:
        """Ends collecting: returns the replies so far; later ones go to the mailbox."""
        self._closed = True
        messages, self._messages = self._messages, []
        return messages
