"""Django's Redis cache, with one redis-py client per connection pool instead of one per call.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every cache operation;
that constructor fills a table of ~170 response callbacks each time, which cost the throttle
about 0.2 ms of CPU on every questionnaire save (bench/load_questionnaires.py). A client over a
pool is thread-safe (redis-py takes a connection from the pool per command), so one per pool
is enough.
"""

from contextlib import suppress
from typing import Any

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Both private members are Django's own (django-stubs leaves them out).
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient


def hit_count(key: str, previous_key: str, *, timeout: int) -> tuple[int, int]:
    """Add one to the counter `key` (made with `timeout` seconds to live) and read the
    counter `previous_key`: (the new count, the previous count or 0). On this module's Redis
    cache one round trip (INCR, EXPIRE NX and GET in one pipeline); elsewhere, the cache API."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        counter = backend.make_and_validate_key(key)
        previous = backend.make_and_validate_key(previous_key)
        pipe = backend._cache.get_client(counter, write=True).pipeline(transaction=False)
        pipe.incr(counter)
        pipe.expire(counter, timeout, nx=True)
        pipe.get(previous)
        count, _, before = pipe.execute()
        # Django's Redis cache stores integers as plain digits, so get() reads them too.
        return int(count), int(before or 0)
    backend.add(key, 0, timeout)
    return int(backend.incr(key)), int(backend.get(previous_key, 0))


def hit_uncount(key: str) -> None:
    """Take back one `hit_count` (a refused request does not count)."""
    with suppress(ValueError):  # expired in between: nothing to take back
        cache.decr(key)
