"""Settings of the load benchmark's server: production's, plus the bench URL conf.

Everything comes from config.settings.production (DEBUG off, secrets, PostgreSQL, Redis cache,
SSL redirect, HSTS, throttles at their production rates). Two additions only:

- ROOT_URLCONF adds the bare DRF endpoint (bench/load/urls.py); production never mounts it.
- The API's throttles read the client's address from X-Forwarded-For behind as many proxies as
  LOGIN_PROXY_COUNT says (the bench sets 1, and locust plays that proxy, giving each parent an
  address of the benchmarking range 198.18.0.0/15). This is the setting a production behind one
  proxy needs; the rates themselves are not changed.
"""

from config.settings.production import *  # noqa: F403
from config.settings.production import MEKLING_LOGIN_PROXY_COUNT, REST_FRAMEWORK

ROOT_URLCONF = "bench.load.urls"
REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": MEKLING_LOGIN_PROXY_COUNT}  # type: ignore[dict-item]
