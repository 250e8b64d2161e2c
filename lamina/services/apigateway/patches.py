"""PatchOperations (RFC 6902's op/path/value, as API Gateway takes them) on a stored dict.

Each Update operation says which paths it takes: a plain field (`/name`), or a map or set
member (`/variables/{key}`, `/binaryMediaTypes/{type}`, `~1` standing for `/` in the key)."""

from __future__ import annotations

from typing import Any

from lamina.services.apigateway.errors import bad_request

FIELD = "field"
MAP = "map"  # /path/{key}: add/replace set the key's value, remove drops it
SET = "set"  # /path/{item}: add puts the item in the list, remove takes it out


def boolean(value: Any) -> bool:
    """A patched boolean: patch values come as text ("true", "False"); a bool is kept."""
    if isinstance(value, bool):
        return value
    if str(value).lower() not in ("true", "false"):
        raise bad_request(f"Invalid boolean value: {value}")
    return str(value).lower() == "true"


def _unescape(key: str) -> str:
    return key.replace("~1", "/").replace("~0", "~")


def apply(target: dict[str, Any], operations: list[dict[str, Any]], paths: dict[str, str]) -> None:
    """Apply `operations` to `target` in place; a path or op not in `paths` is refused."""
    for operation in operations:
        op = operation.get("op", "")
        path = operation.get("path", "")
        value = operation.get("value")
        head, _, key = path.lstrip("/").partition("/")
        kind = paths.get(head)
        if kind is None or (kind == FIELD and key) or (kind != FIELD and not key):
            allowed = ", ".join(f"/{p}" for p in paths)
            raise bad_request(
                # AWS's words, two spaces and all (LocalStack's AWS-recorded snapshots)
                f"Invalid patch path  '{path}' specified for op '{op}'. Must be one of: [{allowed}]"
            )
        if op not in ("add", "replace", "remove"):
            raise bad_request("Invalid patch operation specified. Must be 'add'|'remove'|'replace'")
        if kind == FIELD:
            if op == "remove":
                target.pop(head, None)
            else:
                target[head] = value
        elif kind == MAP:
            entries = dict(target.get(head) or {})
            if op == "remove":
                entries.pop(_unescape(key), None)
            else:
                entries[_unescape(key)] = value or ""
            target[head] = entries
        else:
            items = list(target.get(head) or [])
            item = _unescape(key)
            if op == "remove":
                items = [i for i in items if i != item]
            elif op == "add" and item not in items:
                items.append(item)
            elif op == "replace":  # /binaryMediaTypes/old → value
                items = [value if i == item else i for i in items]
            target[head] = items
