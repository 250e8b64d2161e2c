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
