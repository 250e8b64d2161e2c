"""Which usage plan lets an API key into a stage: the data plane's question for a method with
apiKeyRequired. The answer (an enabled key and the plan covering the stage, or none) is kept
for KEPT_S, so a request costs no store read; this node's own changes to keys and plans
forget it at once, another node's are seen within KEPT_S."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from lamina.services.apigateway import account_items as rows
from lamina.store import Store

KEPT_S = 1.0
_KEPT = 10_000
Question = tuple[str, str, str, str, str]  # account, region, api, stage, key value


@dataclass(frozen=True)
class Admission:
    key_id: str
    plan_id: str
    plan: dict[str, Any]  # the plan's throttle and quota
    # UpdateUsage's limits for this key: quota period start (YYYY-MM-DD) → that period's limit
    quota_limits: dict[str, int] = field(default_factory=dict)
    # the plan's per-method throttles for this stage, by /{resourcePath}/{httpMethod}
    method_throttles: dict[str, dict[str, Any]] = field(default_factory=dict)


class ApiKeyGate:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._kept: dict[Question, tuple[float, Admission | None]] = {}
        self._lock = threading.Lock()

    def kept(self, question: Question) -> tuple[bool, Admission | None]:
        with self._lock:
            found = self._kept.get(question)
        if found is None or found[0] <= time.monotonic():
            return False, None
        return True, found[1]

    def resolve(self, question: Question) -> Admission | None:
        account_id, region, api_id, stage, value = question
        owner = rows.Owner(account_id, region)
        admission: Admission | None = None
        with self.store.read() as conn:
            for key in rows.by_lookup(conn, owner, rows.API_KEY, value):
                if not key.config.get("enabled"):
                    continue
                for link in rows.by_lookup(conn, owner, rows.PLAN_KEY, key.item_id):
                    plan_id = link.item_id.split("/", 1)[0]
                    plan = rows.get(conn, owner, rows.USAGE_PLAN, plan_id)
                    if plan is None:
                        continue
                    stages = plan.config.get("apiStages") or []
                    mine = [s for s in stages if s["apiId"] == api_id and s["stage"] == stage]
                    if mine:
                        limits = link.config.get("quotaLimits") or {}
                        throttles = mine[0].get("throttle") or {}
                        admission = Admission(key.item_id, plan_id, plan.config, limits, throttles)
                        break
        with self._lock:
            if len(self._kept) >= _KEPT:
                self._kept.clear()
            self._kept[question] = (time.monotonic() + KEPT_S, admission)
        return admission

    def forget(self) -> None:
        with self._lock:
            self._kept.clear()
