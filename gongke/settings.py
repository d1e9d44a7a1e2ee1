"""Gongke settings: every value comes from the environment (see .env.example).

SQLite is the embedded default; DATABASE_URL switches to PostgreSQL. Environments differ
only by variables, never by files.
"""

import os
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
ROOT_DIR = BASE_DIR.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(env(name, str(default)))


DATA_DIR = Path(env("GONGKE_DATA_DIR", str(ROOT_DIR / "data")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
# The published development default; `gongke check --deploy` refuses it (gongke/ops/checks.py).
DEFAULT_SECRET_KEY = "django-insecure-gongke-development-key-change-me-in-production-0123456789"
SECRET_KEY = env("SECRET_KEY") or DEFAULT_SECRET_KEY
# A separate key for matching ID numbers, so rotating SECRET_KEY does not orphan them.
ID_HASH_KEY = env("ID_HASH_KEY") or SECRET_KEY
ALLOWED_HOSTS = [
    h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
]
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "auditlog",
    "axes",
    "huey.contrib.djhuey",
    "ninja",
    "gongke.registry",
    "gongke.accounts",
    "gongke.census",
    "gongke.donations",
    "gongke.community",
    "gongke.supplies",
    "gongke.resumption",
    "gongke.volunteers",
    "gongke.notices",
    "gongke.assistance",
    "gongke.briefings",
    "gongke.opendata",
    "gongke.ops",
    "gongke.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gongke.accounts.middleware.SessionTimeoutMiddleware",
    "gongke.accounts.middleware.NoStoreMiddleware",
    "gongke.accounts.middleware.UserLanguageMiddleware",
    "gongke.api.middleware.ApiErrorsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gongke.urls"
WSGI_APPLICATION = "gongke.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongke.accounts.context.gongke",
            ],
            # query_with, may, phone, id_number, script: used on nearly every page.
            "builtins": ["gongke.accounts.templatetags.gongke"],
        },
    }
]

# --- Databases -----------------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / env("SQLITE_NAME", "gongke.sqlite3")
DATABASE_URL = env("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        # psycopg prepares a statement bound on the server once it has run this often: only the
        # passage insert is (community/services/statements.py); Django's own queries are bound on
        # the client and never prepared. Behind pgbouncer, use session pooling or
        # max_prepared_statements.
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 100
else:
    DATABASES = {
        "default": {
            "ENGINE": "gongke.db.sqlite3",
            "NAME": str(SQLITE_PATH),
            # Each worker thread keeps its connection (opening one runs the PRAGMAs below).
            "CONN_MAX_AGE": 60,
            "OPTIONS": {
                # Writers queue instead of failing with "database is locked": IMMEDIATE takes
                # the write lock at BEGIN, the busy timeout waits for it, WAL lets readers go on.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=FULL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                    # Pages read through a memory map: when another connection has written,
                    # a connection's own page cache is thrown away and read again, which a map
                    # makes cheap (the OS keeps the pages). 1 GiB of address space, not memory.
                    "PRAGMA mmap_size=1073741824;"
                ),
            },
            "TEST": {"NAME": env("SQLITE_TEST_NAME", "") or None},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and security -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if env_bool("GONGKE_FAST_HASHER", "pytest" in sys.modules)
    else [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ]
)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout: 5 failures for one username from one address lock it for 15 minutes, then it
# cools off by itself. Locking by username+address means nobody can lock out a colleague
# from elsewhere; tries during the lock do not extend it, so a neighbour behind the same
# address cannot keep someone locked out for good.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = AXES_COOLOFF_MINUTES / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Password spraying (one address, many usernames): after this many failed sign-ins from one
# address within the cool-off window, that address waits for the window's end whatever the
# username. High enough for an office behind one address. 0: no limit.
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 30)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Client addresses (lockout, rate limits): REMOTE_ADDR, or behind PROXY_COUNT reverse proxies
# the address the outermost one saw (gongke.lib.ratelimit.client_ip).
PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "gongke.lib.ratelimit.client_ip"
AXES_VERBOSE = False

# A device token's checked grant (user, memberships, posts) is reused for this many seconds;
# access changes made through the app take effect at once, bulk changes within the TTL.
TOKEN_GRANT_TTL = env_int("TOKEN_GRANT_TTL", 5)

SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_MAX_SECONDS = env_int("SESSION_MAX_SECONDS", 12 * 3600)
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

SECURE = env_bool("SECURE", False)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# --- Audit ---------------------------------------------------------------------------------
AUDITLOG_MASK_CALLABLE = "gongke.lib.masking.mask_value"
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

