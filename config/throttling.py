"""Rate limits for public endpoints, read from settings at request time (testable).

DRF's own throttle keeps a sliding log: every request reads and writes back a pickled list of up
to `rate` timestamps (two round trips to the cache, and the list grows with each of a parent's
19 saves). Here each client has two counters instead, this period's and the last one's, weighted
by how much of the last period is still inside the sliding window (the estimate Cloudflare
describes for its rate limiting): on Redis one round trip per request (`config.cache.hit_count`).
Only allowed requests count, as with DRF's log, so a refused client is not held back longer.
"""

from typing import Any, cast

from django.conf import settings
from rest_framework.throttling import ScopedRateThrottle

from config.cache import hit_count, hit_uncount


class SettingsScopedRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle with the rate read from the current setting (DRF binds
    THROTTLE_RATES at import), counted in two fixed periods as the module says."""

    def get_rate(self) -> str | None:
        rates = cast(dict[str, str | None], settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
        return rates.get(self.scope) if self.scope else None

    def allow_request(self, request: Any, view: Any) -> bool:
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if self.num_requests is None or self.duration is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.limit, self.seconds = self.num_requests, self.duration
        self.now = self.timer()
        period = int(self.now // self.seconds)
        # The last period is kept for one more, to be read as the previous one.
        current, self.previous = hit_count(
            f"{key}:{period}", f"{key}:{period - 1}", timeout=2 * self.seconds
        )
        self.elapsed = self.now - period * self.seconds
        self.before = current - 1
        if self.previous * (1 - self.elapsed / self.seconds) + current <= self.limit:
            return True
        hit_uncount(f"{key}:{period}")
        return False

    def wait(self) -> float | None:
        """Seconds until one more request fits (Retry-After)."""
        room = self.limit - 1 - self.before
        if room >= 0:
            # The last period's share must fall to `room`: it falls linearly to 0 at the end
            # of this period.
            if self.previous <= 0:
                return 0.0
            fits_at = self.seconds * (1 - room / self.previous)
            return max(0.0, fits_at - self.elapsed)
        # This period alone is full: into the next one until this one's share has fallen.
        next_starts = self.seconds - self.elapsed
        fits_at = self.seconds * (1 - (self.limit - 1) / max(1, self.before))
        return next_starts + max(0.0, fits_at)
