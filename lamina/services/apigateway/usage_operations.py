"""GetUsage and UpdateUsage: what a usage plan's keys used, day by day, and what their quota
leaves them.

UpdateUsage (`replace /remaining`) grants a key more (or less) of the current quota period, as
AWS's "temporary extension" does: the period's limit for that key becomes what it used so far
plus the new remaining, kept on the plan's key (its `quotaLimits` by period start) and read by
the data plane with the key's admission. The next period starts from the plan's limit again."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from lamina.context import RequestContext
from lamina.services.apigateway import account_items as rows
from lamina.services.apigateway.errors import bad_request, not_found
from lamina.services.apigateway.usage import UsageMeter
from lamina.services.apigateway.usage_plans import find
from lamina.store import Store

LIMITS = "quotaLimits"  # on a plan's key: period start (YYYY-MM-DD) → that period's limit


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise bad_request(f"Invalid date {value}: expected YYYY-MM-DD") from None


def _key_not_found() -> Exception:
    return not_found("Invalid API Key identifier specified")


class UsageOperations:
    store: Store
    keys_changed: Callable[[], None]
    usage: UsageMeter

    def get_usage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        start, end = _day(params["startDate"]), _day(params["endDate"])
        if end < start:
            raise bad_request("The end date must not be before the start date")
        if (end - start).days > 90:
            raise bad_request("The usage data can be retrieved for 90 days at most")
        return self._usage(ctx, params["usagePlanId"], params.get("keyId"), start, end)

    def update_usage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        operations = params.get("patchOperations") or []
        if len(operations) != 1 or (operations[0].get("op"), operations[0].get("path")) != (
            "replace", "/remaining",
        ):  # fmt: skip
            raise bad_request(
                "Invalid patch operations: UpdateUsage takes one 'replace' of /remaining"
            )
        try:
            remaining = int(operations[0].get("value"))
        except (TypeError, ValueError):
            raise bad_request(f"Invalid remaining value: {operations[0].get('value')}") from None
        if remaining < 0:
            raise bad_request("The remaining quota must be zero or greater")
        today = UsageMeter.today()
        self.usage.flush()  # this node's counts are in the store before the period is read
        with self.store.write() as conn:
            plan = find(conn, ctx, params["usagePlanId"])
            quota = plan.config.get("quota")
            if not quota:
                raise bad_request(f"Usage plan {plan.item_id} has no quota to extend")
            link = rows.get(conn, ctx, rows.PLAN_KEY, f"{plan.item_id}/{params['keyId']}")
            if link is None:
                raise _key_not_found()
            since = UsageMeter.period_start(today, quota)
            counted = self.usage.read_days(
                conn, plan.item_id, [link.lookup], since.isoformat(), today.isoformat()
            )
            used = sum(counted.values())
            config = dict(link.config)
            # only the current period's limit is kept: earlier ones no longer count
            config[LIMITS] = {since.isoformat(): used + remaining}
            rows.update(conn, ctx, rows.PLAN_KEY, link.item_id, config)
        self.keys_changed()  # the data plane reads the key's admission, its limit, anew
        return self._usage(ctx, plan.item_id, link.lookup, today, today)

    def _usage(self, ctx: RequestContext, plan_id: str, key_id: str | None,
               start: datetime.date, end: datetime.date) -> dict[str, Any]:  # fmt: skip
        self.usage.flush()  # what this node counted is in the store before it is read
        with self.store.read() as conn:
            plan = find(conn, ctx, plan_id)
            links = {
                link.lookup: link for link in rows.listed(conn, ctx, rows.PLAN_KEY, plan_id + "/")
            }
            keys = list(links)
            if key_id:
                if key_id not in links:
                    raise _key_not_found()
                keys = [key_id]
            quota = plan.config.get("quota")
            first = start
            if quota:
                first = min(start, UsageMeter.period_start(start, quota))
            counted = self.usage.read_days(conn, plan.item_id, keys, first.isoformat(),
                                           end.isoformat())  # fmt: skip
        items: dict[str, list[list[int]]] = {}
        for key in keys:
            limits = links[key].config.get(LIMITS) or {}
            days: list[list[int]] = []
            day = start
            while day <= end:
                used = counted.get((key, day.isoformat()), 0)
                remaining = 0
                if quota:
                    since = UsageMeter.period_start(day, quota)
                    spent = sum(
                        counted.get((key, (since + datetime.timedelta(n)).isoformat()), 0)
                        for n in range((day - since).days + 1)
                    )
                    limit = limits.get(since.isoformat(), quota["limit"])
                    remaining = max(limit - spent, 0)
                days.append([used, remaining])
                day += datetime.timedelta(days=1)
            items[key] = days
        answer: dict[str, Any] = {"usagePlanId": plan.item_id, "startDate": start.isoformat(),
                                  "endDate": end.isoformat(), "items": items}  # fmt: skip
        return answer
