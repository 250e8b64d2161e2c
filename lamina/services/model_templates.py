"""GetModelTemplate for both API Gateway services: a mapping template's skeleton (Velocity) that
reads a body of a model's JSON schema through `$inputRoot`, each property in place, arrays as
`#foreach` loops, as API Gateway's generated templates are laid out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MAX_DEPTH = 16  # schemas that refer to themselves stop here
Resolve = Callable[[str], dict[str, Any] | None]  # a `$ref` → the schema it names


def template(schema: dict[str, Any], resolve: Resolve | None = None) -> str:
    return "#set($inputRoot = $input.path('$'))\n" + _body(schema, "$inputRoot", 1, resolve)


def _body(schema: dict[str, Any], value: str, depth: int, resolve: Resolve | None) -> str:
    """A skeleton for `schema`, reading `value` ($inputRoot's path)."""
    ref = schema.get("$ref")
    if isinstance(ref, str) and resolve is not None and depth < MAX_DEPTH:
        found = resolve(ref)
        if found is not None:
            schema = found
    kind = schema.get("type")
    pad = "  " * depth
    if (kind == "object" or "properties" in schema) and depth < MAX_DEPTH:
        fields = [
            f'{pad}"{name}" : {_body(inner, f"{value}.{name}", depth + 1, resolve)}'
            for name, inner in (schema.get("properties") or {}).items()
        ]
        closing = "  " * (depth - 1)
        return "{\n" + ",\n".join(fields) + f"\n{closing}}}" if fields else "{}"
    if kind == "array" and depth < MAX_DEPTH:
        element = _body(schema.get("items") or {}, "$elem", depth + 1, resolve)
        loop = f"{pad}#foreach($elem in {value})\n{pad}{element}#if($foreach.hasNext),#end\n"
        return f"[\n{loop}{pad}#end\n" + "  " * (depth - 1) + "]"
    if kind in ("number", "integer", "boolean"):
        return value
    return f'"{value}"'
