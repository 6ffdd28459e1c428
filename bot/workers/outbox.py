"""Reports are persisted first and sent later: the outbox between a conversation and the back office.

A report gets a local reference the moment the resident confirms it. Sending is tried at once; when the back
office is down or slow the entry stays pending and a worker retries with exponential backoff until it is
filed, exactly once (an `Idempotency-Key` plus a claim on the row keep two senders from doubling it).
"""

from __future__ import annotations

import dataclasses
import logging
import random
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.db import Notification, OutboxEntry, Subscription, session_factory, utcnow
from bot.open311 import ErrorKind, NewRequest, Open311Client, Open311Error
from bot.sentences import say

logger = logging.getLogger(__name__)

# Local references avoid letters and digits residents confuse (0/O, 1/I/L).
_REF_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
MAX_DELAY_SECONDS = 3600.0


def new_reference() -> str:
    """A short, unguessable local reference such as `R-7KQ2MX`."""
    return "R-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(6))


@dataclass(frozen=True)
class Delivery:
    """The outcome of one attempt to send an outbox entry.

    `state` is "sent" (filed, `service_request_id` known), "awaiting_id" (the server gave a token),
    "pending" (will be retried), or "failed" (the back office refused it for good).
    """

    reference: str
    state: str
    service_request_id: str | None = None
    error: Open311Error | None = None


