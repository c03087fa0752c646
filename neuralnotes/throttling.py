"""Throttles that cost the same at any rate.

DRF's throttles keep every request's timestamp of the last window in the cache and rewrite that
list on each request: at 6,000 requests a minute, each request reads, filters and writes a list of
up to 6,000 floats. These count requests in fixed windows instead (one atomic increment), which
allows at most twice the rate across a window boundary - an acceptable price for O(1).
"""

import time

from django.core.cache import cache
from rest_framework import throttling

from neuralnotes.client_address import client_address


def fixed_window_hit(key: str, window_s: int) -> tuple[int, float]:
    """Count one request against ``key`` in the current window of ``window_s`` seconds: the
    requests so far in this window (this one included) and when it ends (Unix time)."""
    now = time.time()
    window = int(now // window_s)
    counter = f"{key}:{window}"
    cache.add(counter, 0, timeout=window_s + 1)
    try:
        count = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.set(counter, 1, timeout=window_s + 1)
        count = 1
    return count, (window + 1) * window_s


class FixedWindowMixin:
    def get_ident(self, request) -> str:
        # DRF's own reads the whole X-Forwarded-For unless NUM_PROXIES is set, so a made-up
        # header per request would be a new client each time; this is the address the sign-in
        # limits use, read through TRUSTED_PROXIES.
        return client_address(request)

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        count, self.window_ends = fixed_window_hit(self.key, self.duration)
        return count <= self.num_requests

    def wait(self) -> float:
        return max(self.window_ends - time.time(), 1.0)


class AnonRateThrottle(FixedWindowMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(FixedWindowMixin, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(FixedWindowMixin, throttling.ScopedRateThrottle):
    def allow_request(self, request, view) -> bool:
        # DRF's scoped throttle learns its rate from the view here, before counting.
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
