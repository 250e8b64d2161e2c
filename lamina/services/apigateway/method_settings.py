"""A REST stage's method settings: UpdateStage's `/{resourcePath}/{httpMethod}/{setting}` and
`/*/*/{setting}` patches (the resource path's slashes written `~1`), kept under the keys AWS
shows in methodSettings (`*/*`, `~1pets/GET`) with every MethodSetting field, AWS's defaults
where none was set. A method's own entry starts from the stage's `*/*` one, as on AWS.

Lamina enforces the throttling limits (throttle_of, stage_throttles.py). What it cannot honour
is refused, except at the values meaning "off" that AWS tools send by default (CDK, SAM and
Terraform patch metricsEnabled false, loggingLevel OFF, dataTraceEnabled false, cachingEnabled
false): no CloudWatch metrics, execution logs or response caches here. A cache's own tuning
(TTL, encryption, cache-control authorization) is kept as given while caching stays off: it
changes nothing on AWS either then."""

from __future__ import annotations

from typing import Any

from lamina.services.apigateway.errors import bad_request, not_supported

ALL = "*/*"
DEFAULTS: dict[str, Any] = {
    "metricsEnabled": False,
    "loggingLevel": "OFF",
    "dataTraceEnabled": False,
    "throttlingBurstLimit": 5000,
    "throttlingRateLimit": 10000.0,
    "cachingEnabled": False,
    "cacheTtlInSeconds": 300,
    "cacheDataEncrypted": False,
    "requireAuthorizationForCacheControl": True,
    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
}
# patch path's setting part → (MethodSetting field, kind of value)
SETTINGS: dict[str, tuple[str, str]] = {
    "metrics/enabled": ("metricsEnabled", "boolean"),
    "logging/dataTrace": ("dataTraceEnabled", "boolean"),
    "logging/loglevel": ("loggingLevel", "level"),
    "throttling/burstLimit": ("throttlingBurstLimit", "integer"),
    "throttling/rateLimit": ("throttlingRateLimit", "double"),
    "caching/ttlInSeconds": ("cacheTtlInSeconds", "integer"),
    "caching/enabled": ("cachingEnabled", "boolean"),
    "caching/dataEncrypted": ("cacheDataEncrypted", "boolean"),
    "caching/requireAuthorizationForCacheControl": (
        "requireAuthorizationForCacheControl",
        "boolean",
    ),
    "caching/unauthorizedCacheControlHeaderStrategy": (
        "unauthorizedCacheControlHeaderStrategy",
        "strategy",
    ),
}
# the fields Lamina takes only at these values, and why
_OFF_ONLY: dict[str, tuple[Any, str]] = {
    "metricsEnabled": (False, "CloudWatch metrics of stages (metricsEnabled)"),
    "loggingLevel": ("OFF", "execution logging of stages (loggingLevel ERROR or INFO)"),
    "dataTraceEnabled": (False, "execution data traces of stages (dataTraceEnabled)"),
    "cachingEnabled": (False, "stage caches (cachingEnabled)"),
}
_LEVELS = ("OFF", "ERROR", "INFO")
_STRATEGIES = ("FAIL_WITH_403", "SUCCEED_WITH_RESPONSE_HEADER", "SUCCEED_WITHOUT_RESPONSE_HEADER")
_METHODS = ("*", "ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def split(path: str) -> tuple[str, str] | None:
    """(method setting key, setting) of a patch path, the setting "" for the whole entry
    (`/*/*`, `/~1pets/GET`); None when the path names no method."""
    parts = path.lstrip("/").split("/")
    if len(parts) not in (2, 4):
        return None
    resource, method = parts[0], parts[1]
    if method not in _METHODS or not resource:
        return None
    if resource == "*" and method != "*":
        return None
    if resource != "*" and not resource.startswith("~1"):
        return None
    return f"{resource}/{method}", "/".join(parts[2:])


def key_of(resource_path: str, http_method: str) -> str:
    """The key of a deployed method's own settings: /pets/{id} GET → ~1pets~1{id}/GET."""
    return resource_path.replace("/", "~1") + "/" + http_method


def _value(kind: str, value: Any, path: str) -> Any:
    text = "" if value is None else str(value)
    try:
        if kind == "boolean":
            if text.lower() not in ("true", "false"):
                raise ValueError(text)
            return text.lower() == "true"
        if kind == "integer":
            return int(float(text)) if float(text).is_integer() else int(text)
        if kind == "double":
            return float(text)
    except ValueError:
        raise bad_request(f"Invalid value '{text}' for {path}: it must be a {kind}") from None
    if kind == "level" and text not in _LEVELS:
        raise bad_request(f"Invalid logging level '{text}'. Must be one of: [OFF, ERROR, INFO]")
    if kind == "strategy" and text not in _STRATEGIES:
        raise bad_request(
            f"Invalid unauthorizedCacheControlHeaderStrategy '{text}'. Must be one of: "
            f"[{', '.join(_STRATEGIES)}]"
        )
    return text


def apply(settings: dict[str, dict[str, Any]], operation: dict[str, Any], key: str,
          setting: str) -> None:  # fmt: skip
    """One UpdateStage operation on a method setting, into `settings` (key → MethodSetting)."""
    op, path = operation.get("op", ""), operation.get("path", "")
    if not setting:
        if op != "remove":
            raise bad_request(f"Invalid {op} operation with path: {path}")
        if settings.pop(key, None) is None:
            raise bad_request(
                f"Cannot remove method setting {key} because there is no method setting for "
                "this method "
            )
        return
    if op not in ("add", "replace"):
        raise bad_request(f"Invalid {op} operation with path: {path}")
    field, kind = SETTINGS[setting]
    value = _value(kind, operation.get("value"), path)
    off = _OFF_ONLY.get(field)
    if off is not None and value != off[0]:
        raise not_supported(off[1])
    entry = settings.get(key)
    if entry is None:
        entry = dict(settings.get(ALL) or DEFAULTS)
        settings[key] = entry
    entry[field] = value


def presented(settings: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {key: {**DEFAULTS, **entry} for key, entry in settings.items()}


def throttle_of(
    settings: dict[str, dict[str, Any]], resource_path: str, http_method: str
) -> tuple[float, int] | None:
    """(rate a second, burst) a deployed method is held to: its own entry's, else the stage's
    `*/*`; None when neither is set, or a limit is negative (-1, as Terraform sends it,
    disables the throttle)."""
    entry = settings.get(key_of(resource_path, http_method)) or settings.get(ALL)
    if entry is None:
        return None
    rate = float(entry.get("throttlingRateLimit", DEFAULTS["throttlingRateLimit"]))
    burst = int(entry.get("throttlingBurstLimit", DEFAULTS["throttlingBurstLimit"]))
    if rate < 0 or burst < 0:
        return None
    return rate, burst
