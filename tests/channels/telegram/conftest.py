"""`bench`: the Telegram connector on a real Sanic server, talking to the fake Bot API (`telegram_fake`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.channels.telegram.connector import TelegramInput
from bot.photos.intake import PhotoIntake
from bot.photos.store import LocalMediaStore
from bot.settings import Settings
from tests.fixtures.channels import ChannelServer
from tests.fixtures.telegram_fake import SECRET, Bench, FakeTelegram


@pytest.fixture
def bench(telegram_api: FakeTelegram, channel_server: Callable[..., ChannelServer], tmp_path: Path):
    def start(reply: Any = None, secret: str = SECRET) -> Bench:
        media = tmp_path / "media"
        settings = replace(Settings(), media_dir=media)
        store = LocalMediaStore(media, "http://assistant.test/webhooks/media/files")
        channel = TelegramInput(
            telegram_api.token,
            secret,
            telegram_api.api_base,
            intake=PhotoIntake(settings, store=store),
            settings=settings,
        )
        return Bench(channel_server(channel, reply), channel, telegram_api, media)

    return start
