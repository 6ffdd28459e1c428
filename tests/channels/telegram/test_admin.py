"""Registering the Telegram webhook and development polling, against the fake Bot API on loopback."""

from __future__ import annotations

import asyncio
import copy
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest

from bot.channels.telegram.admin import WEBHOOK_PATH, delete_webhook, main, poll, set_webhook
from bot.channels.telegram.connector import TelegramInput
from bot.settings import Settings, get_settings
from tests.fixtures.channels import ChannelServer
from tests.fixtures.processes import PROJECT_ROOT, free_port
from tests.fixtures.telegram_fake import load

if TYPE_CHECKING:
    from tests.fixtures.telegram_fake import FakeTelegram

SECRET = "admin-Secret_7"
PUBLIC = "https://city.example" + WEBHOOK_PATH
ALLOWED = ["message", "edited_message", "callback_query"]


def settings_for(api: FakeTelegram, **changes: Any) -> Settings:
    base = replace(
        Settings(), telegram_token=api.token, telegram_secret=SECRET, telegram_api_base=api.api_base
    )
    return replace(base, **changes)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, telegram_api: FakeTelegram):
    """The environment a deployment would have, pointing at the fake."""
    for name, value in {
        "TELEGRAM_TOKEN": telegram_api.token,
        "TELEGRAM_SECRET": SECRET,
        "TELEGRAM_API_BASE": telegram_api.api_base,
        "PUBLIC_URL": "https://city.example",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("TELEGRAM_WEBHOOK_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


# ------------------------------------------------------------------------------------------ webhook


def test_set_webhook_registers_the_url_and_the_secret(telegram_api):
    assert asyncio.run(set_webhook(settings_for(telegram_api), PUBLIC, max_connections=10)) == 0
    (call,) = telegram_api.called("setWebhook")
    assert (call["url"], call["secret_token"], call["allowed_updates"]) == (PUBLIC, SECRET, ALLOWED)
    assert call["max_connections"] == "10"


def test_the_command_defaults_to_the_public_url(env, telegram_api, capsys):
    assert main(["set-webhook"]) == 0
    assert telegram_api.called("setWebhook")[0]["url"] == PUBLIC
    assert PUBLIC in capsys.readouterr().out


def test_the_module_runs_as_a_command(env, telegram_api):
    done = subprocess.run(
        [sys.executable, "-m", "bot.channels.telegram.admin", "set-webhook", "--url", PUBLIC + "?v=2"],
        cwd=PROJECT_ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert telegram_api.called("setWebhook")[0]["url"] == PUBLIC + "?v=2"
    assert telegram_api.token not in done.stdout + done.stderr  # the token never shows in output


@pytest.mark.parametrize(
    "changes",
    [
        {"telegram_token": ""},  # nothing to talk to Telegram with
        {"telegram_secret": ""},  # a webhook without a secret would be refused by our own check
        {"telegram_secret": "has spaces!"},  # Telegram only accepts A-Z a-z 0-9 _ -
    ],
)
def test_set_webhook_refuses_to_run_with_broken_settings(telegram_api, changes):
    assert asyncio.run(set_webhook(settings_for(telegram_api, **changes), PUBLIC)) == 2
    assert telegram_api.calls == []


def test_telegrams_refusal_is_reported(telegram_api, capsys):
    telegram_api.fail("setWebhook", 400, "Bad Request: bad webhook: HTTPS url must be provided for webhook")
    assert asyncio.run(set_webhook(settings_for(telegram_api), "http://city.example/x")) == 1
    assert "https url must be provided" in capsys.readouterr().err.lower()


def test_delete_webhook(telegram_api):
    asyncio.run(set_webhook(settings_for(telegram_api), PUBLIC))
    assert asyncio.run(delete_webhook(settings_for(telegram_api), drop_pending=True)) == 0
    assert telegram_api.called("deleteWebhook") == [{"drop_pending_updates": "true"}]
    assert telegram_api.webhook == {}


# ------------------------------------------------------------------------------------------ polling


@pytest.fixture
def assistant(telegram_api: FakeTelegram, channel_server: Callable[..., ChannelServer]):
    """The running assistant's Telegram channel (with `secret`), as the poller's target."""

    def start(secret: str = SECRET) -> ChannelServer:
        return channel_server(TelegramInput(telegram_api.token, secret, telegram_api.api_base))

    return start


def updates() -> list[dict[str, Any]]:
    first = load("text_message__telegram_docs.json")  # update_id 10000, "/start"
    second = copy.deepcopy(load("location__aiogram_dataset.json"))
    second["update_id"] = 10001
    return [first, second]


def getupdates_offsets(api: FakeTelegram) -> list[str | None]:
    return [call.get("offset") for call in api.called("getUpdates")]


def test_polling_hands_updates_to_the_local_webhook_and_advances_the_offset(telegram_api, assistant):
    server = assistant()
    telegram_api.queue_update(*updates())
    settings = settings_for(telegram_api)
    assert asyncio.run(poll(settings, server.webhook(), long_poll=1, rounds=2, retry_delay=0)) == 0
    assert [m.text for m in server.wait_for_messages(2)] == ["hi", "/share_location"]
    assert server.messages[1].metadata["latitude"] == 55.693416
    assert getupdates_offsets(telegram_api) == [None, "10002"]  # the second call confirms both updates
    methods = [c.method for c in telegram_api.calls]
    assert methods.index("deleteWebhook") < methods.index("getUpdates")  # getUpdates needs no webhook set


def test_polling_stops_when_the_webhook_refuses_our_secret(telegram_api, assistant, capsys):
    server = assistant(secret="a-different-secret")
    telegram_api.queue_update(*updates())
    assert asyncio.run(poll(settings_for(telegram_api), server.webhook(), long_poll=1, rounds=3)) == 1
    assert "TELEGRAM_SECRET" in capsys.readouterr().err
    assert getupdates_offsets(telegram_api) == [None] and server.messages == []


def test_polling_keeps_the_offset_while_the_webhook_is_down(telegram_api):
    telegram_api.queue_update(*updates())
    nowhere = f"http://127.0.0.1:{free_port()}{WEBHOOK_PATH}"
    settings = settings_for(telegram_api)
    assert asyncio.run(poll(settings, nowhere, long_poll=1, rounds=2, retry_delay=0)) == 0
    assert getupdates_offsets(telegram_api) == [None, None]  # nothing confirmed: Telegram keeps them
