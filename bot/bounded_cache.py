"""A thread-safe in-process mapping with a size cap and an optional lifetime: the one cache helper.

Used where a process keeps a little per-resident or per-key state (webhook deliveries already seen, options
offered to an SMS number, long Telegram button payloads, web chat mailboxes, geocoder answers): a resident
who walks away, or an attacker who makes up keys, can never grow it past `max_items`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")
D = TypeVar("D")


class BoundedCache(Generic[K, V]):
    """Least recently used entries go first beyond `max_items`; with `ttl` (seconds), entries expire."""

    def __init__(self, max_items: int, ttl: float | None = None) -> None:
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._max = max_items
        self._ttl = ttl
        self._lock = threading.Lock()

    def get(self, key: K, default: D | None = None) -> V | D | None:
        """The value (now the most recently used), or `default` when absent or expired."""
        with self._lock:
            item = self._live(key)
            if item is None:
                return default
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: K, value: V) -> None:
        """Sets the value, with a fresh lifetime."""
        with self._lock:
            self._items[key] = (self._expiry(), value)
            self._items.move_to_end(key)
            self._evict()

    def add_if_absent(self, key: K, value: V) -> bool:
        """Sets the value only when the key is absent or expired; True when it was set."""
        with self._lock:
            if self._live(key) is not None:
                return False
            self._items[key] = (self._expiry(), value)
            self._evict()
            return True

    def pop(self, key: K, default: D | None = None) -> V | D | None:
        """Removes and returns the value, or `default` when absent or expired."""
        with self._lock:
            item = self._live(key)
            if item is None:
                return default
            del self._items[key]
            return item[1]

    def __len__(self) -> int:
        with self._lock:
            self._evict()
            return len(self._items)

    def _expiry(self) -> float:
        return time.monotonic() + self._ttl if self._ttl is not None else float("inf")

    def _live(self, key: K) -> tuple[float, V] | None:
        item = self._items.get(key)
        if item is not None and item[0] < time.monotonic():
            del self._items[key]
            return None
        return item

    def _evict(self) -> None:
        # Entries are kept in use order, which is not always expiry order: an expired entry behind a live one
        # waits until it comes first or the size cap reaches it, and `_live` never hands it out meanwhile.
        now = time.monotonic()
        while self._items and (len(self._items) > self._max or next(iter(self._items.values()))[0] < now):
            self._items.popitem(last=False)
