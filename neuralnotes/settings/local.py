"""Development and the one-command demo (``make run``): embedded services when none is named."""

from neuralnotes import embedded

from .base import *  # noqa: F403
from .base import (
    DATABASES,
    REDIS_URL,
    SECRET_KEY,
    VAR_DIR,
    database_from_url,
    development_secret_key,
)

SECRET_KEY = SECRET_KEY or development_secret_key(VAR_DIR / "secret_key")

if not DATABASES:
    DATABASES = {"default": database_from_url(embedded.postgres_url(VAR_DIR / "pg"))}

REDIS_URL = REDIS_URL or embedded.redis_url(VAR_DIR / "redis")
CELERY_BROKER_URL = BROKER_URL or REDIS_URL  # noqa: F405
CELERY_RESULT_BACKEND = REDIS_URL
CACHES["default"]["LOCATION"] = embedded.redis_py_url(REDIS_URL)  # noqa: F405
