"""Stage throttling of HTTP APIs: a stage's DefaultRouteSettings, and a route's RouteSettings
over them, set ThrottlingBurstLimit and ThrottlingRateLimit for each route of the stage; a
token bucket per route enforces them and a request over them is 429 Too Many Requests, as AWS
answers. The buckets are this node's: a fleet of N nodes lets N times the limit through."""

from __future__ import annotations

import time
from typing import Any

from lamina.token_bucket import Buckets

# What AWS's account-level limits are; one of the two set alone takes the other from them.
ACCOUNT_RATE = 10000.0
ACCOUNT_BURST = 5000
NAMES = ("ThrottlingBurstLimit", "ThrottlingRateLimit")


def limits(
    defaults: dict[str, Any], routes: dict[str, dict[str, Any]], route_key: str
) -> tuple[float, int] | None:
    """(rate a second, burst) for the route, or None: no limit set (AWS's account limits)."""
    settings = {**defaults, **{k: v for k, v in routes.get(route_key, {}).items() if v is not None}}
    rate, burst = settings.get("ThrottlingRateLimit"), settings.get("ThrottlingBurstLimit")
    if rate is None and burst is None:
        return None
    return (
        float(ACCOUNT_RATE if rate is None else rate),
        int(ACCOUNT_BURST if burst is None else burst),
    )


class Throttles:
    def __init__(self) -> None:
        self._buckets = Buckets()  # (api, stage, route key) → its bucket

    def admit(self, api_id: str, stage: str, route_key: str, limit: tuple[float, int]) -> bool:
        """Called on the event loop only: no lock needed."""
        return self._buckets.admit((api_id, stage, route_key), limit, time.monotonic())