# --- Languages -----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
    ("en", "English"),
]
# Extraction runs per app (scripts/i18n.py); LOCALE_PATHS would pull every string into the core catalog.
LOCALE_PATHS = [] if env_bool("GONGKE_I18N_EXTRACT") else [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True
LANGUAGE_COOKIE_NAME = "gongke_language"

# --- Static files --------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
NODE_MODULES = ROOT_DIR / "node_modules"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG and bool(env("STATIC_ROOT", "")))
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
# Only the hashed copies are compressed and kept: half the work for collectstatic.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Spreadsheet imports (gongke/lib/excel.py), all checked before a file is parsed. A zip (xlsx)
# may unpack to at most UPLOAD_MAX_UNCOMPRESSED_BYTES and UPLOAD_MAX_RATIO times its size.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20_000_000)
UPLOAD_MAX_UNCOMPRESSED_BYTES = env_int("UPLOAD_MAX_UNCOMPRESSED_BYTES", 200_000_000)
UPLOAD_MAX_RATIO = env_int("UPLOAD_MAX_RATIO", 100)
UPLOAD_MAX_ROWS = env_int("UPLOAD_MAX_ROWS", 200_000)
UPLOAD_MAX_CELL_CHARS = env_int("UPLOAD_MAX_CELL_CHARS", 2000)

# --- Background jobs (Huey) ----------------------------------------------------------------
# sqlite: a file next to the database, no server needed. redis: REDIS_URL, for scale.
JOBS_BACKEND = env("JOBS_BACKEND", "redis" if env("REDIS_URL") else "sqlite")
JOBS_IMMEDIATE = env_bool("JOBS_IMMEDIATE", False)
REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
if JOBS_BACKEND == "redis":
    HUEY = {
        "name": "gongke",
        "huey_class": "huey.PriorityRedisHuey",
        "url": REDIS_URL,
        "immediate": JOBS_IMMEDIATE,
        "utc": True,
        "consumer": {"workers": env_int("JOBS_WORKERS", 2), "worker_type": "thread"},
    }
else:
    HUEY = {
        "name": "gongke",
        "huey_class": "huey.SqliteHuey",
        "filename": str(DATA_DIR / env("JOBS_SQLITE_NAME", "jobs.sqlite3")),
        "immediate": JOBS_IMMEDIATE,
        "utc": True,
        "consumer": {"workers": env_int("JOBS_WORKERS", 2), "worker_type": "thread"},
    }

if env("REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # Shared by every worker (cached sums, device-token grants, rate limits): a SQLite file
    # beside the data; tests run one file per process so parallel runs do not meet.
    CACHE_PATH = DATA_DIR / env(
        "CACHE_SQLITE_NAME",
        f"cache.test-{os.getpid()}.sqlite3" if "pytest" in sys.modules else "cache.sqlite3",
    )
    CACHES = {
        "default": {"BACKEND": "gongke.db.sqlitecache.SQLiteCache", "LOCATION": str(CACHE_PATH)}
    }

# /healthz fails when the data directory's disk has less free space than this.
HEALTH_MIN_FREE_MB = env_int("HEALTH_MIN_FREE_MB", 500)

# --- Mail and notifications ----------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "gongke@localhost")

# --- Domain settings -----------------------------------------------------------------------
# Hosts a WeCom/DingTalk group robot address may name (gongke.lib.robots): a bare host is https
# on 443; an operator may add e.g. http://10.0.0.5:8080 for an intranet relay.
ROBOT_ALLOWED_HOSTS = [
    h.strip()
    for h in env("ROBOT_ALLOWED_HOSTS", "qyapi.weixin.qq.com,oapi.dingtalk.com").split(",")
    if h.strip()
]
# Notices by SMS or DingTalk work notice (gongke/notices/channels.py): the backend class, and
# for HttpBackend the operator's gateway that takes the batch as JSON.
NOTICES_SMS_BACKEND = env("NOTICES_SMS_BACKEND", "gongke.notices.channels.NullBackend")
NOTICES_SMS_URL = env("NOTICES_SMS_URL", "")
PASSAGE_RETENTION_DAYS = env_int("PASSAGE_RETENTION_DAYS", 28)
# Self-registration from a post's QR code (no account): passages one client address may submit
# per minute at one post; over it the phone keeps them and sends again later. 0: no limit.
SELF_SYNC_PER_MINUTE = env_int("SELF_SYNC_PER_MINUTE", 120)
# Orders one address may place a minute on a compound's public ordering page (0: no limit).
ORDERS_PER_MINUTE = env_int("ORDERS_PER_MINUTE", 10)
# Open data (/open/): requests one client address may make a minute (0: no limit), and how long
# browsers and proxies may keep an answer.
OPENDATA_PER_MINUTE = env_int("OPENDATA_PER_MINUTE", 60)
OPENDATA_MAX_AGE = env_int("OPENDATA_MAX_AGE", 300)
# Package and delivery photos, checked before they are stored.
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 5_000_000)
# A post's phone stays able to send passages this long after its guard signed in (a shift and
# some), whatever the session's idle timeout; revocable on the post's devices page.
CONSOLE_KEY_HOURS = env_int("CONSOLE_KEY_HOURS", 14)
# Signing in to a shift is refused earlier than this before it starts.
SHIFT_SIGN_IN_EARLY_MINUTES = env_int("SHIFT_SIGN_IN_EARLY_MINUTES", 60)
FEVER_THRESHOLD = "37.3"
# Looks behind masked ID numbers (reveal requests, candidate matches) one user may make an hour;
# the first one over it is refused and the organization's admins are alerted. 0: no limit.
ID_REVEALS_PER_HOUR = env_int("ID_REVEALS_PER_HOUR", 10)

# --- Logging (numbers are masked in every record) -------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask": {"()": "gongke.lib.masking.MaskingFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask"], "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50
