"""The API's rate limit per client, counted by django-ratelimit in the shared cache.

The correction form already counts its posts with django-ratelimit (``suggestions.py``):
one way of counting, one cache (Redis when ``REDIS_URL`` is set, so every instance
counts together), one setting for the client's address behind a proxy
(``RATELIMIT_IP_META_KEY``). DRF's own throttles would count a second time, in their own
keys and with their own idea of the client's address; this class only hands
django-ratelimit's verdict to DRF, which answers 429 with a JSON message and
``Retry-After``.
"""

from __future__ import annotations

from django.conf import settings
from django_ratelimit.core import get_usage
from rest_framework.throttling import BaseThrottle

GROUP = "partnerships.api"
DEFAULT_RATE = "120/m"


def api_rate(group: str, request) -> str:
    """Requests allowed per client address and period (setting ``API_RATE``)."""
    return getattr(settings, "API_RATE", DEFAULT_RATE)


def no_address(group: str, request) -> str:
    return "no-address"


class ClientRateThrottle(BaseThrottle):
    """At most ``API_RATE`` requests per client address, whatever the endpoint."""

    def allow_request(self, request, view) -> bool:
        try:
            usage = get_usage(
                request._request, group=GROUP, key="ip", rate=api_rate, increment=True
            )
        except KeyError:  # no client address (a test client, not a server): counted together
            usage = get_usage(
                request._request, group=GROUP, key=no_address, rate=api_rate, increment=True
            )
        self.time_left = usage["time_left"] if usage else None
        return usage is None or not usage["should_limit"]

    def wait(self) -> float | None:
        # django-ratelimit counts whole seconds: in the last second of a period the time left
        # is 0, and DRF sends no Retry-After for 0. The client may retry in a second.
        return None if self.time_left is None else max(self.time_left, 1)
