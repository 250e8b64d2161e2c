"""Resources: a REST API's path tree. A path part is a literal (`items`), a path parameter
(`{id}`) or a greedy one (`{proxy+}`, which has no children); one parameter per level."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from lamina.context import RequestContext
from lamina.services.apigateway import ids, patches, rest_apis
from lamina.services.apigateway.errors import bad_request, conflict, resource_not_found
from lamina.services.apigateway.rest_apis import page
from lamina.store import Store
from lamina.store.schema import apigateway_resources as resources

_PATH_PART = re.compile(r"^(?:[A-Za-z0-9._:-]+|\{[A-Za-z0-9._-]+\+?\})$")
_BAD_PART = (
    "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the "
    "end and an optional plus sign before the closing brace."
)
_PATCHABLE = {"pathPart": patches.FIELD, "parentId": patches.FIELD}


@dataclass(frozen=True)
class Resource:
    api_id: str
    resource_id: str
    parent_id: str | None
    path_part: str | None
    path: str
    methods: dict[str, Any]

    def present(self, embed_methods: bool | None = None) -> dict[str, Any]:
        """As AWS answers: resourceMethods names the methods, with their whole configuration
        when embed=methods; None leaves them out (CreateResource's answer)."""
        answer: dict[str, Any] = {"id": self.resource_id}
        if self.parent_id is not None:
            answer["parentId"] = self.parent_id
        if self.path_part is not None:
            answer["pathPart"] = self.path_part
        answer["path"] = self.path
        if embed_methods is not None and self.methods:
            answer["resourceMethods"] = (
                self.methods if embed_methods else {name: {} for name in self.methods}
            )
        return answer


def _duplicate(part: str) -> Exception:
    return conflict(f"Another resource with the same parent already has this name: {part}")


def is_variable(part: str) -> bool:
    return part.startswith("{")


def find(conn: Connection, api_id: str, resource_id: str) -> Resource:
    row = conn.execute(
        sa.select(resources).where(
            resources.c.api_id == api_id, resources.c.resource_id == resource_id
        )
    ).first()
    if row is None:
        raise resource_not_found()
    return Resource(*row)


def all_of(conn: Connection, api_id: str) -> list[Resource]:
    query = sa.select(resources).where(resources.c.api_id == api_id).order_by(resources.c.path)
    return [Resource(*row) for row in conn.execute(query)]


def save_methods(conn: Connection, resource: Resource, methods: dict[str, Any]) -> None:
    conn.execute(
        resources.update()
        .where(
            resources.c.api_id == resource.api_id,
            resources.c.resource_id == resource.resource_id,
        )
        .values(methods=methods)
    )


def _check_place(conn: Connection, api_id: str, parent: Resource, part: str,
                 moving: str | None = None) -> None:  # fmt: skip
    """May a resource `part` sit under `parent` (`moving`: the resource being moved there,
    not its own sibling)?"""
    if parent.path_part and parent.path_part.endswith("+}"):
        raise bad_request(
            f"Cannot create a child of a resource with a greedy path variable: {parent.path_part}"
        )
    siblings = conn.execute(
        sa.select(resources.c.path_part).where(
            resources.c.api_id == api_id,
            resources.c.parent_id == parent.resource_id,
            resources.c.resource_id != (moving or ""),
        )
    ).scalars()
    for sibling in siblings:
        if sibling == part:
            raise _duplicate(part)
        if is_variable(part) and is_variable(sibling):
            raise bad_request(
                f"A sibling ({sibling}) of this resource already has a variable path "
                "part -- only one is allowed"
            )


class ResourceOperations:
    store: Store

    def create_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        part = params["pathPart"]
        if not _PATH_PART.match(part):
            raise bad_request(_BAD_PART)
        with self.store.write() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            parent = find(conn, api.api_id, params["parentId"])
            _check_place(conn, api.api_id, parent, part)
            path = f"{parent.path.rstrip('/')}/{part}"
            made = Resource(api.api_id, ids.resource_id(), parent.resource_id, part, path, {})
            try:
                conn.execute(resources.insert().values(**made.__dict__))
            except IntegrityError:  # another request made the same path first
                raise _duplicate(part) from None
        return made.present()

    def get_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            found = find(conn, api.api_id, params["resourceId"])
        return found.present("methods" in (params.get("embed") or []))

    def get_resources(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        embed = "methods" in (params.get("embed") or [])
        with self.store.read() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            found = [r.present(embed) for r in all_of(conn, api.api_id)]
        return page(found, params)

    def update_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """A new path part, or a new parent: the resource and everything below it move."""
        with self.store.write() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            found = find(conn, api.api_id, params["resourceId"])
            if found.parent_id is None:
                raise bad_request("Cannot update the root resource of a REST API")
            target = {"pathPart": found.path_part, "parentId": found.parent_id}
            patches.apply(target, params.get("patchOperations") or [], _PATCHABLE)
            part, parent_id = target.get("pathPart"), target.get("parentId")
            if not part or not _PATH_PART.match(part):
                raise bad_request(_BAD_PART)
            if not parent_id:
                raise bad_request("A resource must have a parent: parentId cannot be removed")
            parent = find(conn, api.api_id, parent_id)
            below = f"{found.path}/"
            if parent.resource_id == found.resource_id or parent.path.startswith(below):
                raise bad_request("A resource cannot be moved under itself or its own children")
            _check_place(conn, api.api_id, parent, part, moving=found.resource_id)
            path = f"{parent.path.rstrip('/')}/{part}"
            moved = [r for r in all_of(conn, api.api_id) if r.path.startswith(below)]
            if part.endswith("+}") and moved:
                raise bad_request(
                    f"Cannot create a child of a resource with a greedy path variable: {part}"
                )
            mine = resources.c.api_id == api.api_id
            conn.execute(
                resources.update()
                .where(mine, resources.c.resource_id == found.resource_id)
                .values(parent_id=parent.resource_id, path_part=part, path=path)
            )
            for child in moved:
                conn.execute(
                    resources.update()
                    .where(mine, resources.c.resource_id == child.resource_id)
                    .values(path=path + child.path[len(found.path) :])
                )
            updated = find(conn, api.api_id, found.resource_id)
        return updated.present(False)

    def delete_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            found = find(conn, api.api_id, params["resourceId"])
            if found.parent_id is None:
                raise bad_request("Cannot delete the root resource of a REST API")
            below = resources.c.path.startswith(f"{found.path}/", autoescape=True)
            conn.execute(
                resources.delete().where(
                    resources.c.api_id == api.api_id,
                    sa.or_(resources.c.path == found.path, below),
                )
            )
        return {}
