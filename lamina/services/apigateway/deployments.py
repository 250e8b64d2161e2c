"""Deployments: CreateDeployment snapshots the API's resources, methods and integrations (and
its binaryMediaTypes, apiKeySource, authorizers, gateway responses and resource policy); a
stage serves its deployment's snapshot, so later changes are not live until the next
deployment, as on AWS.
With stageName, CreateDeployment makes (or moves) that stage too; with canarySettings as well,
the new deployment is that stage's canary (canaries.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.services.apigateway import (
    authorizers,
    ids,
    patches,
    resources,
    rest_apis,
    stages,
    validators,
)
from lamina.services.apigateway.errors import bad_request, deployment_not_found, not_supported
from lamina.services.apigateway.methods import INVALID_AUTHORIZER
from lamina.services.apigateway.rest_apis import RestApi, page
from lamina.store import Store
from lamina.store.schema import apigateway_deployments as deployments
from lamina.store.schema import apigateway_stages as stage_rows


def _present(row: Any) -> dict[str, Any]:
    answer: dict[str, Any] = {"id": row.deployment_id}
    if row.description:
        answer["description"] = row.description
    answer["createdDate"] = row.created_at
    return answer


def snapshot(conn: Connection, api: RestApi) -> dict[str, Any]:
    """What the data plane serves of the API, as it is now; refused when it serves nothing."""
    tree = resources.all_of(conn, api.api_id)
    if not any(r.methods for r in tree):
        raise bad_request("The REST API doesn't contain any methods")
    known = authorizers.of_api(conn, api, api.api_id)
    for resource in tree:
        for method in resource.methods.values():
            if "methodIntegration" not in method:
                raise bad_request("No integration defined for method")
            if method.get("authorizationType") in ("CUSTOM", "COGNITO_USER_POOLS") and (
                method.get("authorizerId") not in known
            ):
                raise bad_request(INVALID_AUTHORIZER)
    return definition(api, tree, known)


def definition(api: RestApi, tree: list[resources.Resource],
               known: dict[str, dict[str, Any]]) -> dict[str, Any]:  # fmt: skip
    """The API's resources, methods and settings as the data plane reads them, unchecked:
    snapshot()'s, and TestInvokeMethod's (which serves it from memory, never stored)."""
    return {
        "binaryMediaTypes": api.config.get("binaryMediaTypes") or [],
        "apiKeySource": api.config.get("apiKeySource", "HEADER"),
        # takes effect with a deployment, as AWS documents it
        "disableExecuteApiEndpoint": bool(api.config.get("disableExecuteApiEndpoint")),
        "policy": api.config.get("policy"),  # from a deployment on, too (AWS's docs)
        "authorizers": known,
        "gatewayResponses": api.config.get("gatewayResponses") or {},
        "resources": [{"id": r.resource_id, "path": r.path, "methods": r.methods} for r in tree],
        **validators.snapshot(api),  # models and request validators
    }


def find(conn: Connection, api_id: str, deployment_id: str) -> Any:
    row = conn.execute(
        sa.select(deployments).where(
            deployments.c.api_id == api_id, deployments.c.deployment_id == deployment_id
        )
    ).first()
    if row is None:
        raise deployment_not_found()
    return row


def snapshot_of(conn: Connection, api_id: str, deployment_id: str) -> dict[str, Any] | None:
    found = conn.execute(
        sa.select(deployments.c.snapshot).where(
            deployments.c.api_id == api_id, deployments.c.deployment_id == deployment_id
        )
    ).scalar()
    return dict(found) if found is not None else None


class DeploymentOperations:
    store: Store
    stages_changed: Callable[[str], None]  # the data plane reads the API's stages anew

    def create_deployment(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        stage_name = params.get("stageName")
        stages.refuse_unsupported(params)
        if params.get("canarySettings"):
            if not stage_name:
                shown = "null" if stage_name is None else stage_name
                raise bad_request(
                    "Invalid deployment content specified.Non null and non empty stageName must "
                    f"be provided for canary deployment. Provided value is {shown}"
                )
            if params.get("variables") or params.get("stageDescription"):
                raise not_supported("variables or stageDescription with a canary deployment")
        if stage_name:
            stages.check_name(stage_name)
        with self.store.write() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            deployment_id = ids.deployment_id()
            made = {
                "api_id": api.api_id, "deployment_id": deployment_id,
                "description": params.get("description"), "created_at": time.time(),
                "snapshot": snapshot(conn, api),
            }  # fmt: skip
            conn.execute(deployments.insert().values(**made))
            if stage_name:
                stages.put(conn, api.api_id, stage_name, deployment_id, params)
        if stage_name:
            self.stages_changed(api.api_id)
        return _present(_Row(made))

    def get_deployment(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            return _present(find(conn, api.api_id, params["deploymentId"]))

    def get_deployments(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            rows = conn.execute(
                sa.select(deployments)
                .where(deployments.c.api_id == api.api_id)
                .order_by(deployments.c.created_at, deployments.c.deployment_id)
            ).all()
        return page([_present(row) for row in rows], params)

    def update_deployment(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """A deployment's description is all that changes: its snapshot is what it served."""
        with self.store.write() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            found = find(conn, api.api_id, params["deploymentId"])
            target = {"description": found.description}
            patches.apply(
                target, params.get("patchOperations") or [], {"description": patches.FIELD}
            )
            mine = sa.and_(
                deployments.c.api_id == api.api_id,
                deployments.c.deployment_id == found.deployment_id,
            )
            conn.execute(
                deployments.update().where(mine).values(description=target.get("description"))
            )
            return _present(find(conn, api.api_id, found.deployment_id))

    def delete_deployment(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            found = find(conn, api.api_id, params["deploymentId"])
            used = conn.execute(
                sa.select(stage_rows.c.deployment_id, stage_rows.c.config).where(
                    stage_rows.c.api_id == api.api_id
                )
            ).all()
            canaries = [(r.config.get("canarySettings") or {}).get("deploymentId") for r in used]
            if found.deployment_id in [r.deployment_id for r in used] + canaries:
                raise bad_request(
                    "Active stages pointing to this deployment must be moved or deleted"
                )
            conn.execute(
                deployments.delete().where(
                    deployments.c.api_id == api.api_id,
                    deployments.c.deployment_id == found.deployment_id,
                )
            )
        return {}


class _Row:
    """A just-made deployment, read like a row."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)
