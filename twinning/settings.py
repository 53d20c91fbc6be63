"""Settings for the registry, driven by environment variables.

One module for every environment: safe local defaults, production values from the
environment (DATABASE_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from twinning import localdb

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# PRODUCTION=1 turns on everything a public deployment needs: a required SECRET_KEY,
# HTTPS only (redirect, HSTS, secure __Host- cookies). Off for local use and tests.
PRODUCTION = env_bool("PRODUCTION", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when PRODUCTION is on.")
if PRODUCTION and len(os.environ.get("SECRET_KEY", "")) < 50:
    raise ImproperlyConfigured("PRODUCTION needs a SECRET_KEY of at least 50 characters.")
# The fallback key only serves local development and tests.
SECRET_KEY = os.environ.get("SECRET_KEY", "local-development-only-not-secret")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "partnerships",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # CORS headers for the open-data API (before anything that may answer on its own).
    "corsheaders.middleware.CorsMiddleware",
    "csp.middleware.CSPMiddleware",
    "twinning.csp.AdminInlineStylesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records the editor behind every change in the history.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Locks out repeated failed logins; must come last.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five failed logins for one username from one address lock both out for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

ROOT_URLCONF = "twinning.urls"

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
                "partnerships.caching.fragment_seconds",
            ],
        },
    },
]

WSGI_APPLICATION = "twinning.wsgi.application"

# PostgreSQL only. Without DATABASE_URL the project's own cluster (twinning.localdb) is used.
DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL") or localdb.url()),
}
# Django's connection pool (psycopg_pool); persistent connections must stay off with it.
if env_bool("DB_POOL", True):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": int(os.environ.get("DB_POOL_MAX", "8")),
        "timeout": 10,
    }

# Typos still find a town: "Wolgagrad" is 0.54 word-similar to "Wolgograd" (default 0.6).
# No JIT compilation: the registry's queries are short, and compiling the export's query
# cost 0.1-2.9 s of each run (docs/PERFORMANCE.md). No parallel workers for a web request:
# starting one cost a list page 30-40 ms before its first row, and under load the workers
# only compete with the other requests for the same CPUs (docs/PERFORMANCE.md, issue 14).
# A read by index costs about what a read in order costs (random_page_cost 1.1, not 4): the
# registry's tables fit in memory. With 4, a list of ~900 rows joined its partners by
# reading all 100,000 municipalities (up to 111 ms) instead of 900 look-ups.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
    "-c pg_trgm.word_similarity_threshold=0.5 -c pg_trgm.similarity_threshold=0.3 -c jit=off"
    " -c max_parallel_workers_per_gather=0 -c random_page_cost=1.1"
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The editors' address for corrections, shown on the "about the data" page when set.
CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "")

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Date formats of our own where Django's do not suit the registry (twinning/formats/).
FORMAT_MODULE_PATH = ["twinning.formats"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env_bool("MANIFEST_STATIC", True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Structured logs: one JSON object per line on stderr (LOG_FORMAT=text for humans).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": os.environ.get("LOG_FORMAT", "json" if PRODUCTION else "text"),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": os.environ.get("AXES_LOG_LEVEL", "WARNING")}},
}

# Security headers on every response.
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content Security Policy (django-csp): everything from this site only, no plugins, no
# <base> tricks, no framing, no inline script or style. The admin's own inline styles are
# allowed on the admin's pages only (twinning/csp.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# HTTPS behind a proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers probe /healthz over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    # __Host- cookies are only accepted over HTTPS, for this host, path /.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Cache: shared Redis when REDIS_URL is set (several web instances), else per process.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    # Each worker's own memory: up to 1,000 entries (list pages of 5-40 kB, counts of < 1 kB).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 1000},
        }
    }

# Rate limits (django-ratelimit, e.g. the public correction form) count per client address.
# Behind a proxy, name the header it overwrites with the client's address (HTTP_X_REAL_IP).
if os.environ.get("RATELIMIT_IP_META_KEY"):
    RATELIMIT_IP_META_KEY = os.environ["RATELIMIT_IP_META_KEY"]

# Public list pages are cached until the registry's data changes (partnerships/caching.py),
# at most this long; 0 turns the page cache off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300"))

# The detail pages' fixed queries are prepared once per pooled connection (PREPARE /
# EXECUTE, partnerships/selectors.py): planned once, not on every request (2-6 ms of a
# page, docs/PERFORMANCE.md). On by default with the pool; off without it (a connection per
# request) or behind a pooler that cannot keep prepared statements (PgBouncer in
# transaction mode): DB_PREPARED_STATEMENTS=0.
PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", env_bool("DB_POOL", True))

# A read replica: public reads go there when DATABASE_REPLICA_URL is set.
USE_REPLICA = bool(os.environ.get("DATABASE_REPLICA_URL"))
if USE_REPLICA:
    DATABASES["replica"] = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"])
    DATABASES["replica"]["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {})}
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["twinning.routers.ReplicaRouter"]

# The open-data API under /api/v1/ (partnerships/api/): anonymous and read-only, JSON only
# (the browsable API would need inline scripts), no sessions (so no CSRF), an OpenAPI 3
# schema by drf-spectacular. Its rate limit per client counts with django-ratelimit in the
# shared cache, like the correction form's.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": ["partnerships.api.throttling.ClientRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# GET requests allowed per client address and period (django-ratelimit's syntax).
API_RATE = os.environ.get("API_RATE", "120/m")
SPECTACULAR_SETTINGS = {
    # The schema reads region choices from the database; `check --deploy` runs before
    # migrations on a new server. tests/test_api_schema.py validates the schema instead.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
    "TITLE": "German–Russian Partnership Registry API",
    "DESCRIPTION": (
        "Read-only open data: partnerships, municipalities, initiatives, signatories and "
        "appeals. Lists take the filters of the registry's HTML lists, page with a cursor "
        "and follow changes with modified_since."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI from the sidecar package, served by this site: no CDN, and its start
    # script as a file of its own (SpectacularSwaggerSplitView), so the CSP stays strict.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}
# Any site may read the API from a browser (GET only); nothing else is shared.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = [*default_headers, "if-none-match"]
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After"]
