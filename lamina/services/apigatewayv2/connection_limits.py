"""API Gateway's limits on a WebSocket connection: closed (1001 Going Away) after 10 minutes
without a message from the client, and after 2 hours whatever it does."""

from __future__ import annotations

IDLE_TIMEOUT = 10 * 60.0
MAX_DURATION = 2 * 60 * 60.0
GOING_AWAY = 1001


def expired(connected_at: float, last_active_at: float, now: float) -> bool:
    return now - last_active_at >= IDLE_TIMEOUT or now - connected_at >= MAX_DURATION
