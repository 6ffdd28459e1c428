"""The one in-process cache: capped in size, optionally in time, thread-safe."""

import threading

from bot.bounded_cache import BoundedCache


def test_the_least_recently_used_entry_goes_first_beyond_the_cap():
    cache: BoundedCache[str, int] = BoundedCache(max_items=2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recently used
    cache.put("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3
    assert len(cache) == 2


def test_entries_expire_after_their_lifetime(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr("bot.bounded_cache.time.monotonic", lambda: now[0])
    cache: BoundedCache[str, str] = BoundedCache(max_items=10, ttl=60)
    cache.put("old", "x")
    now[0] += 30
    cache.put("new", "y")
    cache.get("old")  # touching an entry does not extend its life
    now[0] += 31
    assert cache.get("old") is None and cache.get("new") == "y"
    assert cache.pop("old", "gone") == "gone"


def test_add_if_absent_is_true_once_per_live_key(monkeypatch):
    now = [0.0]
    monkeypatch.setattr("bot.bounded_cache.time.monotonic", lambda: now[0])
    cache: BoundedCache[str, bool] = BoundedCache(max_items=10, ttl=5)
    assert cache.add_if_absent("k", True) is True
    assert cache.add_if_absent("k", True) is False
    now[0] += 6
    assert cache.add_if_absent("k", True) is True


def test_a_cached_none_is_told_apart_from_a_miss():
    cache: BoundedCache[str, None] = BoundedCache(max_items=10)
    missing = object()
    cache.put("nothing there", None)
    assert cache.get("nothing there", missing) is None
    assert cache.get("never asked", missing) is missing


def test_many_threads_never_grow_it_past_the_cap():
    cache: BoundedCache[int, int] = BoundedCache(max_items=100)

    def fill(offset: int) -> None:
        for i in range(2000):
            cache.add_if_absent(offset + i, i)

    threads = [threading.Thread(target=fill, args=(n * 10_000,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(cache) == 100
