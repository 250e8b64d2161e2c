"""Stages: CreateStage/GetStage(s)/UpdateStage/DeleteStage. A stage names the deployment it
serves and carries stage variables (`${stageVariables.x}` in a Lambda integration's URI, and
`stageVariables` in the proxy event), its method settings (method_settings.py: throttling
enforced), its canary (canaries.py), its access log settings (`/accessLogSettings/…`
patches; lamina/services/access_logs/), the documentation version it publishes
(documentation_versions.py) and the client certificate its HTTP and HTTP_PROXY integrations
present (`/clientCertificateId`, one of the account's: client_certificates.py; the model's
CreateStage and CreateDeployment take none); UpdateStage's other patches are
stage_updates.py's.
Caches and tracing are refused: Lamina has neither yet."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.services import api_gateway_account
from lamina.services.access_logs import settings as access_log_settings
from lamina.services.apigateway import (
    canaries,
    client_certificates,
    documentation_versions,
    method_settings,
    rest_apis,
    stage_updates,
    tag_limits,
)
from lamina.services.apigateway.errors import (
    bad_request,
    conflict,
    deployment_not_found,
    not_supported,
    stage_not_found,
)
from lamina.store import Store
from lamina.store.schema import apigateway_deployments as deployments
from lamina.store.schema import apigateway_stages as stages

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_VARIABLE_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")
_VARIABLE_VALUE = re.compile(r"^[A-Za-z0-9\-._~:/?#&=,]{0,512}$")


_ACCESS_LOG = "accessLogSettings"
_ACCESS_LOG_FIELDS = ("destinationArn", "format")


def _patch_access_log(target: dict[str, Any], operations: list[dict[str, Any]]) -> list[Any]:
    """Apply the /accessLogSettings[/field] operations to `target`; answer the others."""
    rest: list[dict[str, Any]] = []
    for operation in operations:
        path = operation.get("path", "")
        head, _, key = path.lstrip("/").partition("/")
        if head != _ACCESS_LOG:
            rest.append(operation)
            continue
        op = operation.get("op", "")
        if op not in ("add", "replace", "remove"):
            raise bad_request("Invalid patch operation specified. Must be 'add'|'remove'|'replace'")
        if key not in ("", *_ACCESS_LOG_FIELDS) or (not key and op != "remove"):
            raise bad_request(
                f"Invalid patch path '{path}' specified for op '{op}'. Must be one of: "
                "[/accessLogSettings, /accessLogSettings/destinationArn, "
                "/accessLogSettings/format]"
            )
        settings = dict(target.get(_ACCESS_LOG) or {})
        if not key:
            settings = {}
        elif op == "remove":
            settings.pop(key, None)
        else:
            settings[key] = operation.get("value")
        target[_ACCESS_LOG] = {k: v for k, v in settings.items() if v}
    return rest


def _check_access_log(target: dict[str, Any], owner: str) -> None:
    settings = target.get(_ACCESS_LOG) or {}
    try:
        access_log_settings.check(settings.get("destinationArn"), settings.get("format"), owner)
    except access_log_settings.Invalid as error:
        raise bad_request(str(error)) from None
    except access_log_settings.Unsupported as error:
        raise not_supported(str(error)) from None


def _check_may_log(conn: Connection, ctx: RequestContext, before: Any, after: Any) -> None:
    """Logging newly set on: AWS wants the account's CloudWatch Logs role first."""
    if (
        after
        and after != before
        and not api_gateway_account.may_log(conn, ctx.account_id, ctx.region)
    ):
        raise bad_request(api_gateway_account.NEEDS_ROLE)


def access_log_of(config: dict[str, Any], owner: str) -> access_log_settings.AccessLog | None:
    """The data plane's view of a stage's access log settings."""
    return access_log_settings.serving(config.get(_ACCESS_LOG), owner, _ACCESS_LOG_FIELDS)


def check_name(name: str) -> None:
    if not _NAME.match(name):
        raise bad_request("Stage name only allows a-zA-Z0-9_")


