"""Operating the Telegram bot: register its webhook (with the secret), remove it, or poll in development.

    python -m bot.channels.telegram.admin set-webhook [--url URL] [--drop-pending] [--max-connections N]
    python -m bot.channels.telegram.admin delete-webhook [--drop-pending]
    python -m bot.channels.telegram.admin webhook-info
    python -m bot.channels.telegram.admin poll [--webhook URL] [--timeout SECONDS]

`poll` is for a laptop without a public URL: it removes the webhook (Telegram only answers getUpdates
when none is set), long-polls getUpdates and POSTs each update, unchanged and with the secret header, to
the running assistant's own webhook, so updates take exactly the path they take in production. The offset
only moves past an update once the webhook accepted it.

Settings come from the environment (TELEGRAM_TOKEN, TELEGRAM_SECRET, TELEGRAM_API_BASE,
TELEGRAM_WEBHOOK_URL, PUBLIC_URL, RASA_URL).
"""

from __future__ import annotations

import argparse
import asyncio
import enum
import json
import logging
import re
import sys
import warnings
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import httpx
from telegram import Bot
from telegram.error import Conflict, InvalidToken, TelegramError
from telegram.warnings import PTBUserWarning

from bot.channels.telegram.bot_client import ALLOWED_UPDATES, SECRET_HEADER, make_bot
from bot.settings import Settings, get_settings

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/telegram/webhook"
# What Telegram accepts as a secret_token (Bot API, setWebhook).
_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")
OK, FAILED, MISCONFIGURED = 0, 1, 2


class Delivery(enum.Enum):
    """What became of one update handed to the local webhook."""

    DELIVERED = "delivered"
    SKIPPED = "skipped"  # the webhook found it unreadable (400/413/415): retrying would not help
    REFUSED = "refused"  # 403: the webhook's secret is not ours; nothing will get through
    RETRY = "retry"  # the webhook is down or failed: offer the same update again later


def config_problem(settings: Settings) -> str | None:
    """Why Telegram cannot be operated with these settings, or None."""
    if not settings.telegram_token:
        return "TELEGRAM_TOKEN is not set."
    if not settings.telegram_secret:
        return "TELEGRAM_SECRET is not set; the webhook refuses every delivery without it."
    if not _SECRET_SHAPE.fullmatch(settings.telegram_secret):
        return "TELEGRAM_SECRET may only use A-Z, a-z, 0-9, _ and - (1 to 256 characters)."
    return None


def public_webhook_url(settings: Settings) -> str:
    """The URL Telegram should deliver to: TELEGRAM_WEBHOOK_URL, else PUBLIC_URL + the channel's path."""
    return settings.telegram_webhook_url or settings.public_url + WEBHOOK_PATH


async def set_webhook(
    settings: Settings, url: str, *, drop_pending: bool = False, max_connections: int | None = None
) -> int:
    """Registers `url` with the secret and the update kinds the assistant reads; returns an exit code."""
    if not url.startswith("https://"):
        print("Warning: Telegram only delivers to https:// URLs.", file=sys.stderr)

    async def call(bot: Bot) -> Any:
        return await bot.set_webhook(
            url=url,
            secret_token=settings.telegram_secret,
            allowed_updates=list(ALLOWED_UPDATES),
            drop_pending_updates=drop_pending,
            max_connections=max_connections,
        )

    return await _run(settings, call, f"Webhook set: {url}")


async def delete_webhook(settings: Settings, *, drop_pending: bool = False) -> int:
    """Removes the webhook; returns an exit code."""

    async def call(bot: Bot) -> Any:
        return await bot.delete_webhook(drop_pending_updates=drop_pending)

    return await _run(settings, call, "Webhook deleted.")


async def webhook_info(settings: Settings) -> int:
    """Prints where Telegram delivers and its last delivery error; returns an exit code."""

    async def call(bot: Bot) -> Any:
        info = await bot.get_webhook_info()
        print(f"url: {info.url or '(none)'}\npending updates: {info.pending_update_count}")
        if info.last_error_message:
            print(f"last error: {info.last_error_message}")
        return True

    return await _run(settings, call, "")


async def _run(settings: Settings, call: Callable[[Bot], Awaitable[Any]], done: str) -> int:
    problem = config_problem(settings)
    if problem:
        print(problem, file=sys.stderr)
        return MISCONFIGURED
    bot = make_bot(settings.telegram_token, settings.telegram_api_base)
    try:
        await bot.initialize()
        await call(bot)
    except TelegramError as error:
        # Telegram's descriptions ("Bad Request: bad webhook: ...") help and carry no token.
        message = "the token was refused" if isinstance(error, InvalidToken) else error.message
        print(f"Telegram refused: {message}", file=sys.stderr)
        return FAILED
    finally:
        await bot.shutdown()
    if done:
        print(done)
    return OK


# ------------------------------------------------------------------------------------------- polling


async def deliver(
    client: httpx.AsyncClient, webhook_url: str, secret: str, update: dict[str, Any]
) -> Delivery:
    """POSTs one update to the local webhook exactly as Telegram would."""
    headers = {"Content-Type": "application/json", SECRET_HEADER: secret}
    try:
        response = await client.post(webhook_url, content=json.dumps(update), headers=headers)
    except httpx.HTTPError as error:
        logger.warning("telegram_poll.webhook_unreachable error=%s", type(error).__name__)
        return Delivery.RETRY
    if response.status_code < 300:
        return Delivery.DELIVERED
    if response.status_code == 403:
        return Delivery.REFUSED
    if response.status_code in (400, 413, 415):
        logger.warning("telegram_poll.update_skipped status=%d", response.status_code)
        return Delivery.SKIPPED
    logger.warning("telegram_poll.webhook_failed status=%d", response.status_code)
    return Delivery.RETRY


