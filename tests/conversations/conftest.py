"""Fixtures for the scripted residents: a stack of their own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures.stack import Stack, start_stack


@pytest.fixture(scope="module")
def residents_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A whole assistant for the scripted residents alone: the hundred reports they file must not become
    open reports nearby in other end-to-end tests (nor theirs in the residents')."""
    running = start_stack(tmp_path_factory.mktemp("residents-stack"))
    try:
        yield running
    finally:
        running.stop()