def check_variables(variables: dict[str, str]) -> None:
    for name, value in variables.items():
        if not _VARIABLE_NAME.match(name):
            raise bad_request(
                "Stage variable name must be alphanumeric or underscore, 1 to 64 characters"
            )
        if not _VARIABLE_VALUE.match(value):
            raise bad_request(
                f"Stage variable value {value} is invalid. Valid characters are "
                "A-Za-z0-9-._~:/?#&=,"
            )


def refuse_unsupported(params: dict[str, Any]) -> None:
    if params.get("cacheClusterEnabled"):
        raise not_supported("stage caches (cacheClusterEnabled)")
    if params.get("tracingEnabled"):
        raise not_supported("X-Ray tracing of stages (tracingEnabled)")


def _present(row: Any) -> dict[str, Any]:
    answer: dict[str, Any] = {"deploymentId": row.deployment_id, "stageName": row.stage_name}
    answer.update(row.config)
    answer["cacheClusterEnabled"] = False
    answer["cacheClusterStatus"] = "NOT_AVAILABLE"
    answer["methodSettings"] = method_settings.presented(row.config.get("methodSettings") or {})
    answer["tracingEnabled"] = False
    answer["createdDate"] = row.created_at
    answer["lastUpdatedDate"] = row.updated_at
    return answer


def _config(params: dict[str, Any], description_key: str) -> dict[str, Any]:
    config: dict[str, Any] = {}
    if params.get(description_key):
        config["description"] = params[description_key]
    if params.get("variables"):
        check_variables(params["variables"])
        config["variables"] = params["variables"]
    if params.get("tags"):
        config["tags"] = tag_limits.checked(params["tags"])
    return config


def _deployment_exists(conn: Connection, api_id: str, deployment_id: str) -> bool:
    found = conn.execute(
        sa.select(deployments.c.deployment_id).where(
            deployments.c.api_id == api_id, deployments.c.deployment_id == deployment_id
        )
    ).first()
    return found is not None


def _find(conn: Connection, api_id: str, name: str) -> Any:
    row = conn.execute(
        sa.select(stages).where(stages.c.api_id == api_id, stages.c.stage_name == name)
    ).first()
    if row is None:
        raise stage_not_found()
    return row


def put(
    conn: Connection, api_id: str, name: str, deployment_id: str, params: dict[str, Any]
) -> None:
    """CreateDeployment's stage: made, or moved to the new deployment (its variables set anew
    when given), as AWS does; with canarySettings, the stage (which must exist) keeps its
    deployment and the new one becomes its canary."""
    now = time.time()
    found = conn.execute(
        sa.select(stages).where(stages.c.api_id == api_id, stages.c.stage_name == name)
    ).first()
    if params.get("canarySettings"):
        if found is None:
            raise bad_request(
                f"Invalid deployment content specified.Stage {name} must already be created "
                "before making a canary release deployment"
            )
        canary = canaries.made({**params["canarySettings"], "deploymentId": None}, deployment_id)
        check_variables(canary.get("stageVariableOverrides") or {})
        conn.execute(
            stages.update()
            .where(stages.c.api_id == api_id, stages.c.stage_name == name)
            .values(config={**found.config, "canarySettings": canary}, updated_at=now)
        )
        return
    if found is None:
        config = _config(params, "stageDescription")
        conn.execute(
            stages.insert().values(
                api_id=api_id, stage_name=name, deployment_id=deployment_id, config=config,
                created_at=now, updated_at=now,
            )
        )  # fmt: skip
        return
    config = dict(found.config)
    if params.get("variables"):
        check_variables(params["variables"])
        config["variables"] = {**config.get("variables", {}), **params["variables"]}
    conn.execute(
        stages.update()
        .where(stages.c.api_id == api_id, stages.c.stage_name == name)
        .values(deployment_id=deployment_id, config=config, updated_at=now)
    )


