"""Settings for Deflection Portal.

One module for every environment: whatever differs between a laptop and production comes
from environment variables (listed, with safe development values, in `.env.example`).
With `DJANGO_DEBUG` off, the values production cannot do without must be set, and every
security setting is on.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


# --- Reading the environment -------------------------------------------------------------

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off), not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_required(name: str, why: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. {why} Set it in the environment (see .env.example), "
            "or set DJANGO_DEBUG=true for local development."
        )
    return value


# --- Core --------------------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", False)

if DEBUG:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "django-insecure-local-development-only"
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
else:
    SECRET_KEY = env_required(
        "DJANGO_SECRET_KEY", "With debug off the portal needs a long, random secret key."
    )
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        env_required(
            "DJANGO_ALLOWED_HOSTS",
            "With debug off the portal needs the host names it serves (comma-separated).",
        )

CSRF_TRUSTED_ORIGINS = env_list(
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    [f"https://{host}" for host in ALLOWED_HOSTS if host and not host.startswith(".")]
    if not DEBUG
    else [],
)

INSTALLED_APPS = [
    # Before the admin, so that its admin classes and translation registrations load first.
    "modeltranslation",
    "deflection_portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_totp",
    "deflection_portal",
    "library",
    "echo",
    "directory",
    "links",
    "staff",
]

MIDDLEWARE = [
    "deflection_portal.client_address.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "deflection_portal.middleware.SecurityHeadersMiddleware",
    # Inside the header middlewares: static files carry the pages' security headers.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "deflection_portal.middleware.MalformedRequestMiddleware",
    "deflection_portal.page_cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language comes from the URL alone (/es/…); unprefixed pages are English.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After authentication (only staff may send large bodies to the admin), and before any
    # process_view (the CSRF check) reads a body.
    "deflection_portal.middleware.RequestSizeLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "deflection_portal.middleware.StaffSessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "deflection_portal.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "deflection_portal.urls"
WSGI_APPLICATION = "deflection_portal.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "deflection_portal.context_processors.program",
                "deflection_portal.context_processors.languages",
            ],
        },
    },
]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"


# --- Database ----------------------------------------------------------------------------
# SQLite by default (zero setup). IMMEDIATE transactions make SQLite take its write lock when
# a transaction starts, which serialises writers: a count-then-write inside atomic() holds,
# where the default DEFERRED mode fails with "database is locked" under concurrency.
# A postgres:// URL switches to PostgreSQL, with health checks so that persistent
# connections survive a database restart.

DEFAULT_SQLITE_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip() or DEFAULT_SQLITE_URL

try:
    _database = dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
except ValueError as exc:
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database URL Django understands: {exc}"
    ) from None

if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["CONN_MAX_AGE"] = 0
    _database["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        # Seconds a writer waits for SQLite's lock before a friendly "busy, try again".
        "timeout": 5,
        # WAL lets readers work while a writer holds the lock.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not shared-cache memory, so that tests with threads see real SQLite locking;
    # one per test process, so that concurrent runs never share it.
    _database["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")}
elif _database["ENGINE"] == "django.db.backends.postgresql":
    # The same backend, with client-side deadlines (deflection_portal/postgresql/base.py):
    # a database that hangs, rather than stops, answers the branded 503 within seconds.
    _database["ENGINE"] = "deflection_portal.postgresql"
    _database.setdefault("OPTIONS", {})
    _options = _database["OPTIONS"]
    # libpq's own limit on connecting (2 s is its minimum).
    _options.setdefault("connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 2))
    # A dead peer or a cut network is noticed by the kernel: keepalives on an idle connection,
    # tcp_user_timeout (milliseconds) on data sent and never acknowledged.
    _options.setdefault("keepalives", 1)
    _options.setdefault("keepalives_idle", 10)
    _options.setdefault("keepalives_interval", 3)
    _options.setdefault("keepalives_count", 3)
    _options.setdefault("tcp_user_timeout", 5000)
    _statement_seconds = env_int("DATABASE_STATEMENT_TIMEOUT", 15)
    if _statement_seconds > 0:
        # The server cancels a query that runs longer (0: no limit, e.g. for migrations).
        _options.setdefault("options", f"-c statement_timeout={_statement_seconds * 1000}")

# Client-side deadlines (PostgreSQL): a persistent connection's health check, and every query
# (DATABASE_STATEMENT_TIMEOUT plus a second). 0 turns a deadline off.
DATABASE_STATEMENT_TIMEOUT = env_int("DATABASE_STATEMENT_TIMEOUT", 15)
DATABASE_HEALTH_CHECK_TIMEOUT = env_int("DATABASE_HEALTH_CHECK_TIMEOUT", 1)

DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# --- Authentication ----------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "admin:login"
# Where a login goes when its `next` is missing or points off-site: the admin's home.
LOGIN_REDIRECT_URL = "admin:index"

# Staff logins: django-axes locks a username from one address after 5 failures for 30
# minutes; the admin also asks for a one-time password (django-otp: an authenticator app or
# a backup code). Staff sessions end after 30 idle minutes or 12 hours.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes_locked.html"
AXES_CLIENT_IP_CALLABLE = "deflection_portal.client_address.client_address"
OTP_TOTP_ISSUER = "Deflection Portal"
PORTAL_STAFF_IDLE_SECONDS = env_int("PORTAL_STAFF_IDLE_MINUTES", 30) * 60
PORTAL_STAFF_SESSION_MAX_SECONDS = env_int("PORTAL_STAFF_SESSION_HOURS", 12) * 3600
SESSION_COOKIE_AGE = PORTAL_STAFF_SESSION_MAX_SECONDS


# --- Internationalisation and time ------------------------------------------------------

# English is the default and has no prefix; Spanish pages live under /es/. The admin and the
# staff pages are outside the language prefixes and stay English (a staff tool).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Los_Angeles"
USE_I18N = True
USE_TZ = True

# Staff-written content (titles, summaries, questions, pages) in both languages: each
# translation.py adds `<field>_en` and `<field>_es` columns. English is the default and the
# fallback, so a text nobody has translated yet shows in English (marked lang="en" by the
# `translated` filter, deflection_portal/templatetags/portal_i18n.py).
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# A row built from code with a plain `title=` (the shell, the demo loader, a command run
# while Spanish is active) always gets its English column filled.
MODELTRANSLATION_AUTO_POPULATE = "default"
MIGRATION_MODULES = {"flatpages": "deflection_portal.flatpages_migrations"}


# --- Static files and uploads -----------------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT") or BASE_DIR / "media")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names, gzip/brotli copies and far-future cache headers, served by WhiteNoise.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# Request bodies: the largest upload staff may make, and a sane cap for everything else.
# RequestSizeLimitMiddleware answers 413 from the Content-Length header, before reading a byte.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
LIBRARY_UPLOAD_MAX_BYTES = env_int("LIBRARY_UPLOAD_MAX_BYTES", 25 * 1024 * 1024)
PORTAL_MAX_PUBLIC_BODY_BYTES = env_int("PORTAL_MAX_PUBLIC_BODY_BYTES", 1024 * 1024)
PORTAL_MAX_ADMIN_BODY_BYTES = LIBRARY_UPLOAD_MAX_BYTES + 1024 * 1024


# --- Email -------------------------------------------------------------------------------
# Console by default; SMTP when EMAIL_HOST is set. EMAIL_TIMEOUT keeps a hung mail server
# from holding a worker forever (Django's default is no timeout at all).

EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "").strip() or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or "Deflection Portal <noreply@localhost>"
SERVER_EMAIL = os.environ.get("SERVER_EMAIL") or DEFAULT_FROM_EMAIL

# Where "new request" notices go when a series names no staff addresses of its own.
PORTAL_STAFF_EMAILS = env_list("PORTAL_STAFF_EMAILS")

# Emails are stored first and delivered by the mail worker (`manage.py run_mail_worker`), with
# retries. For local development they can also go out right after the change commits.
PORTAL_EMAIL_IMMEDIATE = env_bool("PORTAL_EMAIL_IMMEDIATE", DEBUG)
PORTAL_EMAIL_MAX_ATTEMPTS = env_int("PORTAL_EMAIL_MAX_ATTEMPTS", 12)

# Links in emails are absolute: the address the public reaches the portal at.
PORTAL_BASE_URL = (
    os.environ.get("PORTAL_BASE_URL", "").strip().rstrip("/") or "http://127.0.0.1:8000"
)


# --- Security ----------------------------------------------------------------------------
# Everything switches on with debug off; `manage.py check --deploy --fail-level WARNING`
# passes with the production variables of .env.example.

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# WhiteNoise would send "Access-Control-Allow-Origin: *" on static files: nothing needs it.
WHITENOISE_ALLOW_ALL_ORIGINS = False
# Flash messages: a cookie named like the session's (deflection_portal/message_storage.py).
MESSAGE_STORAGE = "deflection_portal.message_storage.PortalMessageStorage"
MESSAGE_COOKIE_NAME = "messages"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "deflection_portal.views.csrf_failure"

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are only accepted over HTTPS, for the exact host, on path /.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    MESSAGE_COOKIE_NAME = "__Host-messages"

if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    # Only behind a proxy that sets this header itself and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


# Content Security Policy (django-csp): scripts only from our origin or with the request's
# nonce, never inline; nothing may frame the portal; forms post only to it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


# --- Cache and abuse limits -----------------------------------------------------------------
# The database cache by default, so that every gunicorn worker and every web replica shares
# one cache (rate limits count across all of them). REDIS_URL switches to Redis.

REDIS_URL = os.environ.get("REDIS_URL", "").strip()
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "portal_cache"},
    # Rendered public pages, per process, keyed by the shared content version: a hit costs
    # one shared-cache read (the version), and a content change still reaches every process.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "portal-pages",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}

# A decision or submission waits at most this long for the series' lock, then says "busy".
PORTAL_LOCK_TIMEOUT_SECONDS = env_int("PORTAL_LOCK_TIMEOUT_SECONDS", 3)

# Public pages are kept in the cache for anonymous visitors (0 turns it off); any content
# change makes them stale at once. Reverse proxies may keep them PORTAL_PUBLIC_MAX_AGE s.
PORTAL_PAGE_CACHE_SECONDS = env_int("PORTAL_PAGE_CACHE_SECONDS", 600)
PORTAL_PUBLIC_MAX_AGE = env_int("PORTAL_PUBLIC_MAX_AGE", 60)
# How long a process trusts its copy of the shared content version before reading it again:
# other processes serve an edited page's old copy at most this long (0: read it every time).
PORTAL_PAGE_CACHE_VERSION_SECONDS = env_int("PORTAL_PAGE_CACHE_VERSION_SECONDS", 1)

# Registration form: accepted submissions per client IP, and the bot traps.
PORTAL_REQUESTS_PER_10_MINUTES = env_int("PORTAL_REQUESTS_PER_10_MINUTES", 5)
PORTAL_REQUESTS_PER_DAY = env_int("PORTAL_REQUESTS_PER_DAY", 20)
PORTAL_FORM_MIN_FILL_SECONDS = env_int("PORTAL_FORM_MIN_FILL_SECONDS", 3)
# The form's signed start time stores one request, within this many minutes of showing it.
PORTAL_FORM_MAX_AGE_SECONDS = env_int("PORTAL_FORM_MAX_AGE_MINUTES", 120) * 60
# The client address (deflection_portal/client_address.py): X-Forwarded-For is read only on
# connections from these proxies (addresses or networks), and only as many entries from the
# right as there are proxies that append to it. 0 proxies: the connecting address alone.
PORTAL_TRUSTED_PROXY_COUNT = env_int("PORTAL_TRUSTED_PROXY_COUNT", 0)
PORTAL_TRUSTED_PROXIES = env_list("PORTAL_TRUSTED_PROXIES")
if PORTAL_TRUSTED_PROXY_COUNT > 0 and not PORTAL_TRUSTED_PROXIES:
    raise ImproperlyConfigured(
        "PORTAL_TRUSTED_PROXY_COUNT is set but PORTAL_TRUSTED_PROXIES is empty: list the "
        "addresses of the reverse proxies (e.g. 127.0.0.1), or anyone could choose their "
        "address with X-Forwarded-For."
    )
for _proxy in PORTAL_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"PORTAL_TRUSTED_PROXIES: {_proxy!r} is not an address or network."
        ) from None


# The benchmark's floor endpoint (bench/): off unless asked for.
PORTAL_BENCH_FLOOR = env_bool("PORTAL_BENCH_FLOOR", False)


# --- Logging -----------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # %(client)s: the client address of the request being handled (client_address.py).
    "filters": {"client": {"()": "deflection_portal.client_address.ClientAddressLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(client)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["client"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL") or "INFO"},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}
