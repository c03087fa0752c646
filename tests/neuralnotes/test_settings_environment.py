"""Settings parse loudly: a malformed variable stops the process naming the variable and its
value; importing settings starts no service, the processes that own an install do."""

import json
import os
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from django.core.exceptions import ImproperlyConfigured

from neuralnotes import embedded
from neuralnotes.settings.environment import (
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
from tests.processes import BASE_DIR, run_django

NAME = "NEURALNOTES_TEST_SETTING"


@pytest.fixture
def setenv(monkeypatch):
    def set_to(value: str) -> None:
        monkeypatch.setenv(NAME, value)

    monkeypatch.delenv(NAME, raising=False)
    return set_to


def refused(function, *args, **kwargs) -> str:
    with pytest.raises(ImproperlyConfigured) as caught:
        function(NAME, *args, **kwargs)
    return str(caught.value)


# -- each helper --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["1o", "ten", "1.5", "1e3", "0x10", "--1", "10 s"])
def test_env_int_refuses_what_is_not_a_whole_number(setenv, text):
    setenv(text)
    message = refused(env_int, 10)
    assert NAME in message and repr(text.strip()) in message


@pytest.mark.parametrize("text", ["0", "-3", "1001"])
def test_env_int_refuses_a_number_out_of_its_range(setenv, text):
    setenv(text)
    assert "from 1 to 1000" in refused(env_int, 10, minimum=1, maximum=1000)


def test_env_int_reads_a_number_and_defaults_when_unset_or_empty(setenv):
    assert env_int(NAME, 7) == 7
    setenv("")
    assert env_int(NAME, 7) == 7
    setenv(" 12 ")
    assert env_int(NAME, 7, minimum=1) == 12
    setenv("10_000")
    assert env_int(NAME, 7) == 10_000


@pytest.mark.parametrize("text", ["fast", "nan", "inf", "-inf", "1,5", "0.5s"])
def test_env_float_refuses_what_is_not_a_finite_number(setenv, text):
    setenv(text)
    assert f"{NAME} must be a number" in refused(env_float, 1.0)


@pytest.mark.parametrize("text", ["-0.1", "2.5"])
def test_env_float_refuses_a_number_out_of_its_range(setenv, text):
    setenv(text)
    assert repr(text) in refused(env_float, 1.0, minimum=0, maximum=2)


def test_env_float_reads_a_number(setenv):
    assert env_float(NAME, 0.25) == 0.25
    setenv("0.008")
    assert env_float(NAME, 0.25, minimum=0) == 0.008


@pytest.mark.parametrize("text", ["ture", "flase", "2", "enabled", "y", "n", "t", "none"])
def test_env_bool_refuses_a_typo_instead_of_reading_false(setenv, text):
    setenv(text)
    message = refused(env_bool, False)
    assert NAME in message and repr(text) in message and "1/true/yes/on/0/false/no/off" in message


@pytest.mark.parametrize(
    "text, value",
    [("1", True), ("true", True), ("YES", True), ("On", True)]
    + [("0", False), ("false", False), ("No", False), ("OFF", False)],
)
def test_env_bool_reads_its_eight_words(setenv, text, value):
    setenv(text)
    assert env_bool(NAME, not value) is value


def test_env_bool_defaults_when_unset_or_empty(setenv):
    assert env_bool(NAME, True) is True
    setenv("  ")
    assert env_bool(NAME, False) is False


@pytest.mark.parametrize("text", ["opne", "all", "open closed"])
def test_env_choice_refuses_what_is_not_a_choice(setenv, text):
    setenv(text)
    message = refused(env_choice, "open", ("open", "invite", "closed"))
    assert message == f"{NAME} must be open, invite or closed, not {text!r}."


def test_env_choice_returns_the_choice_as_spelled(setenv):
    setenv("warning")
    assert env_choice(NAME, "INFO", ("DEBUG", "INFO", "WARNING")) == "WARNING"


@pytest.mark.parametrize("text", ["60 per minute", "60", "/minute", "60/fortnight", "x/hour"])
def test_env_rate_refuses_what_is_not_a_rate(setenv, text):
    setenv(text)
    assert "must be a rate such as 10/minute" in refused(env_rate, "10/hour")


@pytest.mark.parametrize("text", ["10/hour", "60/m", "100000000/minute", "5/Second", "1/ day"])
def test_env_rate_reads_the_rates_the_throttles_read(setenv, text):
    setenv(text)
    count, period = env_rate(NAME, "10/hour").split("/")
    assert int(count) > 0 and period[0] in "smhd"


@pytest.mark.parametrize(
    "text", ["mysql://user:hunter2@db/neuralnotes", "db.internal:5432", "http://u:hunter2@x/"]
)
def test_env_url_refuses_another_scheme_without_echoing_a_password(setenv, text):
    setenv(text)
    message = refused(env_url, schemes=("postgres", "postgresql"))
    assert NAME in message and "postgres://" in message
    assert "hunter2" not in message


def test_env_url_str_list_and_path_read_what_is_set(setenv, tmp_path):
    assert env_url(NAME, schemes=("redis",)) == ""
    setenv("redis://127.0.0.1:6379/3")
    assert env_url(NAME, schemes=("redis",)) == "redis://127.0.0.1:6379/3"
    setenv(" a b ")
    assert env_str(NAME) == " a b "  # secrets keep their spaces
    setenv("a.example, ,b.example")
    assert env_list(NAME, ["x"]) == ["a.example", "b.example"]
    setenv("")
    assert env_list(NAME, ["x"]) == []  # set but empty: none
    assert env_str(NAME, "fallback") == "fallback"
    assert env_path(NAME, tmp_path) == tmp_path
    setenv(str(tmp_path / "media"))
    assert env_path(NAME, Path("/nowhere")) == tmp_path / "media"


# -- the settings themselves, in a process of their own -------------------------------------------


@pytest.mark.parametrize(
    "variable, text",
    [
        ("SIGN_IN_FAILURE_LIMIT", "1o"),
        ("SIGN_IN_FAILURE_LIMIT", "0"),
        ("DJANGO_DEBUG", "ture"),
        ("API_DOCS_PUBLIC", "maybe"),
        ("UPLOAD_MAX_BYTES", "1GB"),
        ("EMBEDDING_REFIT_SHARE", "a quarter"),
        ("ANALYSIS_PATCH_BUDGET", "ful"),
        ("THROTTLE_ANON", "60 a minute"),
        ("LOG_LEVEL", "LOUD"),
        ("HNSW_EF_SEARCH", "5000"),
    ],
)
def test_a_malformed_setting_stops_the_process_naming_it(variable, text):
    result = run_django("", **{variable: text})
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert variable in last and repr(text) in last


def test_production_refuses_a_typo_in_its_tls_switches():
    from tests.neuralnotes.test_settings import PRODUCTION_ENV

    result = run_django("", **PRODUCTION_ENV, SECURE_SSL_REDIRECT="flase")
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT must be one of" in result.stderr and "'flase'" in result.stderr


def test_a_redis_url_of_another_scheme_is_refused_without_its_password():
    result = run_django("", TEST_REDIS_URL="http://user:hunter2@broker:6379/0")
    assert result.returncode != 0
    assert "TEST_REDIS_URL must be a URL starting redis://" in result.stderr
    assert "hunter2" not in result.stderr


def postgres_servers_of(folder: Path) -> list[psutil.Process]:
    servers = []
    for process in psutil.process_iter(["name", "cmdline"]):
        if process.info["name"] == "postgres" and str(folder) in " ".join(
            process.info["cmdline"] or []
        ):
            servers.append(process)
    return servers


def test_importing_the_local_settings_starts_no_service(tmp_path):
    env = {
        "NEURALNOTES_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "neuralnotes.settings.local",
    }
    env = {**{name: "" for name in ("DATABASE_URL", "REDIS_URL")}, **env}
    read = (
        "import json; from django.conf import settings\n"
        "print(json.dumps([settings.DATABASES['default']['OPTIONS']['host'], settings.REDIS_URL]))"
    )
    result = run_django(read, **env)
    assert result.returncode == 0, result.stderr
    host, redis_url = json.loads(result.stdout.strip().splitlines()[-1])
    assert host == str(tmp_path / "pg")  # where it would be: the socket in its data folder
    assert redis_url.startswith("redis://127.0.0.1:6379/")  # no embedded Redis ran there
    assert not (tmp_path / "pg").exists() and not (tmp_path / "redis").exists()
    assert not postgres_servers_of(tmp_path)


def test_manage_py_starts_the_local_services_where_the_settings_look_for_them():
    # In var/: started by root, the embedded database runs as another user (README).
    var_dir = BASE_DIR / "var" / "test-manage"
    env = {**os.environ, "NEURALNOTES_VAR_DIR": str(var_dir)}
    env["DJANGO_SETTINGS_MODULE"] = "neuralnotes.settings.local"
    for name in ("DATABASE_URL", "REDIS_URL", "TEST_DATABASE_URL", "TEST_REDIS_URL"):
        env.pop(name, None)
    connect = (
        "import os; from django.db import connection; connection.ensure_connection(); "
        "print(connection.settings_dict['OPTIONS']['host'], os.environ['DATABASE_URL'])"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", connect],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    host, started_url = result.stdout.split()[-2:]
    assert host == str(var_dir / "pg")
    assert started_url == embedded.postgres_address(var_dir / "pg")
    # The last process attached to it has exited, so it stopped.
    assert not (var_dir / "pg" / "postmaster.pid").exists()


def test_the_test_suite_started_its_services_and_named_them_for_its_children():
    assert os.environ["TEST_DATABASE_URL"].startswith("postgresql://")
    assert os.environ["TEST_REDIS_URL"].split("://")[0] in ("redis", "redis+socket")


def test_the_redis_address_is_the_embedded_one_while_it_runs(tmp_path):
    registry = {"pidfile": str(tmp_path / "redis.pid"), "unixsocket": str(tmp_path / "r.sock")}
    (tmp_path / "redis.rdb.settings").write_text(json.dumps(registry))
    (tmp_path / "redis.pid").write_text(str(os.getpid()))
    assert embedded.redis_address(tmp_path) == f"redis+socket://{tmp_path / 'r.sock'}"
    stopped = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], text=True,
                             capture_output=True, check=True)  # fmt: skip
    (tmp_path / "redis.pid").write_text(stopped.stdout.strip())
    assert embedded.redis_address(tmp_path, db=4) == "redis://127.0.0.1:6379/4"
    (tmp_path / "redis.pid").write_text("half-writ")
    assert embedded.redis_address(tmp_path, db=4) == "redis://127.0.0.1:6379/4"
