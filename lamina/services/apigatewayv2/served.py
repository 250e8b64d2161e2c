"""What the data plane serves of an API: its settings, and for each stage the deployment it
points to. Read once and kept briefly (the edge asks on every request whether an id is an HTTP
API's); a change made through this node drops its entry once committed, one made by another
node of a fleet is seen within TTL_S."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from lamina.services.access_logs import settings as access_log_settings
from lamina.services.access_logs.settings import AccessLog
from lamina.services.apigatewayv2 import items
from lamina.services.lambda_.recent import Recent
from lamina.store import Store

_ACCESS_LOG_FIELDS = ("DestinationArn", "Format")
AUTHORIZERS_RESET = "AuthorizersCacheResetAt"  # a stage's config: ResetAuthorizersCache's time


@dataclass(frozen=True)
class Deployed:
    routes: dict[str, dict[str, Any]]  # by RouteKey
    integrations: dict[str, dict[str, Any]]  # by IntegrationId
    authorizers: dict[str, dict[str, Any]]  # by AuthorizerId
    answering: frozenset[str] = frozenset()  # WebSocket routes with a route response (RouteIds)
    # WebSocket APIs': each non-proxy integration's responses (by IntegrationId), and models
    integration_responses: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    models: dict[str, dict[str, Any]] = field(default_factory=dict)  # schemas by name


@dataclass(frozen=True)
class Stage:
    name: str
    variables: dict[str, str]
    deployed: Deployed | None  # None: not deployed yet
    default_route_settings: dict[str, Any] = field(default_factory=dict)
    route_settings: dict[str, dict[str, Any]] = field(default_factory=dict)  # by RouteKey
    access_log: AccessLog | None = None
    authorizers_reset_at: float = 0.0  # ResetAuthorizersCache's time (wall clock)


@dataclass(frozen=True)
class View:
    api: items.Api
    stages: dict[str, Stage]


def _read(store: Store, api_id: str) -> View | None:
    with store.read() as conn:
        api = items.api(conn, api_id)
        if api is None:
            return None
        stages: dict[str, Stage] = {}
        for stage in items.all_items(conn, api_id, items.STAGE):
            deployed = None
            deployment_id = stage.config.get("DeploymentId")
            found = deployment_id and items.item(conn, api_id, items.DEPLOYMENT, deployment_id)
            if found:
                snapshot = found.config["Snapshot"]
                routes = {route["RouteKey"]: route for route in snapshot["Routes"]}
                responses = snapshot.get("RouteResponses", [])
                answering = frozenset(r["RouteId"] for r in responses)
                by_integration: dict[str, list[dict[str, Any]]] = {}
                for answer in snapshot.get("IntegrationResponses", []):
                    by_integration.setdefault(answer["IntegrationId"], []).append(answer)
                deployed = Deployed(
                    routes, snapshot["Integrations"], snapshot.get("Authorizers", {}), answering,
                    by_integration, snapshot.get("Models", {}),
                )  # fmt: skip
            variables = stage.config.get("StageVariables") or {}
            access_log = access_log_settings.serving(
                stage.config.get("AccessLogSettings"), api.account_id, _ACCESS_LOG_FIELDS
            )
            stages[stage.item_id] = Stage(
                stage.item_id,
                variables,
                deployed,
                stage.config.get("DefaultRouteSettings") or {},
                stage.config.get("RouteSettings") or {},
                access_log,
                stage.config.get(AUTHORIZERS_RESET, 0.0),
            )
    return View(api, stages)


class ServedApis:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.recent: Recent[str, View | None] = Recent()

    def view(self, api_id: str) -> View | None:
        """From a thread, or the loop where reads do not wait."""
        found, value = self.recent.get(api_id)
        if found:
            return value
        read_at = time.monotonic()
        value = _read(self.store, api_id)
        self.recent.put(api_id, value, read_at)
        return value

    def drop(self, api_id: str) -> None:
        self.recent.drop(api_id)

    def clear(self) -> None:
        self.recent.clear()
