import json

from tests.processes import run_django

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "neuralnotes.settings.production",
    "SECRET_KEY": "x7#k2-production-secret-key-that-is-long-and-random-enough-9f3a1",
    "ALLOWED_HOSTS": "music.example.org,www.music.example.org",
    "DATABASE_URL": "postgres://nn:pw@db.internal:5433/neuralnotes",
    "REDIS_URL": "redis://broker.internal:6380/2",
    "MEDIA_ROOT": "/srv/neuralnotes/media",
}

READ_SETTINGS = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "debug": settings.DEBUG, "secret": settings.SECRET_KEY, "hosts": settings.ALLOWED_HOSTS,
    "db": [db["HOST"], db["PORT"], db["NAME"], db["USER"]], "broker": settings.CELERY_BROKER_URL,
    "media": str(settings.MEDIA_ROOT),
}))
"""


def test_production_settings_come_from_the_environment():
    result = run_django(READ_SETTINGS, **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "debug": False,
        "secret": PRODUCTION_ENV["SECRET_KEY"],
        "hosts": ["music.example.org", "www.music.example.org"],
        "db": ["db.internal", 5433, "neuralnotes", "nn"],
        "broker": "redis://broker.internal:6380/2",
        "media": "/srv/neuralnotes/media",
    }


def test_debug_is_off_unless_asked():
    result = run_django("from django.conf import settings; print(settings.DEBUG)")
    assert result.stdout.strip().splitlines()[-1] == "False"
    result = run_django("from django.conf import settings; print(settings.DEBUG)", DJANGO_DEBUG="1")
    assert result.stdout.strip().splitlines()[-1] == "True"


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = run_django("", **env)
    assert result.returncode != 0
    assert "Set the environment variable SECRET_KEY for production." in result.stderr


def test_deploy_checks_pass_with_production_settings():
    code = (
        "from django.core.management import call_command\n"
        "call_command('check', deploy=True, fail_level='WARNING')\n"
    )
    result = run_django(code, **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
