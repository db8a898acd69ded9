"""A small rate limiter on Django's cache, and the client address behind trusted proxies."""

import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address. X-Forwarded-For is believed only for the configured number of
    trusted proxies (each appends the address it received from); otherwise REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.PORTAL_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [part for part in chain if part]
    if len(chain) < proxies:
        return remote
    candidate = chain[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


def hit(scope: str, key: str, limits: list[Limit]) -> Verdict:
    """Count one event for `key` in each fixed window; refuse once any limit is passed.

    Windows are fixed (the count restarts at each window boundary): simple, and shared by
    every process that shares the cache.
    """
    now = time.time()
    verdict = Verdict(True)
    for limit in limits:
        window = int(now // limit.seconds)
        cache_key = f"ratelimit:{scope}:{limit.count}/{limit.seconds}:{key}:{window}"
        cache.add(cache_key, 0, timeout=limit.seconds + 60)
        try:
            used = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=limit.seconds + 60)
            used = 1
        if used > limit.count and verdict.allowed:
            verdict = Verdict(False, retry_after=int((window + 1) * limit.seconds - now) + 1)
    return verdict
