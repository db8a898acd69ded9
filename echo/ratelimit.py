"""A sliding-window rate limiter on Django's shared cache.

Each limit ("5 in 10 minutes") is counted in SLOTS short slots of the window. An event is
allowed when the slots that overlap the last window, the current one included, hold fewer
than the limit; it is then counted in the current slot with the cache's atomic `incr`. The
slots read cover slightly more than the window (up to one slot more), never less, so no
stretch of time as long as the window ever holds more allowed events than the limit, across
any boundary. Every process that shares the cache (all gunicorn workers and replicas) shares
the counts.
"""

import time
from dataclasses import dataclass
from math import ceil

from django.core.cache import cache

# The client address is decided in one place for the whole portal (the rate limits, the staff
# lockout, the logs); the limiter's callers use it under this name.
from deflection_portal.client_address import client_address as client_ip  # noqa: F401

# Slots per window: the window's resolution (10 minutes in slots of 1 minute).
SLOTS = 10


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    @property
    def slot_seconds(self) -> float:
        return self.seconds / SLOTS


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


def _slot_keys(scope: str, key: str, limit: Limit, now: float) -> list[tuple[int, str]]:
    current = int(now // limit.slot_seconds)
    return [
        (slot, f"ratelimit:{scope}:{limit.count}/{limit.seconds}:{key}:{slot}")
        for slot in range(current - SLOTS, current + 1)
    ]


def _retry_after(limit: Limit, counts: dict[int, int], now: float) -> int:
    """Seconds until enough of the oldest slots have left the window to allow one event."""
    excess = sum(counts.values()) - limit.count + 1
    for slot in sorted(counts):
        excess -= counts[slot]
        if excess <= 0:
            # The slot stops being read once the window no longer overlaps it.
            leaves_at = (slot + SLOTS + 1) * limit.slot_seconds
            return max(1, ceil(leaves_at - now))
    return limit.seconds


def hit(scope: str, key: str, limits: list[Limit], *, now: float | None = None) -> Verdict:
    """Count one event for `key` if every limit allows it; otherwise count nothing and say
    how long to wait."""
    now = time.time() if now is None else now
    refused = []
    for limit in limits:
        slots = _slot_keys(scope, key, limit, now)
        stored = cache.get_many([name for _, name in slots])
        counts = {slot: stored[name] for slot, name in slots if stored.get(name)}
        if sum(counts.values()) >= limit.count:
            refused.append(_retry_after(limit, counts, now))
    if refused:
        return Verdict(False, retry_after=max(refused))
    counted = []
    for limit in limits:
        slot, name = _slot_keys(scope, key, limit, now)[-1]
        # Kept as long as some window can still read it.
        cache.add(name, 0, timeout=ceil(limit.seconds + 2 * limit.slot_seconds))
        try:
            cache.incr(name)
        except ValueError:  # expired between add and incr
            cache.set(name, 1, timeout=ceil(limit.seconds + 2 * limit.slot_seconds))
        counted.append((limit, slot, name))
    # Two processes may both have read "one left" and both counted: the later one looks
    # again and takes its event back, so the limit holds under concurrency too.
    for limit, _, _name in counted:
        slots = _slot_keys(scope, key, limit, now)
        stored = cache.get_many([slot_name for _, slot_name in slots])
        if sum(value for value in stored.values() if value) > limit.count:
            for _, _, taken in counted:
                try:
                    cache.decr(taken)
                except ValueError:
                    pass
            counts = {slot: stored[n] for slot, n in slots if stored.get(n)}
            return Verdict(False, retry_after=_retry_after(limit, counts, now))
    return Verdict(True)
