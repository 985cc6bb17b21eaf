"""The public endpoints' throttle (config/throttling.py): two counters per client, on the
production cache (Redis, one round trip a request) and on the zero-setup one (local memory)."""

import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.test import RequestFactory
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from config.throttling import SettingsScopedRateThrottle

REDIS_URL = os.environ.get("CACHE_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
START = 1_800_000_000.0  # a whole minute (and hour) in Unix time


class _View:
    throttle_scope = "intake"


def _use(settings: Any, kind: str) -> None:
    """The cache of this kind as the default, with the test rates, emptied."""
    if kind == "redis":
        settings.CACHES = {
            "default": {
                "BACKEND": "config.cache.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": "throttle-test",
            }
        }
    else:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"case_request": "2/min", "intake": "3/min"},
    }
    caches["default"].clear()


@pytest.fixture(params=["redis", "locmem"])
def backend(request: pytest.FixtureRequest, settings: Any) -> Iterator[str]:
    _use(settings, request.param)
    yield request.param
    caches["default"].clear()


def _ask(at: float, client: str = "198.18.0.1") -> SettingsScopedRateThrottle:
    request = RequestFactory().get("/", REMOTE_ADDR=client)
    request.user = AnonymousUser()
    throttle = SettingsScopedRateThrottle()
    throttle.timer = lambda: at
    throttle.allowed = throttle.allow_request(request, _View())  # type: ignore[attr-defined]
    return throttle


def _allowed(at: float, client: str = "198.18.0.1") -> bool:
    return bool(_ask(at, client).allowed)  # type: ignore[attr-defined]


def test_a_client_gets_its_rate_and_then_429s(backend: str) -> None:
    assert [_allowed(START + n) for n in range(4)] == [True, True, True, False]
    # another client is counted on its own
    assert _allowed(START + 5, client="198.18.0.2")


def test_a_period_boundary_does_not_reset_the_window(backend: str) -> None:
    """A fixed counter would allow 3 more the second a minute turns: the last minute's count
    still weighs by the share of it inside the sliding window."""
    assert [_allowed(START + 59.0 + n / 10) for n in range(3)] == [True, True, True]
    assert not _allowed(START + 60.5)
    # 40 s on, two thirds of the last minute are out of the window: 3 × (1 - 40/60) = 1
    # counted, so two more fit
    assert [_allowed(START + 100.0), _allowed(START + 100.1), _allowed(START + 100.2)] == [
        True,
        True,
        False,
    ]


def test_a_refused_request_does_not_count(backend: str) -> None:
    for n in range(3):
        assert _allowed(START + n)
    for n in range(20):
        assert not _allowed(START + 10 + n)  # hammering while refused
    # The next minute, as if only the 3 allowed had been made: 3 × (1 - 30/60) = 1.5 counted.
    assert _allowed(START + 90)
    assert not _allowed(START + 90.1)


def test_one_round_trip_to_redis_a_request(backend: str) -> None:
    if backend != "redis":
        pytest.skip("the round trips are Redis's")
    client = caches["default"]._cache.get_client(write=True)  # type: ignore[attr-defined]
    calls: list[Any] = []
    original = client.connection_pool.get_connection

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(*args, **kwargs)

    client.connection_pool.get_connection = counted
    try:
        assert _allowed(START)
    finally:
        client.connection_pool.get_connection = original
    assert len(calls) == 1


def test_requests_at_once_on_redis_let_exactly_the_rate_through(backend: str) -> None:
    """20 requests of one client at the same moment from 20 threads: each INCR is atomic on
    Redis, so exactly the rate gets through (DRF's log read, then wrote back the list, so
    requests at once could all pass)."""
    if backend != "redis":
        pytest.skip("a race on the shared cache")
    barrier = threading.Barrier(20)
    results: list[bool] = []
    lock = threading.Lock()

    def one() -> None:
        barrier.wait()
        allowed = _allowed(START + 1)
        with lock:
            results.append(allowed)

    threads = [threading.Thread(target=one) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 17 + [True] * 3
    # the refused ones were taken back: the count is the 3 let through
    assert not _allowed(START + 2)
    assert _allowed(START + 61 + 20)  # 3 × (1 - 21/60) + 1 = 2.95 <= 3


@given(gaps=st.lists(st.floats(min_value=0.0, max_value=40.0), min_size=1, max_size=25))
@hypothesis_settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_never_more_than_the_rate_in_a_minute_and_retry_after_is_honest(
    settings: Any, gaps: list[float]
) -> None:
    """Any sequence of requests: no clock minute lets more than the rate through (the estimate
    is never below this minute's count), and a refused client asking again after its
    Retry-After (`wait()`) is let through."""
    _use(settings, "locmem")
    at = START
    allowed_in: dict[int, int] = {}
    for gap in gaps:
        at += gap
        throttle = _ask(at)
        if throttle.allowed:  # type: ignore[attr-defined]
            allowed_in[int(at // 60)] = allowed_in.get(int(at // 60), 0) + 1
            continue
        wait = throttle.wait()
        assert wait is not None and 0 <= wait <= 120
        at += wait + 1e-6
        assert _allowed(at), (gaps, at, wait)
        allowed_in[int(at // 60)] = allowed_in.get(int(at // 60), 0) + 1
    assert max(allowed_in.values(), default=0) <= 3
    caches["default"].clear()
