"""Documentation parts: JSON `properties` attached to a location of a REST API (the API, an
authorizer, a model, a resource, a method, a parameter, a request or response …). They live in
the API's config (rest_apis.PARTS), so they are durable and go with the API.

Which location fields each type takes follows AWS's DocumentationPartLocation reference:
`path` defaults to `/`, `method` and `statusCode` to `*`; `name` is required where the docs say.
The error messages here are Lamina's words: no AWS-recorded answer was at hand."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.protocol.errors import ServiceError
from lamina.services.apigateway import ids, patches, rest_apis
from lamina.services.apigateway.errors import bad_request, conflict, not_found
from lamina.services.apigateway.rest_apis import RestApi, page
from lamina.store import Store

_PATH, _METHOD, _STATUS = "path", "method", "statusCode"
# type → (fields it takes beside `type`, whether `name` is required, whether it takes `name`)
_TYPES: dict[str, tuple[tuple[str, ...], bool, bool]] = {
    "API": ((), False, False),
    "AUTHORIZER": ((), True, True),
    "MODEL": ((), True, True),
    "RESOURCE": ((_PATH,), False, False),
    "METHOD": ((_PATH, _METHOD), False, False),
    "PATH_PARAMETER": ((_PATH, _METHOD), True, True),
    "QUERY_PARAMETER": ((_PATH, _METHOD), True, True),
    "REQUEST_HEADER": ((_PATH, _METHOD), True, True),
    "REQUEST_BODY": ((_PATH, _METHOD), False, True),
    "RESPONSE": ((_PATH, _METHOD, _STATUS), False, False),
    "RESPONSE_HEADER": ((_PATH, _METHOD, _STATUS), True, True),
    "RESPONSE_BODY": ((_PATH, _METHOD, _STATUS), False, True),
}
_DEFAULTS = {_PATH: "/", _METHOD: "*", _STATUS: "*"}
_PATCHABLE = {"properties": patches.FIELD}
EXTENSION = "x-amazon-apigateway-documentation"
Parts = dict[str, dict[str, Any]]  # id → DocumentationPart, as GetDocumentationPart answers


def location_of(given: dict[str, Any]) -> dict[str, Any]:
    """The location as AWS keeps it (defaults filled in), or BadRequestException."""
    kind = given.get("type")
    if kind not in _TYPES:
        raise bad_request(
            f"Invalid documentation location type: {kind}. Must be one of {', '.join(_TYPES)}"
        )
    fields, name_required, takes_name = _TYPES[kind]
    for field in (_PATH, _METHOD, _STATUS):
        if given.get(field) is not None and field not in fields:
            raise bad_request(f"Invalid location field '{field}' for location type {kind}")
    if given.get("name") is not None and not takes_name:
        raise bad_request(f"Invalid location field 'name' for location type {kind}")
    if name_required and not given.get("name"):
        raise bad_request(f"Location name is required for location type {kind}")
    location: dict[str, Any] = {"type": kind}
    for field in fields:
        location[field] = given.get(field) or _DEFAULTS[field]
    if given.get("name"):
        location["name"] = given["name"]
    if not location.get(_PATH, "/").startswith("/"):
        raise bad_request(f"Invalid location path: {location[_PATH]}")
    return location


def check_properties(text: str | None) -> str:
    try:
        json.loads(text or "")
    except ValueError:
        raise bad_request("Documentation part properties must be valid JSON") from None
    return text or ""


def of(api: RestApi) -> Parts:
    return dict(api.config.get("documentationParts") or {})


def _missing() -> Exception:
    return not_found("Invalid Documentation part identifier specified")


def _has_content(part: dict[str, Any]) -> bool:
    return bool(json.loads(part["properties"]))


def listed(parts: Parts) -> list[dict[str, Any]]:
    return sorted(parts.values(), key=lambda p: str(p["id"]))


def add(parts: Parts, location: dict[str, Any], properties: str) -> dict[str, Any]:
    """A new part in `parts`; ConflictException if one is at that location already."""
    if any(p["location"] == location for p in parts.values()):
        raise conflict("Documentation part already exists for the specified location")
    part_id = ids.short_id()
    part = {"id": part_id, "location": location, "properties": properties}
    parts[part_id] = part
    return part


def _key(location: dict[str, Any]) -> str:
    return json.dumps(location, sort_keys=True)


def declared(document: dict[str, Any], warnings: list[str]) -> list[tuple[dict[str, Any], str]]:
    """The (location, properties) pairs of an OpenAPI document's
    x-amazon-apigateway-documentation, checked as CreateDocumentationPart checks them; a
    location given twice is a warning, the last one kept. Its `version` (the snapshot an
    export came from) is not read: the parts become the API's current ones."""
    extension = document.get(EXTENSION)
    if not isinstance(extension, dict):
        raise bad_request(f"Invalid OpenAPI input: {EXTENSION} must be an object")
    listed_parts = extension.get("documentationParts")
    if listed_parts is None:
        listed_parts = []
    if not isinstance(listed_parts, list):
        raise bad_request(f"Invalid OpenAPI input: {EXTENSION}.documentationParts must be a list")
    found: dict[str, tuple[dict[str, Any], str]] = {}
    for n, part in enumerate(listed_parts):
        at = f"{EXTENSION}.documentationParts[{n}]"
        if not isinstance(part, dict) or not isinstance(part.get("location"), dict):
            raise bad_request(f"Invalid OpenAPI input: {at} must be an object with a location")
        properties = part.get("properties", {})
        if not isinstance(properties, dict):
            raise bad_request(f"Invalid OpenAPI input: the properties of {at} must be an object")
        try:
            location = location_of(part["location"])
        except ServiceError as error:
            raise bad_request(f"Invalid OpenAPI input: {at}: {error.message}") from None
        key = _key(location)
        if key in found:
            warnings.append(f"{at}: a second part for location {key}: the last one is kept")
        found[key] = (location, json.dumps(properties))
    return list(found.values())


