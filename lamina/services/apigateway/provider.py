"""Amazon API Gateway, REST APIs (`apigateway`): the operations, gathered from one module per
concept, and the data plane the edge hands deployed APIs' requests to (plane.py).

Served: RestApis, Resources, Methods, Integrations, Method and Integration responses (Put, Get,
Update, Delete), Deployments, Stages. Every other operation of the model (authorizers, API keys
and usage plans, models, validators, gateway responses, import/export, domain names, …)
answers NotImplementedException."""

from __future__ import annotations

from lamina.config import Settings
from lamina.services.apigateway.deployments import DeploymentOperations
from lamina.services.apigateway.plane import RestApiPlane
from lamina.services.apigateway.resources import ResourceOperations
from lamina.services.apigateway.rest_apis import RestApiOperations
from lamina.services.apigateway.stages import StageOperations
from lamina.services.apigateway.updates import UpdateOperations
from lamina.services.internal import InternalClient
from lamina.services.registry import Provider
from lamina.store import Store


class ApiGatewayProvider(
    RestApiOperations,
    ResourceOperations,
    UpdateOperations,
    DeploymentOperations,
    StageOperations,
    Provider,
):
    service_name = "apigateway"

    def __init__(self, store: Store, settings: Settings, internal: InternalClient) -> None:
        self.store = store
        self.settings = settings
        self.known: set[str] = set()  # API ids seen on this node, shared with the plane
        self.plane = RestApiPlane(store, internal, self.known)
        self.stages_changed = self.plane.forget_stages

    def reset(self) -> None:
        self.plane.forget()
