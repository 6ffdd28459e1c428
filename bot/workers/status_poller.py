"""Watches the requests residents filed or follow.

It queues a message when one changes (with the crew's closing photo when it is fixed).
"""

from __future__ import annotations

import logging
from collections import defaultdict

from sqlalchemy import delete, select

from bot.db import Notification, Subscription, session_factory
from bot.open311 import Open311Client, Open311Error, ServiceRequest
from bot.sentences import say
from bot.wording import status_sentence

logger = logging.getLogger(__name__)
BATCH = 50


def change_text(request: ServiceRequest) -> str:
    """The message a resident gets when their request changes."""
    if (request.detailed_status or request.status) == "closed":
        return say("update.fixed", status=status_sentence(request))
    return say("update.changed", status=status_sentence(request))


class StatusPoller:
    """Compares each followed request with what its followers last heard."""

    def __init__(self, database_url: str, client: Open311Client) -> None:
        self._sessions = session_factory(database_url)
        self._client = client

    def run_once(self) -> int:
        """Polls every followed request once; returns how many messages were queued."""
        with self._sessions() as session:
            subscriptions = session.execute(select(Subscription)).scalars().all()
        by_request: dict[str, list[Subscription]] = defaultdict(list)
        for sub in subscriptions:
            by_request[sub.service_request_id].append(sub)
        ids = sorted(by_request)
        queued = 0
        for start in range(0, len(ids), BATCH):
            try:
                found = self._client.requests(service_request_ids=ids[start : start + BATCH])
            except Open311Error as error:
                logger.warning("status_poller.unavailable kind=%s", error.kind.name)
                return queued
            for request in found:
                queued += self._compare(request, by_request.get(request.service_request_id, []))
        return queued

    def _compare(self, request: ServiceRequest, subscriptions: list[Subscription]) -> int:
        status = request.detailed_status or request.status
        updated = request.updated_datetime.isoformat() if request.updated_datetime else None
        queued = 0
        with self._sessions() as session, session.begin():
            for sub in subscriptions:
                row = session.get(Subscription, sub.id)
                if row is None or (row.last_status == status and row.last_updated == updated):
                    continue
                if row.last_status is not None:  # the first look only records where things stand
                    image = request.closing_media_url if status == "closed" else None
                    session.add(
                        Notification(sender_id=row.sender_id, text=change_text(request), image_url=image)
                    )
                    queued += 1
                row.last_status, row.last_updated = status, updated
            if status == "closed":
                session.execute(
                    delete(Subscription)
                    .where(Subscription.service_request_id == request.service_request_id)
                    .where(Subscription.last_status == "closed")
                )
        return queued