def merged(
    parts: Parts, imported: list[tuple[dict[str, Any], str]], merge: bool
) -> tuple[Parts, list[str]]:
    """The API's parts after an import (merge: a part at an imported location gets the new
    properties and keeps its id, the others stay; overwrite: only the imported ones), and the
    imported parts' ids in the document's order."""
    out: Parts = dict(parts) if merge else {}
    at = {_key(p["location"]): i for i, p in out.items()}
    made: list[str] = []
    for location, properties in imported:
        found = at.get(_key(location))
        if found is not None:
            out[found] = {**out[found], "properties": properties}
            made.append(found)
        else:
            made.append(add(out, location, properties)["id"])
    return out, made


def exported(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parts as x-amazon-apigateway-documentation lists them: location and properties (an
    object), as ImportDocumentationParts reads them back."""
    return [{"location": p["location"], "properties": json.loads(p["properties"])} for p in parts]


class DocumentationPartOperations:
    store: Store

    def _parts(self, conn: Connection, ctx: RequestContext, api_id: str) -> tuple[RestApi, Parts]:
        api = rest_apis.find(conn, ctx, api_id)
        return api, of(api)

    def create_documentation_part(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        location = location_of(params.get("location") or {})
        properties = check_properties(params.get("properties"))
        with self.store.write() as conn:
            api, parts = self._parts(conn, ctx, params["restApiId"])
            part = add(parts, location, properties)
            rest_apis.save_part(conn, api, "documentationParts", parts)
        return part

    def get_documentation_part(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            _, parts = self._parts(conn, ctx, params["restApiId"])
        part = parts.get(params["documentationPartId"])
        if part is None:
            raise _missing()
        return part

    def get_documentation_parts(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.read() as conn:
            _, parts = self._parts(conn, ctx, params["restApiId"])
        status = params.get("locationStatus")
        if status not in (None, "DOCUMENTED", "UNDOCUMENTED"):
            raise bad_request("Invalid locationStatus. Must be one of DOCUMENTED, UNDOCUMENTED")
        found = listed(parts)
        if status:  # AWS: DOCUMENTED parts have content, UNDOCUMENTED ones have none
            found = [p for p in found if _has_content(p) == (status == "DOCUMENTED")]
        if params.get("type"):
            found = [p for p in found if p["location"]["type"] == params["type"]]
        if params.get("nameQuery"):
            found = [p for p in found if params["nameQuery"] in p["location"].get("name", "")]
        if params.get("path"):
            found = [p for p in found if p["location"].get("path") == params["path"]]
        return page(found, params)

    def update_documentation_part(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.write() as conn:
            api, parts = self._parts(conn, ctx, params["restApiId"])
            part = dict(parts.get(params["documentationPartId"]) or {})
            if not part:
                raise _missing()
            patches.apply(part, params.get("patchOperations") or [], _PATCHABLE)
            part["properties"] = check_properties(part.get("properties"))
            parts[part["id"]] = part
            rest_apis.save_part(conn, api, "documentationParts", parts)
        return part

    def delete_documentation_part(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.write() as conn:
            api, parts = self._parts(conn, ctx, params["restApiId"])
            if parts.pop(params["documentationPartId"], None) is None:
                raise _missing()
            rest_apis.save_part(conn, api, "documentationParts", parts)
        return {}
