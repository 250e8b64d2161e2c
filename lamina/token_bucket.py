"""A token bucket, as API Gateway throttles: at most `burst` requests at once, `rate` more a
second. Shared by REST APIs' usage plans and HTTP APIs' stage throttling; each node keeps its
own, so a fleet of N nodes lets N times the limit through."""

from __future__ import annotations


class TokenBucket:
    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.last = float(burst), now

    def take(self, now: float) -> bool:
        """One token, if there is one by `now` (monotonic seconds)."""
        self.tokens = min(float(self.burst), self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class Buckets:
    """A token bucket per key (a stage's route or method), made anew when its limits change.
    Called on the event loop only: no lock needed."""

    def __init__(self) -> None:
        self._buckets: dict[tuple[str, ...], tuple[tuple[float, int], TokenBucket]] = {}

    def admit(self, key: tuple[str, ...], limit: tuple[float, int], now: float) -> bool:
        found = self._buckets.get(key)
        if found is None or found[0] != limit:  # new, or its stage's settings changed
            found = (limit, TokenBucket(limit[0], limit[1], now))
            self._buckets[key] = found
        return found[1].take(now)

    def forget(self) -> None:
        self._buckets.clear()
