"""Production settings: secrets are required, cookies secure, PostgreSQL and Redis expected."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
NATIONAL_ID_HASH_KEY = env("NATIONAL_ID_HASH_KEY")
ANSWERS_ENCRYPTION_KEYS = env.list("ANSWERS_ENCRYPTION_KEYS")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_BROKER_TRANSPORT_OPTIONS = {}

# Behind a TLS-terminating proxy: the header it sets (e.g. "HTTP_X_FORWARDED_PROTO,https");
# empty when Django sees TLS itself. Only set it when the proxy always overwrites the header.
_proxy_header = env.list(
    "DJANGO_SECURE_PROXY_SSL_HEADER", default=["HTTP_X_FORWARDED_PROTO", "https"]
)
SECURE_PROXY_SSL_HEADER = (_proxy_header[0], _proxy_header[1]) if len(_proxy_header) == 2 else None
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# django-axes behind proxies: how many stand in front (config.lockout.client_ip then reads the
# client's address from X-Forwarded-For); 0 uses REMOTE_ADDR.
MEKLING_LOGIN_PROXY_COUNT = env.int("LOGIN_PROXY_COUNT", default=0)
# The API's throttles count by the same address (config/settings/base.py).
REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": MEKLING_LOGIN_PROXY_COUNT}  # noqa: F405
MEKLING_REQUIRE_2FA = True
WEBHOOK_ALLOW_HTTP_LOCALHOST = False  # subscribers are reached over https only
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
# No default: the console backend would print phone numbers and private links to the log.
SMS_BACKEND = env("SMS_BACKEND")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="mekling@familievern.example")
