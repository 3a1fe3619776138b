"""A small fixed-window rate limit for public forms, kept in the shared cache.

Logins are limited by django-allauth (``ACCOUNT_RATE_LIMITS``); this one guards the
public forms (join requests). With several web processes, point ``CACHE_URL`` at a
shared cache (Redis) so that the limit holds across them.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_limited(request: HttpRequest, scope: str) -> bool:
    """Count one hit for this client in this scope; True when over the limit."""
    limit, window = settings.RATE_LIMITS[scope]
    bucket = int(time.time() // window)
    key = f"rl:{scope}:{client_ip(request)}:{bucket}"
    cache.add(key, 0, timeout=window)
    try:
        hits = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window)
        hits = 1
    return hits > limit
