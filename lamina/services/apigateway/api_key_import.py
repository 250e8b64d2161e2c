"""ImportApiKeys: API keys from a CSV file in AWS's API key file format. Columns Name and Key
are required, Description, Enabled and UsagePlanIds optional, in any order and any case, others
ignored; UsagePlanIds lists plans in one field quoted with " or '. A key whose value is already
known is updated in place, as AWS overwrites it. A row Lamina cannot take is a warning (with
failOnWarnings, a refusal of the whole file); nothing is written unless the file is taken."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from lamina import ids
from lamina.context import RequestContext
from lamina.services.apigateway import account_items as rows
from lamina.services.apigateway import usage_plans
from lamina.services.apigateway.errors import bad_request
from lamina.store import Store

MIN_KEY, MAX_KEY, MAX_NAME = 20, 128, 1024


def _fields(line: str) -> list[str]:
    """One CSV line's fields: commas split them except inside a field quoted with " or '."""
    fields: list[str] = []
    current: list[str] = []
    quote: str | None = None
    for char in line:
        if quote is not None:
            if char == quote:
                quote = None
            else:
                current.append(char)
        elif char in "\"'" and not "".join(current).strip():
            quote, current = char, []
        elif char == ",":
            fields.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    if quote is not None:
        raise ValueError("a quoted field is not closed")
    fields.append("".join(current).strip())
    return fields


def _rows(body: Any) -> list[dict[str, str]]:
    text = body.decode("utf-8-sig") if isinstance(body, bytes) else str(body or "")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise bad_request("The API key file is empty: it needs a header line with Name and Key")
    try:
        header = [name.lower() for name in _fields(lines[0])]
        found = [_fields(line) for line in lines[1:]]
    except ValueError as error:
        raise bad_request(f"Invalid API key file: {error}") from None
    if "name" not in header or "key" not in header:
        raise bad_request("Invalid API key file: it must have the columns Name and Key")
    return [dict(zip(header, values, strict=False)) for values in found]


def _enabled(value: str) -> bool | None:
    if value == "":
        return True  # AWS's default
    return {"true": True, "false": False}.get(value.lower())


class ApiKeyImportOperations:
    store: Store
    keys_changed: Callable[[], None]

    def import_api_keys(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("format") != "csv":
            raise bad_request(f"Invalid format {params.get('format')}: API keys import from csv")
        fail = bool(params.get("failOnWarnings"))
        warnings: list[str] = []
        taken: list[tuple[dict[str, str], bool, list[str]]] = []
        for number, row in enumerate(_rows(params.get("body")), start=1):
            value, name = row.get("key", ""), row.get("name", "")
            enabled = _enabled(row.get("enabled", ""))
            problem = None
            if not MIN_KEY <= len(value) <= MAX_KEY:
                problem = f"its Key must be {MIN_KEY} to {MAX_KEY} characters"
            elif not name or len(name) > MAX_NAME:
                problem = f"its Name must be 1 to {MAX_NAME} characters"
            elif enabled is None:
                problem = f"Enabled must be true or false, not {row['enabled']}"
            if problem:
                warnings.append(f"Row {number}: {problem}; the key was not imported")
                continue
            plans = [p.strip() for p in row.get("usageplanids", "").split(",") if p.strip()]
            taken.append((row, bool(enabled), plans))
        if fail and warnings:
            raise bad_request("Warnings found during import:\n\t" + "\n\t".join(warnings))
        made: list[str] = []
        with self.store.write() as conn:
            for row, enabled, plans in taken:
                key_id = self._put(conn, ctx, row, enabled)
                for plan_id in plans:
                    plan = rows.get(conn, ctx, rows.USAGE_PLAN, plan_id)
                    if plan is None:
                        warning = f"Usage plan {plan_id} of key {row['name']} does not exist"
                        if fail:
                            raise bad_request("Warnings found during import:\n\t" + warning)
                        warnings.append(warning)
                        continue
                    link = f"{plan_id}/{key_id}"
                    if rows.get(conn, ctx, rows.PLAN_KEY, link) is None:
                        usage_plans.check_overlap(conn, ctx, plan_id, plan.config, [key_id])
                        rows.insert(conn, ctx, rows.PLAN_KEY, link, key_id, {}, time.time())
                made.append(key_id)
        self.keys_changed()
        return {"ids": made, "warnings": warnings}

    def _put(self, conn: Any, ctx: RequestContext, row: dict[str, str], enabled: bool) -> str:
        """The key made, or the one of the same value overwritten; its id."""
        config: dict[str, Any] = {"value": row["key"], "enabled": enabled, "name": row["name"]}
        if row.get("description"):
            config["description"] = row["description"]
        now = time.time()
        for existing in rows.by_lookup(conn, ctx, rows.API_KEY, row["key"]):
            kept = {k: v for k, v in existing.config.items() if k in ("customerId", "tags")}
            rows.update(conn, ctx, rows.API_KEY, existing.item_id,
                        {**kept, **config, "lastUpdatedDate": now})  # fmt: skip
            return str(existing.item_id)
        key_id = ids.alnum_id(10)
        rows.insert(conn, ctx, rows.API_KEY, key_id, row["key"], config, now)
        return key_id
