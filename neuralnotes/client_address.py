"""Who is on the other end: the client's address, read through the proxies we trust.

Behind a reverse proxy every request comes from the proxy's address (``REMOTE_ADDR``), and the
client's is in ``X-Forwarded-For``, which each proxy extends by the address it saw. Only the
entries that trusted proxies appended are true; whatever is to their left came from the client
and may be anything. So the client is the right-most address that is not a trusted proxy, never
the left-most. ``TRUSTED_PROXIES`` (settings, README "Deploying") says who those are:

- empty (the default): nobody; the client is ``REMOTE_ADDR`` and the header is ignored;
- a number N: the N proxies nearest to us each appended one address, so the client is the N-th
  address from the right. Only safe when nothing can reach the web processes but the proxies;
- addresses and networks (``10.0.0.5, 172.16.0.0/12``): hops from those are skipped, walking from
  ``REMOTE_ADDR`` leftwards, and the first other address is the client. A request that did not
  come through one of them is taken at its ``REMOTE_ADDR``, whatever its header says.

The sign-in limits (django-axes), the API's throttles and the Subsonic API all ask this one
function, so they agree on who a client is.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _trusted(value: str | int | tuple) -> int | tuple[Network, ...]:
    """TRUSTED_PROXIES as a count (0: none) or the trusted networks."""
    if isinstance(value, int):
        return value
    items = value if isinstance(value, tuple) else tuple(value.replace(" ", "").split(","))
    items = tuple(str(item) for item in items if str(item))
    if len(items) == 1 and items[0].isdigit():
        return int(items[0])
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in items)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES must be a number or comma-separated addresses and networks: {error}"
        ) from None


def trusted_proxies() -> int | tuple[Network, ...]:
    value = settings.TRUSTED_PROXIES
    return _trusted(tuple(value) if isinstance(value, list | tuple) else value)


def _address(text: str) -> Address | None:
    """An address as a proxy may write it: bare, with a port (``1.2.3.4:80``, ``[::1]:80``)."""
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_address(request: HttpRequest) -> str:
    """The client's IP address as text ("" when the server saw none, e.g. a unix socket)."""
    remote = request.META.get("REMOTE_ADDR") or ""
    trusted = trusted_proxies()
    if not trusted:
        address = _address(remote)
        return str(address) if address else remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop for hop in (h.strip() for h in forwarded.split(",")) if hop] + [remote]
    if isinstance(trusted, int):
        address = _address(hops[max(len(hops) - 1 - trusted, 0)])
        return str(address) if address else remote
    nearest = remote
    for index in range(len(hops) - 1, -1, -1):
        if index == len(hops) - 1 and not remote:
            continue  # a unix socket: only a process on this host, i.e. the proxy, can connect
        address = _address(hops[index])
        if address is None:
            # A trusted proxy writes real addresses: this came from the client's side.
            return nearest
        if index == 0 or not any(address in network for network in trusted):
            return str(address)
        nearest = str(address)
    return nearest


@register()
def check_trusted_proxies(app_configs, **kwargs) -> list[Error]:
    try:
        trusted_proxies()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="neuralnotes.E101")]
    return []
