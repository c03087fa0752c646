"""A pytest plugin (``-p tests.embedded_services`` in pyproject.toml's addopts) that starts the
suite's embedded PostgreSQL (``var/pg-test``) and Redis before pytest-django reads the test
settings, unless TEST_DATABASE_URL or TEST_REDIS_URL name others.

It names them in those variables, so the settings find them and every process a test starts
(``tests.processes.run_django``, a launcher, a worker) inherits them. They stop when the last
process attached to them exits: this one, as a rule.
"""

import os

import pytest


@pytest.hookimpl(tryfirst=True)  # before pytest-django's, which loads the settings
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    if early_config.known_args_namespace.help or early_config.known_args_namespace.version:
        return
    # Importing neuralnotes loads its Celery app, which names the local settings unless some
    # are named: name the suite's first (pyproject.toml's, as pytest-django reads them; its --ds
    # option still wins).
    settings_module = early_config.getini("DJANGO_SETTINGS_MODULE")
    if settings_module:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    from neuralnotes import embedded

    var_dir = embedded.var_dir()
    try:
        if not os.environ.get("TEST_DATABASE_URL"):
            os.environ["TEST_DATABASE_URL"] = embedded.start_postgres(var_dir / "pg-test")
        if not os.environ.get("TEST_REDIS_URL"):
            os.environ["TEST_REDIS_URL"] = embedded.start_redis(var_dir / "redis-test", db=15)
    except embedded.EmbeddedServiceError as exc:
        raise pytest.UsageError(str(exc)) from exc
