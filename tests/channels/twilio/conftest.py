"""`start`: the Twilio connector on a real Sanic server, talking to the fake Twilio (`twilio_fake`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.channels.twilio.connector import TwilioInput
from tests.fixtures.channels import ChannelServer, Reply
from tests.fixtures.twilio_fake import FakeTwilio, Harness, Start, make_settings


@pytest.fixture
def start(channel_server: Callable[..., ChannelServer], fake_twilio: FakeTwilio, tmp_path: Path) -> Start:
    """`start(reply=None, trust_forwarded=False, send_timeout=5, **settings)` → a running Harness."""

    def run(
        reply: Reply | None = None, trust_forwarded: bool = False, send_timeout: float = 5.0, **changes: Any
    ) -> Harness:
        settings = replace(make_settings(tmp_path, fake_twilio), **changes)
        opt_out_file = tmp_path / "opt_out.json"
        channel = TwilioInput.from_settings(
            settings, trust_forwarded=trust_forwarded, opt_out_path=opt_out_file, send_timeout=send_timeout
        )
        server = channel_server(channel, reply)
        return Harness(server, channel, fake_twilio, settings.media_dir, opt_out_file)

    return run
