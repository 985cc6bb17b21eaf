"""Settings for the test suite: real PostgreSQL and Redis (see .ci/services.sh)."""

from .base import *  # noqa: F403
from .base import env

DATABASES = {
    "default": env.db("TEST_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/mekling"),
}
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default="test_mekling")}
CELERY_BROKER_URL = env("TEST_CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files are not collected for tests; whitenoise would only warn about the missing folder.
MIDDLEWARE = [m for m in MIDDLEWARE if "whitenoise" not in m]  # noqa: F405
SMS_BACKEND = "scheduling.notifications.LocmemSmsBackend"
PUBLIC_BASE_URL = "https://mekling.test"
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"case_request": "1000/min", "intake": "1000/min"},
}
# The webhook tests run real receivers on 127.0.0.1 over plain http.
WEBHOOK_ALLOW_HTTP_LOCALHOST = True
