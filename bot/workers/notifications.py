"""Messages waiting for residents, and handing them to Rasa so they go out on each resident's channel."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import quote

import requests
from sqlalchemy import select

from bot.db import Notification, session_factory, utcnow

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 20
SENDER_SAFE = ":+@=-_.~"


@dataclass(frozen=True)
class PendingNote:
    """One message to deliver."""

    text: str
    image_url: str | None


def add(database_url: str, sender_id: str, text: str, image_url: str | None = None) -> None:
    """Queues a message for a resident."""
    with session_factory(database_url)() as session, session.begin():
        session.add(Notification(sender_id=sender_id, text=text, image_url=image_url))


def take_pending(database_url: str, sender_id: str) -> list[PendingNote]:
    """The resident's undelivered messages, oldest first, marked delivered as they are taken."""
    with session_factory(database_url)() as session, session.begin():
        rows = (
            session.execute(
                select(Notification)
                .where(Notification.sender_id == sender_id)
                .where(Notification.delivered_at.is_(None))
                .order_by(Notification.id)
            )
            .scalars()
            .all()
        )
        for row in rows:
            row.delivered_at = utcnow()
        return [PendingNote(row.text, row.image_url) for row in rows]


def senders_waiting(database_url: str) -> list[str]:
    """Conversations with undelivered messages that have not failed too often."""
    with session_factory(database_url)() as session:
        return list(
            session.execute(
                select(Notification.sender_id)
                .where(Notification.delivered_at.is_(None))
                .where(Notification.attempts < MAX_ATTEMPTS)
                .distinct()
            ).scalars()
        )


def _count_attempt(database_url: str, sender_id: str) -> None:
    with session_factory(database_url)() as session, session.begin():
        for row in session.execute(
            select(Notification)
            .where(Notification.sender_id == sender_id)
            .where(Notification.delivered_at.is_(None))
        ).scalars():
            row.attempts += 1


class Notifier:
    """Asks Rasa to run `action_report_update` in each waiting conversation."""

    def __init__(self, database_url: str, rasa_url: str, token: str, timeout: float = 10.0) -> None:
        self._database_url = database_url
        self._rasa_url = rasa_url.rstrip("/")
        self._token = token
        self._timeout = timeout

    def run_once(self) -> int:
        """Delivers what is waiting; returns how many conversations were reached."""
        reached = 0
        for sender_id in senders_waiting(self._database_url):
            if self._trigger(sender_id):
                reached += 1
            else:
                _count_attempt(self._database_url, sender_id)
        return reached

    def _trigger(self, sender_id: str) -> bool:
        # Rasa's router does not percent-decode path parameters, so "telegram:1" must stay as it is.
        url = f"{self._rasa_url}/conversations/{quote(sender_id, safe=SENDER_SAFE)}/execute"
        try:
            response = requests.post(
                url,
                params={"output_channel": "latest", "token": self._token},
                json={"name": "action_report_update"},
                timeout=self._timeout,
            )
        except requests.RequestException as error:
            logger.warning("notifier.rasa_unreachable error=%s", type(error).__name__)
            return False
        if not response.ok:
            logger.warning("notifier.rasa_refused status=%s", response.status_code)
            return False
        return True
