"""Throttles that cost the same at any rate.

DRF's throttles keep every request's timestamp of the last window in the cache and rewrite that
list on each request: at 6,000 requests a minute, each request reads, filters and writes a list of
up to 6,000 floats. These count requests in fixed windows instead (one atomic increment), which
allows at most twice the rate across a window boundary - an acceptable price for O(1).
"""

import time

from django.core.cache import cache
from rest_framework import throttling


class FixedWindowMixin:
    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = time.time()
        window = int(now // self.duration)
        self.window_ends = (window + 1) * self.duration
        key = f"{self.key}:{window}"
        cache.add(key, 0, timeout=self.duration + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=self.duration + 1)
            count = 1
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
