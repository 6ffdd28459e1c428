"""A webhook delivery counts once, with or without Redis."""

from __future__ import annotations

from bot.channels.dedupe import MemorySeenStore, RedisSeenStore


def test_a_delivery_counts_once():
    seen = MemorySeenStore(ttl=60)
    assert [seen.first_time("SM1"), seen.first_time("SM1"), seen.first_time("SM2")] == [True, False, True]


def test_redis_unavailable_falls_back_to_this_process():
    seen = RedisSeenStore("redis://127.0.0.1:1/0")
    assert [seen.first_time("u1"), seen.first_time("u1")] == [True, False]
