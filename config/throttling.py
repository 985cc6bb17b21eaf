"""Rate limits for public endpoints, read from settings at request time (testable)."""

from typing import cast

from django.conf import settings
from rest_framework.throttling import ScopedRateThrottle


class SettingsScopedRateThrottle(ScopedRateThrottle):
    """DRF binds THROTTLE_RATES at import; this one reads the current setting each time."""

    def get_rate(self) -> str | None:
        rates = cast(dict[str, str | None], settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
        return rates.get(self.scope) if self.scope else None
