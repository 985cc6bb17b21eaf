"""Settings for `make run`: everything local, no external server."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "outbox"  # noqa: F405
SMS_BACKEND = env("SMS_BACKEND", default="scheduling.notifications.FileSmsBackend")
SMS_FILE_PATH = VAR_DIR / "sms-outbox"  # noqa: F405
# A local receiver (http://127.0.0.1:...) may subscribe to webhooks.
WEBHOOK_ALLOW_HTTP_LOCALHOST = env.bool("WEBHOOK_ALLOW_HTTP_LOCALHOST", default=True)
