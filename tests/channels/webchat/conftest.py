"""`webchat`: the web chat connector on a real Sanic server, answered by the scripted assistant."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.channels.webchat.connector import WebchatInput
from bot.photos.intake import PhotoIntake
from bot.photos.store import LocalMediaStore
from tests.fixtures.channels import ChannelServer
from tests.fixtures.webchat import SECRET, scripted_reply


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    return tmp_path / "media"


@pytest.fixture
def webchat(channel_server: Callable[..., ChannelServer], media_dir: Path) -> Callable[..., ChannelServer]:
    """Factory: a running web chat (with the scripted assistant unless told otherwise)."""

    def start(secret: str = SECRET, reply: Any = scripted_reply, **options: Any) -> ChannelServer:
        store = LocalMediaStore(media_dir, "http://127.0.0.1:9/webhooks/media/files")
        channel = WebchatInput(secret, photos=PhotoIntake(store=store), **options)
        return channel_server(channel, reply)

    return start
