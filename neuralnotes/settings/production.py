"""Production: every address and secret must come from the environment; nothing is embedded."""

from django.core.exceptions import ImproperlyConfigured

from neuralnotes import embedded

from .base import *  # noqa: F403
from .base import DATABASE_URL, REDIS_URL, database_from_url, signup_mode_from_env
from .environment import env_bool, env_int, env_list, env_str


def required(name: str) -> str:
    value = env_str(name)
    if not value:
        raise ImproperlyConfigured(f"Set the environment variable {name} for production.")
    return value


SECRET_KEY = required("SECRET_KEY")
# A server on the internet makes no accounts for strangers unless told to (SIGNUP=open|invite).
SIGNUP = signup_mode_from_env("closed")
# The base settings have read and checked these (a list, two URLs); production insists on them.
for _name in ("ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"):
    required(_name)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
DATABASES = {"default": database_from_url(DATABASE_URL)}
CELERY_BROKER_URL = BROKER_URL or REDIS_URL  # noqa: F405
CELERY_RESULT_BACKEND = REDIS_URL
CACHES["default"]["LOCATION"] = embedded.redis_py_url(REDIS_URL)  # noqa: F405

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
if env_bool("BEHIND_TLS_PROXY", True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