def serving(conn: Connection, api_id: str, name: str) -> tuple[str, dict[str, Any]] | None:
    """(deployment id, config: variables, methodSettings, canarySettings) of a stage, for the
    data plane; None if there is none."""
    row = conn.execute(
        sa.select(stages.c.deployment_id, stages.c.config).where(
            stages.c.api_id == api_id, stages.c.stage_name == name
        )
    ).first()
    if row is None:
        return None
    return row.deployment_id, dict(row.config)


class StageOperations:
    store: Store
    stages_changed: Callable[[str], None]  # the data plane reads the API's stages anew

    def create_stage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["stageName"]
        check_name(name)
        refuse_unsupported(params)
        config = _config(params, "description")
        now = time.time()
        with self.store.write() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            if params.get("documentationVersion"):
                documentation_versions.check_known(api, params["documentationVersion"])
                config["documentationVersion"] = params["documentationVersion"]
            if not _deployment_exists(conn, api.api_id, params["deploymentId"]):
                raise deployment_not_found()
            exists = conn.execute(
                sa.select(stages.c.stage_name).where(
                    stages.c.api_id == api.api_id, stages.c.stage_name == name
                )
            ).first()
            if exists is not None:
                raise conflict("Stage already exists")
            if params.get("canarySettings"):
                canary = canaries.made(params["canarySettings"], params["deploymentId"])
                check_variables(canary.get("stageVariableOverrides") or {})
                if not _deployment_exists(conn, api.api_id, canary["deploymentId"]):
                    raise deployment_not_found()
                config["canarySettings"] = canary
            conn.execute(
                stages.insert().values(
                    api_id=api.api_id, stage_name=name, deployment_id=params["deploymentId"],
                    config=config, created_at=now, updated_at=now,
                )
            )  # fmt: skip
            made = _present(_find(conn, api.api_id, name))
        self.stages_changed(api.api_id)
        return made

    def get_stage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            return _present(_find(conn, api.api_id, params["stageName"]))

    def get_stages(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            query = sa.select(stages).where(stages.c.api_id == api.api_id)
            if params.get("deploymentId"):
                query = query.where(stages.c.deployment_id == params["deploymentId"])
            rows = conn.execute(query.order_by(stages.c.stage_name)).all()
        return {"item": [_present(row) for row in rows]}

    def update_stage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            found = _find(conn, api.api_id, params["stageName"])
            target = {"deploymentId": found.deployment_id, **found.config}
            operations = _patch_access_log(target, params.get("patchOperations") or [])
            named = stage_updates.apply(target, operations)
            _check_access_log(target, ctx.account_id)
            _check_may_log(conn, ctx, found.config.get(_ACCESS_LOG), target.get(_ACCESS_LOG))
            deployment_id = target.pop("deploymentId", None)
            for checked in [deployment_id, *named]:
                if not checked or not _deployment_exists(conn, api.api_id, checked):
                    raise deployment_not_found()
            check_variables(target.get("variables") or {})
            documentation_versions.check_known(api, target.get("documentationVersion"))
            if target.get("clientCertificateId"):
                client_certificates.find(conn, ctx, target["clientCertificateId"])
            canary = target.get("canarySettings") or {}
            check_variables(canary.get("stageVariableOverrides") or {})
            config = {k: v for k, v in target.items() if v not in (None, {}, "")}
            conn.execute(
                stages.update()
                .where(stages.c.api_id == api.api_id, stages.c.stage_name == found.stage_name)
                .values(deployment_id=deployment_id, config=config, updated_at=time.time())
            )
            updated = _present(_find(conn, api.api_id, found.stage_name))
        self.stages_changed(api.api_id)
        return updated

    def delete_stage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            found = _find(conn, api.api_id, params["stageName"])
            conn.execute(
                stages.delete().where(
                    stages.c.api_id == api.api_id, stages.c.stage_name == found.stage_name
                )
            )
        self.stages_changed(api.api_id)
        return {}