async def fetch_updates(bot: Bot, offset: int | None, long_poll: float) -> list[dict[str, Any]]:
    """Raw updates from getUpdates (confirming every update before `offset`).

    Raises:
        TelegramError: Telegram refused (e.g. `Conflict` while a webhook is set or another poller runs).
    """
    params: dict[str, Any] = {"timeout": int(long_poll), "allowed_updates": list(ALLOWED_UPDATES)}
    if offset is not None:
        params["offset"] = offset
    with warnings.catch_warnings():
        # PTB suggests Bot.get_updates, but that parses the updates; the raw JSON is forwarded unchanged.
        warnings.simplefilter("ignore", PTBUserWarning)
        result = await bot.do_api_request("getUpdates", api_kwargs=params, read_timeout=long_poll + 10)
    if not isinstance(result, list):
        return []
    return [u for u in result if isinstance(u, dict) and type(u.get("update_id")) is int]


async def poll(
    settings: Settings,
    webhook_url: str,
    *,
    long_poll: float = 25.0,
    rounds: int | None = None,
    retry_delay: float = 2.0,
) -> int:
    """Hands Telegram's pending updates to the local webhook until stopped (or after `rounds` getUpdates).

    Returns:
        An exit code: 0 when stopped after `rounds`, 1 when the webhook refused the secret or the token
        was refused, 2 for missing settings.
    """
    problem = config_problem(settings)
    if problem:
        print(problem, file=sys.stderr)
        return MISCONFIGURED
    bot = make_bot(settings.telegram_token, settings.telegram_api_base)
    timeout = httpx.Timeout(10.0, connect=5.0)
    try:
        await bot.initialize()
        await bot.delete_webhook()  # getUpdates is refused while a webhook is set
        print(f"Polling Telegram; delivering to {webhook_url} (Ctrl-C stops).")
        async with httpx.AsyncClient(timeout=timeout) as client:
            return await _poll_loop(
                bot, client, settings.telegram_secret, webhook_url, long_poll, rounds, retry_delay
            )
    except InvalidToken:
        print("Telegram refused the token.", file=sys.stderr)
        return FAILED
    finally:
        await bot.shutdown()


async def _poll_loop(
    bot: Bot,
    client: httpx.AsyncClient,
    secret: str,
    webhook_url: str,
    long_poll: float,
    rounds: int | None,
    retry_delay: float,
) -> int:
    offset: int | None = None
    done = 0
    while rounds is None or done < rounds:
        done += 1
        try:
            updates = await fetch_updates(bot, offset, long_poll)
        except InvalidToken:
            raise
        except TelegramError as error:
            why = (
                "a webhook is set or another poller runs"
                if isinstance(error, Conflict)
                else type(error).__name__
            )
            logger.warning("telegram_poll.get_updates_failed reason=%s", why)
            await asyncio.sleep(retry_delay)
            continue
        for update in updates:
            outcome = await deliver(client, webhook_url, secret, update)
            if outcome is Delivery.REFUSED:
                print(
                    "The webhook refused our secret: is TELEGRAM_SECRET the same for both?", file=sys.stderr
                )
                return FAILED
            if outcome is Delivery.RETRY:
                await asyncio.sleep(retry_delay)
                break
            offset = update["update_id"] + 1
    return OK


# ----------------------------------------------------------------------------------------------- CLI


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot.channels.telegram.admin", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    setter = commands.add_parser("set-webhook", help="register the webhook URL and secret with Telegram")
    setter.add_argument("--url", help="default: TELEGRAM_WEBHOOK_URL, else PUBLIC_URL + " + WEBHOOK_PATH)
    setter.add_argument("--drop-pending", action="store_true", help="discard updates waiting at Telegram")
    setter.add_argument("--max-connections", type=int, help="parallel deliveries Telegram may open (1-100)")
    deleter = commands.add_parser("delete-webhook", help="stop webhook deliveries")
    deleter.add_argument("--drop-pending", action="store_true", help="discard updates waiting at Telegram")
    commands.add_parser("webhook-info", help="show the registered webhook and its last error")
    poller = commands.add_parser("poll", help="development: getUpdates → the local webhook")
    poller.add_argument("--webhook", help="default: RASA_URL + " + WEBHOOK_PATH)
    poller.add_argument("--timeout", type=float, default=25.0, help="long-poll seconds (default 25)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command; returns its exit code."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    settings = get_settings()
    if args.command == "set-webhook":
        url = args.url or public_webhook_url(settings)
        job = set_webhook(settings, url, drop_pending=args.drop_pending, max_connections=args.max_connections)
    elif args.command == "delete-webhook":
        job = delete_webhook(settings, drop_pending=args.drop_pending)
    elif args.command == "webhook-info":
        job = webhook_info(settings)
    else:
        job = poll(settings, args.webhook or settings.rasa_url + WEBHOOK_PATH, long_poll=args.timeout)
    try:
        return asyncio.run(job)
    except KeyboardInterrupt:
        return OK


if __name__ == "__main__":
    sys.exit(main())
