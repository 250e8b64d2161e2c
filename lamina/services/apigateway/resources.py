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
from lamina.services.apigateway import ids, rest_apis
from lamina.services.apigateway.errors import bad_request, conflict, resource_not_found
from lamina.services.apigateway.rest_apis import page
from lamina.store import Store
from lamina.store.schema import apigateway_resources as resources

_PATH_PART = re.compile(r"^(?:[A-Za-z0-9._:-]+|\{[A-Za-z0-9._-]+\+?\})$")
_BAD_PART = (
    "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the "
    "end and an optional plus sign before the closing brace."
)


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


class ResourceOperations:
    store: Store

    def create_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        part = params["pathPart"]
        if not _PATH_PART.match(part):
            raise bad_request(_BAD_PART)
        with self.store.write() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            parent = find(conn, api.api_id, params["parentId"])
            if parent.path_part and parent.path_part.endswith("+}"):
                raise bad_request(
                    f"Cannot create a child of a resource with a greedy path variable: "
                    f"{parent.path_part}"
                )
            siblings = conn.execute(
                sa.select(resources.c.path_part).where(
                    resources.c.api_id == api.api_id, resources.c.parent_id == parent.resource_id
                )
            ).scalars()
            for sibling in siblings:
                if sibling == part:
                    raise conflict(
                        f"Another resource with the same parent already has this name: {part}"
                    )
                if is_variable(part) and is_variable(sibling):
                    raise bad_request(
                        f"A sibling ({sibling}) of this resource already has a variable path "
                        "part -- only one is allowed"
                    )
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
