"""Settings of the bare view that bench/api.py compares the real endpoint with: the platform's
own settings without middleware, authentication, permissions or throttling.

    DJANGO_SETTINGS_MODULE=bench.bare_settings gunicorn neuralnotes.wsgi:application
"""

from neuralnotes.settings.local import *  # noqa: F403

MIDDLEWARE = []
ROOT_URLCONF = "bench.bare_urls"
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": [],
}
