"""OpenAPI documents as both API Gateways read and write them: the text (JSON or YAML) made a
document, AWS variables resolved in it, the base path its servers (OpenAPI 3) or basePath
(Swagger 2) give and how an import applies it (`ignore`, `prepend`, `split`), and a document
written out as JSON or YAML. Each service raises its own errors from `Invalid`."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

BASEPATH_MODES = ("ignore", "prepend", "split")


class Invalid(ValueError):
    """The text is no document, or an option is not one of those known; the message says."""


def load(body: bytes | str | None) -> dict[str, Any]:
    """The document, read as JSON, else as YAML; Invalid when it is neither, or no object."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or "")
    if not text.strip():
        raise Invalid("Invalid OpenAPI input.")
    try:
        document = json.loads(text)
    except ValueError:
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError:
            raise Invalid("Invalid OpenAPI input.") from None
    if not isinstance(document, dict):
        raise Invalid("Invalid OpenAPI input.")
    return document


def resolve_aws_variables(document: Any, account_id: str, region: str) -> Any:
    """The document with ${AWS::AccountId}, ${AWS::Partition} and ${AWS::Region} in its
    values resolved for the importing account and region, as
    https://docs.aws.amazon.com/apigateway/latest/developerguide/import-api-aws-variables.html
    says."""
    if isinstance(document, dict):
        return {k: resolve_aws_variables(v, account_id, region) for k, v in document.items()}
    if isinstance(document, list):
        return [resolve_aws_variables(v, account_id, region) for v in document]
    if isinstance(document, str) and "${AWS::" in document:
        return (
            document.replace("${AWS::AccountId}", account_id)
            .replace("${AWS::Partition}", "aws")
            .replace("${AWS::Region}", region)
        )
    return document


def base_path(document: dict[str, Any]) -> str:
    """The path of the document's first server URL (its variables at their defaults), or
    Swagger 2's basePath; '' when it names none."""
    if "swagger" in document:
        return str(document.get("basePath") or "")
    servers = document.get("servers") or []
    if not servers or not isinstance(servers[0], dict):
        return ""
    url = str(servers[0].get("url") or "")
    variables = servers[0].get("variables") or {}
    for name, variable in variables.items() if isinstance(variables, dict) else ():
        default = variable.get("default", "") if isinstance(variable, dict) else ""
        url = url.replace("{" + str(name) + "}", str(default))
    path = re.sub(r"^[a-z]+://[^/]*", "", url)
    return path if path.startswith("/") else ""


def path_prefix(document: dict[str, Any], mode: str) -> str:
    """What an import puts before every path: nothing (`ignore`), the base path (`prepend`),
    or the base path without its first segment (`split`)."""
    if mode not in BASEPATH_MODES:
        raise Invalid(f"Invalid basepath parameter: {mode} (ignore, prepend or split)")
    base = base_path(document).strip("/")
    if mode == "ignore" or not base:
        return ""
    if mode == "split":
        base = "/".join(base.split("/")[1:])
    return "/" + base if base else ""


def dump(document: dict[str, Any], as_yaml: bool) -> bytes:
    """The document as the exports write it: indented JSON, or YAML in the document's order."""
    if as_yaml:
        return yaml.safe_dump(document, sort_keys=False).encode()
    return json.dumps(document, indent=2).encode()
