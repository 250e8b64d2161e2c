"""UpdateStage's patch operations on a stage: its own fields and variables (patches.py), its
method settings (method_settings.py), its canary (canaries.py: /canarySettings/…, and the
copy operations that promote it). A path AWS does not take is refused in AWS's words."""

from __future__ import annotations

from typing import Any

from lamina.services.apigateway import canaries, method_settings, patches
from lamina.services.apigateway.errors import bad_request, invalid_stage_path, not_supported

_PATCHABLE = {
    "description": patches.FIELD,
    "deploymentId": patches.FIELD,
    "variables": patches.MAP,
    "documentationVersion": patches.FIELD,  # checked by stages.py against the API's versions
    "clientCertificateId": patches.FIELD,  # checked by stages.py against the account's
}
_OFF_ONLY = {  # stage fields Lamina takes only at false
    "tracingEnabled": "X-Ray tracing of stages (tracingEnabled)",
    "cacheClusterEnabled": "stage caches (cacheClusterEnabled)",
}
_REFUSED = {
    "cacheClusterSize": "stage caches (cacheClusterSize)",
}


def apply(target: dict[str, Any], operations: list[dict[str, Any]]) -> list[str]:
    """Apply `operations` to `target` (the stage's deploymentId and config) in order; the
    canary deployment ids they name, for the caller to check."""
    named: list[str] = []
    for operation in operations:
        op, path = operation.get("op", ""), operation.get("path", "")
        head, _, rest = path.lstrip("/").partition("/")
        if op == "copy":
            canaries.promote(target, operation)
        elif head == "canarySettings":
            deployment_id = canaries.apply(target, operation)
            if deployment_id is not None:
                named.append(deployment_id)
        elif head in _PATCHABLE:
            patches.apply(target, [operation], _PATCHABLE)
        elif head in _OFF_ONLY and not rest:
            if op not in ("add", "replace") or str(operation.get("value")).lower() != "false":
                if op in ("add", "replace"):
                    raise not_supported(_OFF_ONLY[head])
                raise bad_request(f"Invalid {op} operation with path: {path}")
        elif head in _REFUSED:
            raise not_supported(_REFUSED[head])
        else:
            found = method_settings.split(path)
            if found is None or (found[1] and found[1] not in method_settings.SETTINGS):
                raise invalid_stage_path(path)
            settings = dict(target.get("methodSettings") or {})
            method_settings.apply(settings, operation, *found)
            target["methodSettings"] = settings
    return named
