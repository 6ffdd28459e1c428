"""The `Idempotency-Key` extension: a repeated POST with the same key gets the first answer back.

Keys live in the database, so the guarantee survives restarts. Only successful answers are remembered, so a
client that fixes a refused request may retry with the same key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Request
from sqlalchemy.orm import Session

from .errors import ApiError
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class StoredAnswer:
    """A remembered response."""

    status: int
    body: Any


def key_of(request: Request) -> str | None:
    """The request's idempotency key, or None when it sent none.

    Raises:
        ApiError: 400 when the key is too long or not printable ASCII.
    """
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return None
    if len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise ApiError(400, f"{HEADER} must be at most {MAX_KEY_LENGTH} printable ASCII characters")
    return key


def recall(session: Session, key: str) -> StoredAnswer | None:
    """The answer remembered for `key`, if any."""
    row = session.get(IdempotencyKey, key)
    if row is None:
        return None
    return StoredAnswer(status=row.response_status, body=json.loads(row.response_body))


def remember(session: Session, key: str, request_id: int, answer: StoredAnswer) -> None:
    """Stores the answer in the same transaction as the request it created (the caller commits).

    Two concurrent POSTs with one key collide on the primary key at commit; the loser rolls back and replays.
    """
    session.add(
        IdempotencyKey(
            key=key,
            request_id=request_id,
            response_status=answer.status,
            response_body=json.dumps(answer.body),
        )
    )
