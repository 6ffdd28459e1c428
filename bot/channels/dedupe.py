"""Remembers which webhook deliveries were already handled.

Twilio `MessageSid`, Telegram `update_id`, a web chat message id: so a retried or replayed delivery never
becomes a second turn.

In memory for one process; in Redis (`REDIS_URL`) when several replicas share the work.
"""

from __future__ import annotations

import logging
from typing import Protocol

from bot.bounded_cache import BoundedCache

logger = logging.getLogger(__name__)
DEFAULT_TTL = 24 * 3600.0


class SeenStore(Protocol):
    """Answers "is this the first time?" atomically."""

    def first_time(self, key: str) -> bool:
        """True the first time a key is offered (and marks it seen), False afterwards."""
        ...


class MemorySeenStore:
    """Seen keys in this process, forgotten after `ttl` seconds or when more than `max_items` are kept."""

    def __init__(self, ttl: float = DEFAULT_TTL, max_items: int = 200_000) -> None:
        self._seen: BoundedCache[str, bool] = BoundedCache(max_items, ttl)

    def first_time(self, key: str) -> bool:  # noqa: D102
        return self._seen.add_if_absent(key, True)


class RedisSeenStore:
    """Seen keys in Redis (`SET key 1 NX EX ttl`), shared by every replica."""

    def __init__(self, url: str, ttl: float = DEFAULT_TTL, prefix: str = "seen:") -> None:
        import redis  # imported here: only deployments with REDIS_URL need it

        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._ttl = int(ttl)
        self._prefix = prefix
        self._fallback = MemorySeenStore(ttl)

    def first_time(self, key: str) -> bool:  # noqa: D102
        try:
            return bool(self._redis.set(self._prefix + key, 1, nx=True, ex=self._ttl))
        except Exception as error:  # Redis down: de-duplicate in this process rather than drop messages
            logger.warning("dedupe.redis_unavailable error=%s", type(error).__name__)
            return self._fallback.first_time(key)


def make_seen_store(redis_url: str = "") -> SeenStore:
    """The store for this deployment: Redis when a URL is set, else memory."""
    return RedisSeenStore(redis_url) if redis_url else MemorySeenStore()
