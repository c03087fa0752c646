"""The test suite: its own embedded PostgreSQL (``var/pg-test``) and its own Redis database, so a
running ``make run`` and the tests never see each other's data or tasks.

Importing these settings starts nothing: the suite's plugin (``tests/embedded_services.py``)
starts the embedded services before Django reads them and names them in TEST_DATABASE_URL and
TEST_REDIS_URL, which every process the tests start inherits."""

from neuralnotes import embedded

from .base import *  # noqa: F403
from .base import (
    POSTGRES_SCHEMES,
    REDIS_SCHEMES,
    SECRET_KEY,
    VAR_DIR,
    database_from_url,
    development_secret_key,
)
from .environment import env_url

SECRET_KEY = SECRET_KEY or development_secret_key(VAR_DIR / "secret_key")

DATABASES = {
    "default": database_from_url(
        env_url("TEST_DATABASE_URL", schemes=POSTGRES_SCHEMES)
        or embedded.postgres_address(VAR_DIR / "pg-test"),
        variable="TEST_DATABASE_URL",
    )
}

# Close connections after each request and task: a worker thread in the test process must not
# hold the test database open when the suite drops it.
DATABASES["default"]["CONN_MAX_AGE"] = 0

REDIS_URL = env_url("TEST_REDIS_URL", schemes=REDIS_SCHEMES) or embedded.redis_address(
    VAR_DIR / "redis-test", db=15
)
CELERY_BROKER_URL = BROKER_URL or REDIS_URL  # noqa: F405
CELERY_RESULT_BACKEND = REDIS_URL

# Each test starts with no throttling history.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# A placed song reaches the map's file at once, not after the debounce of a large import.
MAP_FILE_DELAY_S = 0

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-media"
WHITENOISE_USE_FINDERS = True
