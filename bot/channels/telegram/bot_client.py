"""The one python-telegram-bot `Bot` of a process, and Bot API calls whose failures become typed results.

The `Bot` is made lazily inside the running event loop (its httpx client belongs to that loop) and
initialised once (one `getMe`), never per update. Every call has explicit timeouts. Telegram's error texts
and PTB's exception messages can carry URLs with the bot token, so only exception type names are logged.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Generic, TypeVar
from urllib.parse import urlsplit

import httpx
from telegram import Bot
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

logger = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_API_BASE = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name, not a secret
# Bots may download files up to 20 MB from Telegram's servers (Bot API, getFile).
TELEGRAM_FILE_LIMIT = 20 * 1024 * 1024
# The updates the assistant acts on; Telegram does not send the others at all.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
# Longest wait honoured for Telegram's flood control before giving up on one message.
MAX_RETRY_AFTER = 5.0


@dataclass(frozen=True)
class Timeouts:
    """Seconds allowed for the parts of one Bot API request."""

    connect: float = 5.0
    read: float = 10.0
    write: float = 10.0
    pool: float = 5.0


def make_bot(token: str, api_base: str = DEFAULT_API_BASE, timeouts: Timeouts | None = None) -> Bot:
    """A PTB `Bot` talking to `api_base` (Telegram, a local Bot API server or a test fake).

    Args:
        token: The bot token.
        api_base: Scheme and host of the Bot API, e.g. "https://api.telegram.org".
        timeouts: Timeouts for every request the bot makes.

    Returns:
        An uninitialised Bot; call `initialize()` inside the event loop that will use it.
    """
    # httpx logs every request URL at INFO, and Bot API URLs contain the token: keep it quiet unless
    # someone configured that logger on purpose.
    httpx_logger = logging.getLogger("httpx")
    if httpx_logger.level == logging.NOTSET:
        httpx_logger.setLevel(logging.WARNING)
    base = api_base.rstrip("/")
    timeouts = timeouts or Timeouts()

    def request() -> HTTPXRequest:
        return HTTPXRequest(
            connection_pool_size=16,
            connect_timeout=timeouts.connect,
            read_timeout=timeouts.read,
            write_timeout=timeouts.write,
            pool_timeout=timeouts.pool,
            media_write_timeout=timeouts.write * 2,
            httpx_kwargs={"verify": _tls_context()},
        )

    return Bot(
        token,
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=request(),
        get_updates_request=request(),
    )


@functools.lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    """The default TLS settings of httpx, built once (loading the CA bundle is slow)."""
    return httpx.create_ssl_context()


def same_origin(url: str, api_base: str) -> bool:
    """Whether `url` is on the Bot API's own scheme, host and port (the only place files may come from)."""
    got, want = urlsplit(url), urlsplit(api_base)
    return bool(got.hostname) and (got.scheme, got.hostname, got.port) == (
        want.scheme,
        want.hostname,
        want.port,
    )


class BotUnavailable(Exception):
    """The Bot could not be set up (no token, token refused, Telegram unreachable)."""


class BotHolder:
    """Makes the `Bot` on first use in the running loop and initialises it once."""

    def __init__(
        self, token: str, api_base: str = DEFAULT_API_BASE, timeouts: Timeouts | None = None
    ) -> None:
        self.token = token
        self.api_base = api_base.rstrip("/")
        self.timeouts = timeouts or Timeouts()
        self._bot: Bot | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock: asyncio.Lock | None = None

    async def get(self) -> Bot:
        """The initialised Bot of this event loop.

        Raises:
            BotUnavailable: No token is configured, Telegram refused it, or getMe failed (retried next
                time).
        """
        loop = asyncio.get_running_loop()
        if self._bot is not None and self._loop is loop:
            return self._bot
        if self._lock is None or self._loop is not loop:
            # A new loop (tests, a restarted server) needs its own lock and its own httpx client.
            self._lock, self._loop, self._bot = asyncio.Lock(), loop, None
        async with self._lock:
            if self._bot is None:
                self._bot = await self._initialised()
        return self._bot

    async def _initialised(self) -> Bot:
        if not self.token:
            raise BotUnavailable("TELEGRAM_TOKEN is not set")
        bot = make_bot(self.token, self.api_base, self.timeouts)
        try:
            await bot.initialize()
        except TelegramError as error:
            logger.error("telegram.bot_init_failed error=%s", type(error).__name__)
            await _quietly_shut(bot)
            raise BotUnavailable(type(error).__name__) from error
        return bot

    async def close(self) -> None:
        """Closes the Bot's HTTP connections (server shutdown)."""
        bot, self._bot = self._bot, None
        if bot is not None:
            await _quietly_shut(bot)


async def _quietly_shut(bot: Bot) -> None:
    try:
        await bot.shutdown()
    except Exception as error:  # closing is best effort; nothing depends on it succeeding
        logger.debug("telegram.bot_shutdown_failed error=%s", type(error).__name__)


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """The result of one Bot API call: `value` when it worked, else `reason` says why not."""

    value: T | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        """True when the call succeeded."""
        return not self.reason


def failure_reason(error: Exception) -> str:
    """A short, stable name for what went wrong ("blocked", "flood", "timeout", ...)."""
    if isinstance(error, Forbidden):
        return "blocked"  # the resident blocked the bot or never started it
    if isinstance(error, RetryAfter):
        return "flood"
    if isinstance(error, TimedOut):
        return "timeout"
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        return "network"
    if isinstance(error, InvalidToken):
        return "token"
    if isinstance(error, BadRequest):
        return "bad_request"
    if isinstance(error, BotUnavailable):
        return "unavailable"
    return "error"


def _retry_delay(error: Exception) -> float | None:
    """Seconds to wait before one more try, or None when trying again would not help (or could duplicate)."""
    if isinstance(error, RetryAfter):
        wait = error.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return seconds if seconds <= MAX_RETRY_AFTER else None
    # A timeout may mean the message was sent after all; only connection failures are safe to repeat.
    if isinstance(error, NetworkError) and not isinstance(error, (TimedOut, BadRequest)):
        return 0.5
    return None


async def attempt(what: str, call: Callable[[], Awaitable[T]]) -> Outcome[T]:
    """Runs one Bot API call, once more after flood control or a connection failure; never raises.

    Args:
        what: The Bot API method, for logs.
        call: Makes the request (called again for the retry).

    Returns:
        The call's value, or the reason it failed (logged with the method and the error type only).
    """
    for tries_left in (1, 0):
        try:
            return Outcome(await call())
        except (TelegramError, BotUnavailable) as error:
            delay = _retry_delay(error) if tries_left else None
            if delay is None:
                reason = failure_reason(error)
                log = logger.info if reason == "blocked" else logger.warning
                log("telegram.call_failed method=%s reason=%s error=%s", what, reason, type(error).__name__)
                return Outcome(reason=reason)
            await asyncio.sleep(delay)
    return Outcome(reason="error")  # not reached: the last try always returns
