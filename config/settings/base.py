"""Settings shared by every environment; everything configurable comes from the environment."""

from datetime import date, timedelta
from pathlib import Path

import django_stubs_ext
import environ
from csp.constants import NONE, SELF

# Lets admin and generic classes be subscripted at run time for the type checker.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Each audience's pages keep their templates and catalogue beside their views (parents: intake,
# desk: mediators, inbox: scheduling).
PAGE_DIRS = [BASE_DIR / app / "pages" for app in ("intake", "mediators", "scheduling")]
env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

# Local state of a zero-setup run: the SQLite file, the filesystem broker's queues, the outbox.
VAR_DIR = Path(env("MEKLING_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-only-key-change-me")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

# A separate key for one-way hashing of national ids, so rotating SECRET_KEY does not
# orphan every stored digest.
NATIONAL_ID_HASH_KEY = env("NATIONAL_ID_HASH_KEY", default="insecure-local-national-id-key")
# From this day numbers of the new scheme (other first check digits) are accepted
# (intake/national_id.py); Skatteetaten's announced start is 2032.
NATIONAL_ID_2032_SCHEME_FROM = date.fromisoformat(
    env("NATIONAL_ID_2032_SCHEME_FROM", default="2032-01-01")
)

# Questionnaire answers (and the classification reasons that echo them) are encrypted at rest
# with these Fernet keys (config/crypto.py): the first encrypts, all decrypt. The default is a
# synthetic key for local runs and tests only; production requires its own.
ANSWERS_ENCRYPTION_KEYS = env.list(
    "ANSWERS_ENCRYPTION_KEYS", default=["aW5zZWN1cmUtbG9jYWwtYW5zd2Vycy1rZXktMDAwMDE="]
)

# Retention (meklingsforskriften § 9; config/legal.py holds the defaults and their sources):
# answers and classification details go this many days after the case closes, the protocol
# after the legal period in years.
RETENTION_ANSWERS_DAYS = env.int("RETENTION_ANSWERS_DAYS", default=30)
RETENTION_PROTOCOL_YEARS = env.int("RETENTION_PROTOCOL_YEARS", default=3)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "mediators",
    "intake",
    "scheduling",
    "scheduling.webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
LOGIN_URL = "pages:login"
LOGIN_REDIRECT_URL = "pages:home"
LOGOUT_REDIRECT_URL = "pages:login"
# Where the parents' quick exit goes: a neutral page that looks like ordinary browsing.
QUICK_EXIT_URL = env("QUICK_EXIT_URL", default="https://www.yr.no/")
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "mediators.User"
# django-axes first: it refuses a locked-out username+address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Two-factor login for staff and mediators (config.two_factor). Only a local demo turns it off.
MEKLING_REQUIRE_2FA = env.bool("MEKLING_REQUIRE_2FA", default=True)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="mekling")

# Failed logins (django-axes): 5 wrong passwords for one username from one address lock that
# pair for 15 minutes; a good login resets the count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.lockout.locked_out"
AXES_CLIENT_IP_CALLABLE = "config.lockout.client_ip"
MEKLING_LOGIN_PROXY_COUNT = 0
# Usernames and addresses of failures are personal data: no access log rows for successes.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# Parents' login through ID-porten (OpenID Connect; intake.idporten). Off unless configured.
IDPORTEN_ENABLED = env.bool("IDPORTEN_ENABLED", default=False)
IDPORTEN_MIN_ACR = env("IDPORTEN_MIN_ACR", default="idporten-loa-substantial")
if IDPORTEN_ENABLED:
    OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET")
    OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", default="RS256")
    OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", default="openid profile")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT")
    OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": IDPORTEN_MIN_ACR}
    OIDC_USE_PKCE = True
    OIDC_AUTHENTICATION_CALLBACK_URL = "idporten:callback"
    OIDC_STORE_ID_TOKEN = False
    # Not in AUTHENTICATION_BACKENDS: parents are not Django users (intake.pages.idporten_views
    # calls the backend itself and keeps the matched parents in the session).

# Content Security Policy (django-csp): no inline script or style anywhere; the API docs page
# (Swagger UI, inline script) is exempted in config.urls.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates", *(d / "templates" for d in PAGE_DIRS)],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.pages.page_context",
            ],
            # One date and time format for every page (Oslo time): {% load datetime_format %}.
            "libraries": {"datetime_format": "config.datetime_format"},
        },
    },
]

