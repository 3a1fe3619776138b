"""Grappe settings: one module, configured by the environment.

Environment variables (all optional in development):

- ``DEBUG`` (default false)
- ``SECRET_KEY`` (required when DEBUG is false)
- ``DATABASE_URL`` (default: SQLite file ``var/grappe.sqlite3`` in the checkout)
- ``ALLOWED_HOSTS`` (comma separated; default ``127.0.0.1,localhost`` )
- ``EMAIL_URL`` (default: console in DEBUG, SMTP on localhost otherwise)
- ``CACHE_URL`` (default: local memory; use ``rediscache://`` with several processes)
- ``GRAPPE_VAR_DIR`` (where SQLite, uploads and private files live; default ``var/``)
- ``GRAPPE_BASE_URL`` (absolute URL used in e-mails; default ``http://127.0.0.1:8000``)
- ``TASKS_BROKER`` (``orm`` by default, ``redis`` to use ``REDIS_URL``)
- ``MAP_TILE_URL`` (optional tile server for the member map; empty = no tiles)
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent
CHECKOUT_DIR = BASE_DIR.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
VAR_DIR = Path(env.str("GRAPPE_VAR_DIR", default=str(CHECKOUT_DIR / "var")))

_DEV_SECRET = "grappe-dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY doit être défini quand DEBUG est faux.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
BASE_URL = env.str("GRAPPE_BASE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "grappe.core",
    "grappe.territory",
    "grappe.members",
    "grappe.billing",
    "grappe.pooling",
    "grappe.calls",
    "grappe.insights",
    "grappe.api",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "django_htmx",
    "django_q",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "grappe.api.middleware.ApiJsonErrorsMiddleware",
    # Inside the JSON errors: a malformed body it trips on still answers JSON under /api/.
    "grappe.core.middleware.RejectNulMiddleware",
]

ROOT_URLCONF = "grappe.urls"
WSGI_APPLICATION = "grappe.wsgi.application"

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
                "django.template.context_processors.i18n",
                "grappe.core.context_processors.grappe",
            ],
        },
    }
]

# --- Database ----------------------------------------------------------------------------
_SQLITE_DEFAULT = f"sqlite:///{VAR_DIR / 'grappe.sqlite3'}"
DATABASES = {"default": env.db_url("DATABASE_URL", default=_SQLITE_DEFAULT)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A fresh checkout has no var/ yet: SQLite creates the file, not its folder.
    _sqlite_name = str(DATABASES["default"]["NAME"])
    if _sqlite_name and _sqlite_name != ":memory:" and not _sqlite_name.startswith("file:"):
        Path(_sqlite_name).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers proceed while one writer writes; IMMEDIATE transactions take
    # the write lock up front, so concurrent writers queue instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True  # the Django 6 default, already

# --- Cache (rate limits live here: use a shared cache with several processes) ------------
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://grappe")}

# --- Accounts ----------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "members:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SIGNUP_OPEN = False  # people join through invitations and admitted join requests
ACCOUNT_ADAPTER = "grappe.core.adapters.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "signup": "20/m/ip",
}
INVITATION_MAX_AGE_DAYS = env.int("INVITATION_MAX_AGE_DAYS", default=14)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Rate limits of public forms (count per window in seconds, per client IP) ------------
RATE_LIMITS = {
    "join-request": (env.int("RATE_LIMIT_JOIN", default=5), 3600),
    "contact": (10, 3600),
}

# --- Internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
import xstatic.pkg.leaflet as _leaflet  # noqa: E402
import xstatic.pkg.leaflet_markercluster as _markercluster  # noqa: E402

# Front-end libraries come from Python packages: nothing from a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/leaflet", _leaflet.BASE_DIR),
    ("vendor/leaflet-markercluster", _markercluster.BASE_DIR),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"  # public files only (logos)
PRIVATE_ROOT = VAR_DIR / "private"  # served only through permission-checked views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "grappe.core.files.PrivateStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "grappe.core.storage.StaticStorage"
        )
    },
}
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail ------------------------------------------------------------------------------
_EMAIL_DEFAULT = "consolemail://" if DEBUG else "smtp://localhost:25"
vars().update(env.email_url("EMAIL_URL", default=_EMAIL_DEFAULT))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Grappe <no-reply@grappe.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background jobs (django-q2: database broker by default, Redis when asked) ------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
Q_CLUSTER = {
    "name": "grappe",
    "workers": env.int("TASKS_WORKERS", default=2),
    "timeout": 1800,
    "retry": 2400,
    "max_attempts": 3,
    "ack_failures": True,
    "catch_up": False,
    "label": "Tâches",
    "sync": env.bool("TASKS_SYNC", default=False),
}
if env.str("TASKS_BROKER", default="orm") == "redis":
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- Map ---------------------------------------------------------------------------------
MAP_TILE_URL = env.str("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="")

# --- Billing -----------------------------------------------------------------------------
# The invoice page runs the month inline up to this many members, as a background job above.
BILLING_INLINE_MAX_MEMBERS = env.int("BILLING_INLINE_MAX_MEMBERS", default=1000)

# --- API ---------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 200

# --- Security ----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
