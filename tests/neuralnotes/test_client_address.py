"""The client's address behind proxies (neuralnotes.client_address): the right-most address that
is not a trusted proxy, used alike by the sign-in limits, the API's throttles and Subsonic."""

import random
from datetime import timedelta

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from neuralnotes.client_address import client_address
from tests.conftest import PASSWORD
from tests.subsonic.conftest import error_code, ok, rest

PROXY = "10.0.0.5"


def address(remote: str, forwarded: str | None = None) -> str:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


def random_address() -> str:
    return ".".join(str(random.randint(1, 254)) for _ in range(4))


@pytest.mark.parametrize(
    "forwarded", ["1.2.3.4", "1.2.3.4, 10.0.0.5", "not-an-address", "", "::1, 8.8.8.8"]
)
def test_with_no_proxy_trusted_the_header_is_ignored(settings, forwarded):
    settings.TRUSTED_PROXIES = ""
    assert address("192.0.2.1", forwarded) == "192.0.2.1"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a made-up left-most entry is passed over
        ("6.6.6.6, 7.7.7.7, 203.0.113.9", "203.0.113.9"),
        (None, PROXY),  # no header: the proxy's own request (or one that went round it)
        ("203.0.113.9:52311", "203.0.113.9"),  # a port, as some proxies write it
        ("[2001:db8::7]:443", "2001:db8::7"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("6.6.6.6, garbage", PROXY),  # not an address: nothing a proxy would write
    ],
)
def test_one_trusted_proxy_by_count_gives_the_address_it_saw(settings, forwarded, expected):
    settings.TRUSTED_PROXIES = "1"
    assert address(PROXY, forwarded) == expected


def test_two_proxies_by_count(settings):
    settings.TRUSTED_PROXIES = 2
    assert address(PROXY, "6.6.6.6, 203.0.113.9, 10.0.0.4") == "203.0.113.9"
    assert address(PROXY, "203.0.113.9") == "203.0.113.9"  # a shorter chain: its left-most


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        (PROXY, "203.0.113.9", "203.0.113.9"),
        (PROXY, "6.6.6.6, 203.0.113.9, 172.16.3.4", "203.0.113.9"),  # two trusted hops
        (PROXY, "6.6.6.6, 203.0.113.9, 172.16.3.4, 10.9.9.9", "203.0.113.9"),
        ("192.0.2.1", "203.0.113.9", "192.0.2.1"),  # not from a trusted proxy: header ignored
        (PROXY, "10.1.1.1, 172.16.0.1", "10.1.1.1"),  # all trusted: the left-most
        (PROXY, "garbage, 10.1.1.1", "10.1.1.1"),
        ("", "203.0.113.9", "203.0.113.9"),  # a unix socket: the local proxy
        ("2001:db8::1", "203.0.113.9", "2001:db8::1"),
        ("fd00::5", "2001:db8::99", "2001:db8::99"),
    ],
)
def test_trusted_networks_give_the_right_most_untrusted_hop(settings, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = "10.0.0.0/8, 172.16.0.0/12, fd00::/8"
    assert address(remote, forwarded) == expected


@pytest.mark.parametrize("value", ["10.0.0.0/33", "proxy.internal", "1, 10.0.0.1"])
def test_a_malformed_setting_is_named_at_start_up(settings, value):
    settings.TRUSTED_PROXIES = value
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        address(PROXY)
    assert any(e.id == "neuralnotes.E101" for e in run_checks())


# Behaviour: the limits key on that address.


@pytest.fixture
def small_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def web_sign_in(client: Client, username: str, password: str, forwarded: str | None = None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client.post("/accounts/login/", {"username": username, "password": password}, **headers)


@pytest.mark.parametrize("trusted", ["", "1"], ids=["no-proxy", "one-proxy"])
def test_a_random_header_per_request_does_not_escape_the_sign_in_limit(
    settings, small_limit, listener, trusted
):
    settings.TRUSTED_PROXIES = trusted
    client = Client(REMOTE_ADDR=PROXY if trusted else "198.51.100.7")
    names = ["alice", "bob", "carol"]
    # Behind the proxy, the header's left part is the attacker's to write: they vary it.
    for name in names:
        web_sign_in(client, name, "guess", forwarded=f"{random_address()}, 198.51.100.7")
    response = web_sign_in(client, "lena", PASSWORD, forwarded=f"{random_address()}, 198.51.100.7")
    assert response.status_code == 429


def test_behind_one_proxy_one_clients_failures_do_not_lock_out_the_others(
    settings, small_limit, listener, other_listener
):
    settings.TRUSTED_PROXIES = PROXY
    via_proxy = Client(REMOTE_ADDR=PROXY)
    for name in ["alice", "bob", "carol"]:
        web_sign_in(via_proxy, name, "guess", forwarded="198.51.100.7")
    assert web_sign_in(via_proxy, "otto", PASSWORD, forwarded="198.51.100.7").status_code == 429

    assert web_sign_in(via_proxy, "lena", PASSWORD, forwarded="203.0.113.20").status_code == 302
    # Subsonic behind the same proxy: the locked-out client, and the others.
    locked = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    free = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.21")
    assert error_code(rest("ping", user=other_listener, client=locked)) == 40
    assert ok(rest("ping", user=other_listener, client=free))


def test_subsonic_failures_behind_the_proxy_count_per_client_not_per_proxy(
    settings, small_limit, listener, other_listener
):
    """Before: the Subsonic counter keyed on REMOTE_ADDR, so behind the TLS proxy a few bad
    requests locked out every Subsonic user."""
    settings.TRUSTED_PROXIES = "1"
    for index in range(12):  # past the old counter's 10 per REMOTE_ADDR
        client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"203.0.113.{100 + index}")
        assert error_code(rest("ping", u=f"nobody{index}", p="guess", client=client)) == 40
    honest = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert ok(rest("ping", user=listener, client=honest))


def test_the_api_throttle_keys_on_the_client_not_on_the_whole_header(db, monkeypatch, settings):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"sign-in": "3/minute"})
    settings.AXES_FAILURE_LIMIT = 100  # the rate throttle, not the lockout, is under test
    statuses = []
    for _ in range(4):
        client = APIClient(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=random_address())
        response = client.post(
            "/api/v1/auth/tokens/", {"username": "x", "password": "y"}, format="json"
        )
        statuses.append(response.status_code)
    assert statuses == [401, 401, 401, 429]


def test_behind_a_proxy_the_api_throttle_tells_clients_apart(db, monkeypatch, settings):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"sign-in": "2/minute"})
    settings.TRUSTED_PROXIES = "1"
    settings.AXES_FAILURE_LIMIT = 100

    def sign_in(client_ip: str) -> int:
        client = APIClient(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_ip)
        body = {"username": "x", "password": "y"}
        return client.post("/api/v1/auth/tokens/", body, format="json").status_code

    assert [sign_in("198.51.100.7") for _ in range(3)] == [401, 401, 429]
    assert sign_in("203.0.113.30") == 401
