"""Documentation versions: CreateDocumentationVersion snapshots the API's documentation parts
as they are now, under a version name of the caller's; Get/GetDocumentationVersions, the
`/description` patch and DeleteDocumentationVersion. A stage names the version it publishes
(`documentationVersion`: CreateStage, UpdateStage, or CreateDocumentationVersion's
`stageName`), and GetExport exports that version's parts (openapi_export.py).

The versions live in the API's config (rest_apis.PARTS), beside the parts, so they are
durable and go with the API. The messages are AWS's words where AWS documents them;
otherwise Lamina's."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.services.apigateway import documentation_parts, patches, rest_apis
from lamina.services.apigateway.errors import bad_request, conflict, not_found, stage_not_found
from lamina.services.apigateway.rest_apis import RestApi, page
from lamina.store import Store
from lamina.store.schema import apigateway_stages as stages

PART = "documentationVersions"
_PATCHABLE = {"description": patches.FIELD}
Versions = dict[str, dict[str, Any]]  # version → {version, createdDate, description?, parts}


def of(api: RestApi) -> Versions:
    return dict(api.config.get(PART) or {})


def parts_of(api: RestApi, version: str) -> list[dict[str, Any]] | None:
    """The parts version `version` froze (each as GetDocumentationPart answered then)."""
    found = of(api).get(version)
    return list(found["parts"]) if found is not None else None


def check_known(api: RestApi, version: str | None) -> None:
    """A stage's documentationVersion must be one of the API's versions."""
    if version and version not in of(api):
        raise bad_request(f"Documentation version {version} does not exist for this API")


def _missing() -> Exception:
    return not_found("Invalid Documentation version identifier specified")


def _present(version: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in version.items() if k != "parts"}


def _stages_using(conn: Connection, api_id: str, version: str) -> list[str]:
    rows = conn.execute(
        sa.select(stages.c.stage_name, stages.c.config).where(stages.c.api_id == api_id)
    ).all()
    return sorted(r.stage_name for r in rows if r.config.get("documentationVersion") == version)


class DocumentationVersionOperations:
    store: Store
    stages_changed: Callable[[str], None]

    def create_documentation_version(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        name = params.get("documentationVersion") or ""
        if not name.strip():
            raise bad_request("Documentation version must not be empty")
        stage_name = params.get("stageName")
        with self.store.write() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            versions = of(api)
            if name in versions:
                raise conflict(f"Documentation version {name} already exists")
            stage = None
            if stage_name:
                stage = conn.execute(
                    sa.select(stages.c.config).where(
                        stages.c.api_id == api.api_id, stages.c.stage_name == stage_name
                    )
                ).first()
                if stage is None:
                    raise stage_not_found()
            version: dict[str, Any] = {"version": name, "createdDate": time.time()}
            if params.get("description"):
                version["description"] = params["description"]
            version["parts"] = documentation_parts.listed(documentation_parts.of(api))
            versions[name] = version
            rest_apis.save_part(conn, api, PART, versions)
            if stage is not None:
                conn.execute(
                    stages.update()
                    .where(stages.c.api_id == api.api_id, stages.c.stage_name == stage_name)
                    .values(
                        config={**stage.config, "documentationVersion": name},
                        updated_at=time.time(),
                    )
                )
        if stage is not None:
            self.stages_changed(api.api_id)
        return _present(version)

    def get_documentation_version(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.read() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
        found = of(api).get(params["documentationVersion"])
        if found is None:
            raise _missing()
        return _present(found)

    def get_documentation_versions(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.read() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
        listed = sorted(of(api).values(), key=lambda v: (v["createdDate"], v["version"]))
        return page([_present(v) for v in listed], params)

    def update_documentation_version(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.write() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            versions = of(api)
            version = dict(versions.get(params["documentationVersion"]) or {})
            if not version:
                raise _missing()
            patches.apply(version, params.get("patchOperations") or [], _PATCHABLE)
            if not version.get("description"):
                version.pop("description", None)
            versions[version["version"]] = version
            rest_apis.save_part(conn, api, PART, versions)
        return _present(version)

    def delete_documentation_version(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.write() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            versions = of(api)
            name = params["documentationVersion"]
            if name not in versions:
                raise _missing()
            using = _stages_using(conn, api.api_id, name)
            if using:
                raise bad_request(
                    f"Documentation version {name} is published by stage(s) {', '.join(using)}: "
                    "remove /documentationVersion from them first"
                )
            del versions[name]
            rest_apis.save_part(conn, api, PART, versions)
        return {}
