"""The production cache (config/cache.py) on a real Redis: the throttles and axes live in it."""

import os
import threading
from typing import Any

import pytest
from django.core.cache.backends.base import BaseCache

from config.cache import RedisCache

REDIS_URL = os.environ.get("CACHE_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def cache() -> Any:
    backend = RedisCache(REDIS_URL, {"KEY_PREFIX": "cache-test"})
    backend.clear()
    yield backend
    backend.clear()


def test_it_is_a_working_cache(cache: BaseCache) -> None:
    cache.set("history", [1.5, 2.5], 30)
    assert cache.get("history") == [1.5, 2.5]
    assert cache.add("history", [9], 30) is False
    assert cache.add("n", 1) is True
    assert cache.incr("n") == 2
    cache.delete("history")
    assert cache.get("history", "gone") == "gone"


def test_one_client_per_pool_is_reused(cache: Any) -> None:
    """Django builds a redis-py client for every operation; this backend keeps one per pool."""
    first = cache._cache.get_client(write=True)
    cache.set("a", 1)
    assert cache._cache.get_client(write=False) is first
    assert cache._cache.get_client("other key", write=True) is first


def test_the_shared_client_serves_threads_at_once(cache: BaseCache) -> None:
    """Gunicorn's threaded workers share the client; each command takes its own connection."""
    errors: list[BaseException] = []

    def count(n: int) -> None:
        try:
            for i in range(50):
                cache.set(f"t{n}:{i}", i)
                if cache.get(f"t{n}:{i}") != i:
                    raise AssertionError(f"thread {n} read another's value")
        except BaseException as exc:  # handed to the test thread
            errors.append(exc)

    threads = [threading.Thread(target=count, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert cache.get("t7:49") == 49
