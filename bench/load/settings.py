"""Settings of the load benchmark's server: production's, plus the bench URL conf.

Everything comes from config.settings.production (DEBUG off, secrets, PostgreSQL, Redis cache,
SSL redirect, HSTS, throttles and axes at their production rates). One addition only:
ROOT_URLCONF adds the bare DRF endpoint (bench/load/urls.py); production never mounts it.

The bench runs with LOGIN_PROXY_COUNT=1 as production behind its TLS proxy does: locust plays
that proxy (X-Forwarded-Proto, and X-Forwarded-For with one address of 198.18.0.0/15 per
parent), so the throttles count each parent on its own, at their production rates.
"""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.load.urls"
