"""Development and the one-command demo (``make run``): embedded services when none is named.

Importing these settings starts nothing: they name where the embedded services of ``VAR_DIR``
are, and the launcher or ``manage.py`` starts them (``neuralnotes.embedded``) and passes their
addresses on in DATABASE_URL and REDIS_URL."""

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
    DATABASES = {"default": database_from_url(embedded.postgres_address(VAR_DIR / "pg"))}

REDIS_URL = REDIS_URL or embedded.redis_address(VAR_DIR / "redis")
CELERY_BROKER_URL = BROKER_URL or REDIS_URL  # noqa: F405
CELERY_RESULT_BACKEND = REDIS_URL
CACHES["default"]["LOCATION"] = embedded.redis_py_url(REDIS_URL)  # noqa: F405
