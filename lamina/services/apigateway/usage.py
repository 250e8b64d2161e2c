"""What usage plans count and limit, per API key: requests per UTC day (durable, GetUsage's
figures and the quotas' counts) and a token bucket per key per node for the plan's throttle.

A request does not pay a commit: counts gather in memory and one transaction adds them to
the store every FLUSH_S (an upsert per plan, key and day), at shutdown, and before GetUsage
reads them. A node killed outright loses at most that last second of counts. A quota is
checked against what the store held when this node last read it plus what this node counted
since; the read is renewed after each flush, so other nodes' requests are seen within about
FLUSH_S. Throttles are per node: a fleet of N nodes lets through up to N times the rate."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
import threading
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from lamina.store import Store
from lamina.store.schema import apigateway_usage as usage
from lamina.token_bucket import TokenBucket

log = logging.getLogger(__name__)
FLUSH_S = 1.0
_KEPT_PERIODS = 10_000  # quota counters a node keeps before it starts afresh (re-read)
QUOTA_EXCEEDED = "quota"
THROTTLED = "throttle"


@cache
def _add(dialect: str) -> Any:
    insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
    statement = insert(usage)
    return statement.on_conflict_do_update(
        index_elements=[usage.c.plan_id, usage.c.key_id, usage.c.day],
        set_={"used": usage.c.used + statement.excluded.used},
    )


class UsageMeter:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._flushing = threading.Lock()  # one flush (or quota read) at a time
        self._pending: dict[tuple[str, str, str], int] = {}  # (plan, key, day) → requests
        self._periods: dict[tuple[str, str, str], int] = {}  # (plan, key, period start) → used
        self._buckets: dict[tuple[str, ...], TokenBucket] = {}  # (plan, key[, method])
        self._task: asyncio.Task[None] | None = None

    @staticmethod
    def period_start(day: datetime.date, quota: dict[str, Any]) -> datetime.date:
        """The first day of the quota period `day` is in: DAY, WEEK from its offset's weekday
        (0 Sunday … 6 Saturday), MONTH from its offset's day (0 the 1st)."""
        offset = int(quota.get("offset") or 0)
        if quota["period"] == "DAY":
            return day
        if quota["period"] == "WEEK":
            sunday_based = (day.weekday() + 1) % 7  # Python's Monday is 0
            return day - datetime.timedelta(days=(sunday_based - offset) % 7)
        start = day.replace(day=offset + 1) if day.day >= offset + 1 else None
        if start is None:
            previous = day.replace(day=1) - datetime.timedelta(days=1)
            start = previous.replace(day=offset + 1)
        return start

    @staticmethod
    def today() -> datetime.date:
        return datetime.datetime.now(datetime.UTC).date()

    def quota_key(self, plan_id: str, key_id: str, quota: dict[str, Any]) -> tuple[str, str, str]:
        return plan_id, key_id, self.period_start(self.today(), quota).isoformat()

    def knows(self, counter: tuple[str, str, str]) -> bool:
        with self._lock:
            return counter in self._periods

    def load(self, counter: tuple[str, str, str]) -> None:
        """Read a quota period's count from the store (plus what waits to be written)."""
        plan_id, key_id, start = counter
        with self._flushing:
            with self.store.read() as conn:
                stored = conn.execute(
                    sa.select(sa.func.coalesce(sa.func.sum(usage.c.used), 0)).where(
                        usage.c.plan_id == plan_id, usage.c.key_id == key_id, usage.c.day >= start
                    )
                ).scalar_one()
            with self._lock:
                waiting = sum(n for (p, k, day), n in self._pending.items()
                              if p == plan_id and k == key_id and day >= start)  # fmt: skip
                if len(self._periods) >= _KEPT_PERIODS:
                    self._periods.clear()
                self._periods[counter] = int(stored) + waiting

    def admit(
        self, plan_id: str, key_id: str, plan: dict[str, Any], now: float,
        method: tuple[str, dict[str, Any]] | None = None,
        quota_limits: dict[str, int] | None = None,
    ) -> str | None:  # fmt: skip
        """Count one request, or say why not: THROTTLED, QUOTA_EXCEEDED. A quota's counter
        must be known (load) first. `method`: the method's own throttle in the plan's API stage
        (its /{resourcePath}/{httpMethod} key and limits), taken from before the plan's.
        `quota_limits`: UpdateUsage's limits for the key, by quota period start."""
        quota = plan.get("quota")
        with self._lock:
            if method is not None and not self._take((plan_id, key_id, method[0]), method[1], now):
                return THROTTLED
            if not self._take((plan_id, key_id), plan.get("throttle") or {}, now):
                return THROTTLED
            if quota:
                counter = self.quota_key(plan_id, key_id, quota)
                used = self._periods.get(counter, 0)
                if used >= (quota_limits or {}).get(counter[2], quota["limit"]):
                    return QUOTA_EXCEEDED
                self._periods[counter] = used + 1
            day = self.today().isoformat()
            self._pending[(plan_id, key_id, day)] = self._pending.get((plan_id, key_id, day), 0) + 1
        return None

    def _take(self, key: tuple[str, ...], throttle: dict[str, Any], now: float) -> bool:
        """A token from the bucket of `key` under `throttle` (no rate: no limit). Locked."""
        rate = float(throttle.get("rateLimit") or 0)
        if rate <= 0:
            return True
        burst = int(throttle.get("burstLimit", max(1, int(rate))))
        bucket = self._buckets.get(key)
        if bucket is None or (bucket.rate, bucket.burst) != (rate, burst):
            bucket = self._buckets[key] = TokenBucket(rate, burst, now)
        return bucket.take(now)

    def flush(self) -> None:
        """Add what was counted to the store, in one transaction."""
        with self._flushing:
            with self._lock:
                pending, self._pending = self._pending, {}
            if not pending:
                return
            values = [{"plan_id": p, "key_id": k, "day": d, "used": n}
                      for (p, k, d), n in sorted(pending.items())]  # fmt: skip
            try:
                with self.store.write() as conn:
                    conn.execute(_add(conn.dialect.name), values)
            except Exception:
                with self._lock:  # kept for the next flush, not lost
                    for counted, n in pending.items():
                        self._pending[counted] = self._pending.get(counted, 0) + n
                raise
            with self._lock:  # read anew next time: other nodes' counts come with it
                touched = {(p, k) for p, k, _ in pending}
                for counter in [c for c in self._periods if (c[0], c[1]) in touched]:
                    del self._periods[counter]

    def read_days(self, conn: Connection, plan_id: str, keys: list[str], first: str,
                  last: str) -> dict[tuple[str, str], int]:  # fmt: skip
        """(key, day) → requests, for GetUsage."""
        if not keys:
            return {}
        found = conn.execute(
            sa.select(usage.c.key_id, usage.c.day, usage.c.used).where(
                usage.c.plan_id == plan_id, usage.c.key_id.in_(keys),
                usage.c.day >= first, usage.c.day <= last,
            )
        )  # fmt: skip
        return {(row.key_id, row.day): int(row.used) for row in found}

    def forget(self) -> None:
        with self._lock:
            self._pending.clear()
            self._periods.clear()
            self._buckets.clear()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._flusher())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await asyncio.get_running_loop().run_in_executor(None, self.flush)

    async def _flusher(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(FLUSH_S)
            if not self._pending:
                continue
            try:
                await loop.run_in_executor(None, self.flush)
            except Exception:  # the store is away: counts wait for the next flush
                log.warning("API Gateway usage: flush failed", exc_info=True)
