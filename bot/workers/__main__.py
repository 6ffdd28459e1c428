"""The assistant's background worker: sends queued reports, watches followed requests, delivers messages.

Run with `python -m bot.workers`. Each job is small and safe to repeat; the loop survives any one job failing.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

from bot import resources
from bot.workers.notifications import Notifier
from bot.workers.status_poller import StatusPoller

logger = logging.getLogger("bot.workers")


def main() -> None:
    """Runs the jobs until SIGTERM or SIGINT."""
    settings = resources.settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    outbox = resources.outbox()
    poller = StatusPoller(settings.database_url, resources.open311())
    notifier = Notifier(settings.database_url, settings.rasa_url, settings.rasa_token)
    jobs: list[tuple[str, Callable[[], object]]] = [
        ("outbox", outbox.deliver_due),
        ("status", poller.run_once),
        ("notify", notifier.run_once),
    ]
    logger.info("worker.started interval=%.1fs", settings.worker_interval)
    while not stop.is_set():
        for name, job in jobs:
            try:
                job()
            except Exception:  # one failing job must not stop the others
                logger.exception("worker.job_failed job=%s", name)
        stop.wait(settings.worker_interval)
    logger.info("worker.stopped")


if __name__ == "__main__":
    main()
