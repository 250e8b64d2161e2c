"""Canary releases of REST stages: a stage's canarySettings name a second deployment that
percentTraffic percent of the stage's requests go to, with stageVariableOverrides over the
stage's variables ($context.isCanaryRequest true for them). Made by CreateDeployment with
canarySettings (on a stage that exists), CreateStage, or UpdateStage's /canarySettings/…
patches; promoted by copying /canarySettings/deploymentId to /deploymentId and
/canarySettings/stageVariableOverrides to /variables; ended by removing /canarySettings.
The stage cache a canary may use does not exist here: useStageCache is false or refused."""

from __future__ import annotations

from typing import Any

from lamina.services.apigateway.errors import bad_request, invalid_stage_path, not_supported


def percent(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if not 0.0 <= number <= 100.0:
        raise bad_request(f"Invalid percentTraffic {value}: it must be between 0.0 and 100.0")
    return number


def _use_stage_cache(value: Any) -> bool:
    if str(value).lower() == "true":
        raise not_supported("stage caches (canarySettings.useStageCache)")
    return False


def made(given: dict[str, Any], deployment_id: str) -> dict[str, Any]:
    """The canarySettings a stage keeps, from CreateStage's or CreateDeployment's."""
    _use_stage_cache(given.get("useStageCache", False))
    overrides = dict(given.get("stageVariableOverrides") or {})
    canary: dict[str, Any] = {
        "deploymentId": given.get("deploymentId") or deployment_id,
        "percentTraffic": percent(given.get("percentTraffic", 0.0)),
        "useStageCache": False,
    }
    if overrides:
        canary["stageVariableOverrides"] = overrides
    return canary


def apply(target: dict[str, Any], operation: dict[str, Any]) -> str | None:
    """One /canarySettings… operation on a stage's `target` (its deploymentId, variables and
    canarySettings); the canary deployment id it names, to be checked, or None."""
    op, path = operation.get("op", ""), operation.get("path", "")
    rest = path.lstrip("/").split("/", 2)[1:]  # after "canarySettings"
    if not rest:
        if op != "remove":
            raise bad_request(f"Invalid {op} operation with path: {path}")
        target.pop("canarySettings", None)
        return None
    field = rest[0]
    if op == "remove":
        canary = target.get("canarySettings") or {}
        overrides = dict(canary.get("stageVariableOverrides") or {})
        if field != "stageVariableOverrides" or len(rest) < 2 or rest[1] not in overrides:
            raise bad_request(
                f"Cannot remove method setting canarySettings/{'/'.join(rest)} because there is "
                "no method setting for this method "
            )
        overrides.pop(rest[1])
        canary = {**canary, "stageVariableOverrides": overrides}
        if not overrides:
            canary.pop("stageVariableOverrides")
        target["canarySettings"] = canary
        return None
    if op == "add" and field != "stageVariableOverrides":
        raise bad_request(f"Invalid add operation with path: {path}")
    canary = dict(
        target.get("canarySettings")
        or {"deploymentId": target.get("deploymentId"), "percentTraffic": 0.0}
    )
    canary["useStageCache"] = canary.get("useStageCache", False)
    value = operation.get("value")
    checked: str | None = None
    if field == "percentTraffic" and len(rest) == 1:
        canary["percentTraffic"] = percent(value)
    elif field == "deploymentId" and len(rest) == 1:
        canary["deploymentId"] = checked = str(value or "")
    elif field == "useStageCache" and len(rest) == 1:
        canary["useStageCache"] = _use_stage_cache(value)
    elif field == "stageVariableOverrides" and len(rest) == 2:
        canary["stageVariableOverrides"] = {
            **(canary.get("stageVariableOverrides") or {}),
            rest[1].replace("~1", "/").replace("~0", "~"): "" if value is None else str(value),
        }
    else:
        raise invalid_stage_path(path)
    target["canarySettings"] = canary
    return checked


def promote(target: dict[str, Any], operation: dict[str, Any]) -> None:
    """A copy operation: the canary's deployment or overrides become the stage's own."""
    source, path = operation.get("from", ""), operation.get("path", "")
    canary = target.get("canarySettings")
    if canary is None:
        raise bad_request("Promotion not available. Canary does not exist.")
    if (source, path) == ("/canarySettings/deploymentId", "/deploymentId"):
        target["deploymentId"] = canary["deploymentId"]
    elif (source, path) == ("/canarySettings/stageVariableOverrides", "/variables"):
        target["variables"] = {
            **(target.get("variables") or {}),
            **(canary.get("stageVariableOverrides") or {}),
        }
    else:
        raise bad_request(f"Invalid copy operation with path: {path} and from: {source}")
