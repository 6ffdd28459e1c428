"""`client`: an Open311 client of the fake server (`tests/fixtures/open311_fake.py`), with its API key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.open311 import Open311Client
from tests.fixtures.open311_fake import KEY, FakeOpen311


@pytest.fixture
def client(fake_open311: FakeOpen311) -> Iterator[Open311Client]:
    c = Open311Client(fake_open311.url, api_key=KEY, timeout=2)
    yield c
    c.close()
