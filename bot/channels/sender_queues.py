"""Handles each resident's messages strictly in arrival order, in the background.

Webhooks are acknowledged at once. Different residents are handled concurrently.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class SenderQueues:
    """One queue and one worker task per sender; a worker ends when its queue is empty."""

    def __init__(self) -> None:
        self._queues: dict[str, asyncio.Queue[Job]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}

    def submit(self, sender_id: str, job: Job) -> None:
        """Queues a job behind the sender's earlier ones (call from the event loop)."""
        queue = self._queues.setdefault(sender_id, asyncio.Queue())
        queue.put_nowait(job)
        worker = self._workers.get(sender_id)
        if worker is None or worker.done():
            self._workers[sender_id] = asyncio.get_running_loop().create_task(self._work(sender_id))

    async def _work(self, sender_id: str) -> None:
        queue = self._queues[sender_id]
        while not queue.empty():
            job = queue.get_nowait()
            try:
                await job()
            except Exception:  # one failed message must not stop the resident's next ones
                logger.exception("ordering.job_failed")
        self._queues.pop(sender_id, None)
        self._workers.pop(sender_id, None)

    async def drain(self) -> None:
        """Waits until every queued job has run (tests, shutdown)."""
        while self._workers:
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)

    def busy(self) -> int:
        """How many senders have work queued or running."""
        return len(self._workers)