class Outbox:
    """Persists reports and follows, and sends them to the back office with retries."""

    def __init__(
        self,
        database_url: str,
        client: Open311Client,
        *,
        base_delay: float = 5.0,
        max_attempts: int = 50,
        claim_seconds: float = 120.0,
    ) -> None:
        self._sessions = session_factory(database_url)
        self._client = client
        self._base_delay = base_delay
        self._max_attempts = max_attempts
        self._claim = timedelta(seconds=claim_seconds)

    def add_report(self, sender_id: str, request: NewRequest, key: str) -> OutboxEntry:
        """Stores a report to file; the same `key` always gives back the same entry (nothing doubled)."""
        payload = dataclasses.asdict(request)
        payload["idempotency_key"] = key
        return self._add(sender_id, "file", payload, key)

    def add_follow(self, sender_id: str, service_request_id: str, key: str) -> OutboxEntry:
        """Stores a resident's +1 on an existing request."""
        return self._add(sender_id, "follow", {"service_request_id": service_request_id}, key)

    def find(self, reference: str) -> OutboxEntry | None:
        """The entry with this local reference (case-insensitive), if any."""
        with self._sessions() as session:
            return session.execute(
                select(OutboxEntry).where(OutboxEntry.reference == reference.strip().upper())
            ).scalar_one_or_none()

    def count(self, state: str | None = None) -> int:
        """How many entries there are (in one state, or in all)."""
        query = select(OutboxEntry.id)
        if state:
            query = query.where(OutboxEntry.state == state)
        with self._sessions() as session:
            return len(session.execute(query).all())

    def deliver(self, reference: str, *, notify: bool = False) -> Delivery:
        """Tries to send one entry now, unless another sender holds it or it is already done.

        Args:
            reference: the entry's local reference.
            notify: queue a message for the resident when the outcome is final (used by the worker; in a
                conversation the action words the outcome itself).
        """
        entry = self.find(reference)
        if entry is None:
            raise KeyError(reference)
        if entry.state in ("sent", "failed"):
            return Delivery(entry.reference, entry.state, entry.service_request_id)
        if not self._claim_entry(entry.id):
            return Delivery(entry.reference, entry.state, entry.service_request_id)
        return self._attempt(entry, notify)

    def deliver_due(self, limit: int = 20) -> list[Delivery]:
        """Sends the entries whose next attempt is due (the worker's loop body)."""
        now = utcnow()
        with self._sessions() as session:
            references = (
                session.execute(
                    select(OutboxEntry.reference)
                    .where(OutboxEntry.state.in_(("pending", "awaiting_id")))
                    .where(OutboxEntry.next_attempt_at <= now)
                    .order_by(OutboxEntry.next_attempt_at)
                    .limit(limit)
                )
                .scalars()
                .all()
            )
        return [self.deliver(ref, notify=True) for ref in references]

    # -- internals -------------------------------------------------------------------------------

    def _add(self, sender_id: str, kind: str, payload: dict, key: str) -> OutboxEntry:
        with self._sessions() as session, session.begin():
            existing = session.execute(
                select(OutboxEntry).where(OutboxEntry.idempotency_key == key)
            ).scalar_one_or_none()
            if existing is not None:
                return existing
            entry = OutboxEntry(
                reference=new_reference(),
                idempotency_key=key,
                kind=kind,
                sender_id=sender_id,
                payload=payload,
                state="pending",
                next_attempt_at=utcnow(),
            )
            session.add(entry)
        logger.info("outbox.added kind=%s reference=%s", kind, entry.reference)
        return entry

    def _claim_entry(self, entry_id: int) -> bool:
        now = utcnow()
        with self._sessions() as session, session.begin():
            result = session.execute(
                update(OutboxEntry)
                .where(OutboxEntry.id == entry_id)
                .where(OutboxEntry.state.in_(("pending", "awaiting_id")))
                .where(or_(OutboxEntry.claimed_until.is_(None), OutboxEntry.claimed_until < now))
                .values(claimed_until=now + self._claim)
            )
            return bool(result.rowcount == 1)

    def _attempt(self, entry: OutboxEntry, notify: bool) -> Delivery:
        try:
            request_id, token = self._send(entry)
        except Open311Error as error:
            return self._record_failure(entry, error, notify)
        state = "sent" if request_id else "awaiting_id"
        with self._sessions() as session, session.begin():
            row = session.get(OutboxEntry, entry.id)
            row.state = state
            row.service_request_id = request_id
            row.token = token or row.token
            row.attempts += 1
            row.claimed_until = None
            row.last_error = None
            row.next_attempt_at = utcnow() + timedelta(seconds=self._base_delay)
            if request_id:
                self._subscribe(session, row.sender_id, request_id)
                if notify:
                    session.add(Notification(sender_id=row.sender_id, text=_filed_text(row, request_id)))
        logger.info("outbox.delivered reference=%s state=%s", entry.reference, state)
        return Delivery(entry.reference, state, request_id)

    def _send(self, entry: OutboxEntry) -> tuple[str | None, str | None]:
        if entry.kind == "follow":
            request_id = str(entry.payload["service_request_id"])
            try:
                self._client.follow(request_id)
            except Open311Error as error:
                # A back office without the +1 extension still lets us subscribe the resident.
                if error.kind is not ErrorKind.UNSUPPORTED:
                    raise
            return request_id, None
        if entry.token and entry.state == "awaiting_id":
            return self._client.request_id_for_token(entry.token), entry.token
        result = self._client.submit(NewRequest(**entry.payload))
        return result.service_request_id, result.token

    def _record_failure(self, entry: OutboxEntry, error: Open311Error, notify: bool) -> Delivery:
        with self._sessions() as session, session.begin():
            row = session.get(OutboxEntry, entry.id)
            row.attempts += 1
            row.claimed_until = None
            row.last_error = f"{error.kind.name}: {error.description}"[:500]
            final = not error.retryable or row.attempts >= self._max_attempts
            if final:
                row.state = "failed"
                if notify:
                    session.add(Notification(sender_id=row.sender_id, text=_failed_text(row)))
            else:
                row.next_attempt_at = utcnow() + timedelta(seconds=self._delay(row.attempts))
            first_warning = not row.warned
            row.warned = True
        # Warn once per entry, not on every retry: a long outage must not flood the logs.
        if final:
            logger.error("outbox.failed reference=%s kind=%s", entry.reference, error.kind.name)
        elif first_warning:
            logger.warning("outbox.retrying reference=%s kind=%s", entry.reference, error.kind.name)
        return Delivery(entry.reference, "failed" if final else "pending", None, error)

    def _delay(self, attempts: int) -> float:
        delay = min(self._base_delay * (2 ** max(attempts - 1, 0)), MAX_DELAY_SECONDS)
        return delay * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security

    @staticmethod
    def _subscribe(session: Session, sender_id: str, request_id: str) -> None:
        exists = session.execute(
            select(Subscription.id)
            .where(Subscription.sender_id == sender_id)
            .where(Subscription.service_request_id == request_id)
        ).first()
        if exists is None:
            session.add(Subscription(sender_id=sender_id, service_request_id=request_id))


def _filed_text(entry: OutboxEntry, request_id: str) -> str:
    if entry.kind == "follow":
        return say("update.following", number=request_id)
    return say("update.filed", reference=entry.reference, number=request_id)


def _failed_text(entry: OutboxEntry) -> str:
    return say("update.failed", reference=entry.reference)