# Zero-setup default: a SQLite file in var/. WAL and IMMEDIATE transactions let web, worker
# and beat share it without "database is locked" errors on first write.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'mekling.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "nb"
# Nynorsk is offered on the parents' pages (STAFF_LANGUAGES are the staff pages' choice).
LANGUAGES = [("nb", "Norsk bokmål"), ("nn", "Norsk nynorsk"), ("en", "English")]
STAFF_LANGUAGES = ["nb", "en"]
LOCALE_PATHS = [BASE_DIR / "locale", *(d / "locale" for d in PAGE_DIRS)]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # A browser session counts only after the two-factor step (config.two_factor); machine
        # clients use tokens.
        "config.two_factor.VerifiedSessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["mediators.access.IsStaffOrMediator"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api_errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": ["config.parsers.LimitedJSONParser"],
    # Throttles count by REMOTE_ADDR, or behind proxies by the X-Forwarded-For entry the last
    # of them added, as axes does (config.lockout); DRF's default (None) would trust the whole
    # header, which a client sets to anything to dodge every rate limit.
    "NUM_PROXIES": MEKLING_LOGIN_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "case_request": env("THROTTLE_CASE_REQUEST", default="20/hour"),
        "intake": env("THROTTLE_INTAKE", default="120/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "mekling API",
    "DESCRIPTION": "Family mediation in Norway: intake, mediators and scheduling.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from the installed package, so the docs page works without internet access.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "intake.models.CaseStatus",
        "OfferStatusEnum": "mediators.models.Offer.Status",
        "AppointmentKindEnum": "scheduling.models.Appointment.Kind",
        "AppointmentStatusEnum": "scheduling.models.AppointmentStatus",
        "AppointmentParentRoleEnum": "scheduling.models.Appointment.ParentRole",
        "ParentRoleEnum": "intake.models.Parent.Role",
    },
    # Every operation documents the one error body (config/api_errors.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.openapi.error_responses",
    ],
}

# Celery. The zero-setup broker is kombu's filesystem transport: it needs no server yet is
# shared between the web, worker and beat processes, unlike memory://.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = str(VAR_DIR / "broker")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _queue_dir,
        "data_folder_out": _queue_dir,
        "control_folder": str(VAR_DIR / "broker-control"),
    }
    for _folder in ("broker", "broker-control"):
        (VAR_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULER = "scheduling.beat:HeartbeatDatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = False
# Celery's Django fixup would otherwise close the database connection after every task.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)

# A component counts as alive when its heartbeat row is younger than this.
HEARTBEAT_STALE_AFTER_SECONDS = env.int("HEARTBEAT_STALE_AFTER_SECONDS", default=90)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Where parents' links point (the public site), and who mail comes from.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="mekling@familievern.example")
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# Pluggable SMS: a dotted path to a class with send(to: str, body: str) -> None.
SMS_BACKEND = env("SMS_BACKEND", default="scheduling.notifications.ConsoleSmsBackend")

# Shared cache (throttling counts): Redis when configured, else per-process memory.
REDIS_CACHE_URL = env("REDIS_CACHE_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "config.cache.RedisCache", "LOCATION": REDIS_CACHE_URL}
        if REDIS_CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Largest JSON body the API reads; a questionnaire with free text fits easily.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=64 * 1024)

# Webhooks (scheduling/webhooks, docs/webhooks.md): signed POSTs to subscribers, retried with
# exponential backoff (base · 2^(n-1) seconds, capped) until WEBHOOK_MAX_ATTEMPTS. Plain http
# is refused except to 127.0.0.1 where WEBHOOK_ALLOW_HTTP_LOCALHOST (tests, local runs).
WEBHOOK_ALLOW_HTTP_LOCALHOST = env.bool("WEBHOOK_ALLOW_HTTP_LOCALHOST", default=False)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=12)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=30.0)
WEBHOOK_RETRY_MAX_SECONDS = env.float("WEBHOOK_RETRY_MAX_SECONDS", default=6 * 60 * 60.0)

# Intake: how long a parent's private link lives.
INTAKE_LINK_DAYS = env.int("INTAKE_LINK_DAYS", default=30)
