"""Each resident's messages are handled in order; other residents' run alongside."""

from __future__ import annotations

import asyncio

from bot.channels.sender_queues import SenderQueues


async def test_one_residents_messages_run_in_order_others_run_alongside():
    queues, log = SenderQueues(), []

    def job(sender: str, n: int, pause: float):
        async def run() -> None:
            await asyncio.sleep(pause)
            log.append((sender, n))

        return run

    for n, pause in enumerate([0.05, 0.0, 0.02]):
        queues.submit("a", job("a", n, pause))
    queues.submit("b", job("b", 0, 0.0))
    await queues.drain()
    assert [n for s, n in log if s == "a"] == [0, 1, 2]
    assert log[0] == ("b", 0)  # not stuck behind "a"


async def test_a_failing_message_does_not_stop_the_next():
    queues, log = SenderQueues(), []

    async def boom() -> None:
        raise RuntimeError("x")

    async def fine() -> None:
        log.append("ok")

    queues.submit("a", boom)
    queues.submit("a", fine)
    await queues.drain()
    assert log == ["ok"]
