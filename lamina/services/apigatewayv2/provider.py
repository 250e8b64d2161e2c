"""Amazon API Gateway v2, HTTP APIs: the operations, gathered from one module per concept, and
the data plane (plane.py) that node.py hands the edge's ExecuteApiLayer.

WebSocket APIs (ProtocolType WEBSOCKET) have their own data plane (websocket_plane.py), which
node.py hands the edge before the HTTP APIs' one. Theirs alone: route responses, integration
responses (integration_response_operations.py), models (model_operations.py) and the non-proxy
integrations (AWS to Lambda, HTTP, MOCK) whose templates websocket_mapping.py renders.

ImportApi and ReimportApi read an HTTP API from an OpenAPI 3.0 document (openapi_import.py);
ExportApi writes one (openapi_export.py).

Not served yet (each refused with a clear BadRequestException where a request asks for it):
parameter mapping of Lambda integrations, of body values of HTTP integrations and of
responses, AWS service integrations other than SQS's (and, for WebSocket APIs, other than
Lambda's), VPC links, `$ref` between WebSocket models."""

from __future__ import annotations

import asyncio

from lamina.config import Settings
from lamina.services.apigatewayv2.api_operations import ApiOperations
from lamina.services.apigatewayv2.authorizer_operations import AuthorizerOperations
from lamina.services.apigatewayv2.deployment_operations import DeploymentOperations
from lamina.services.apigatewayv2.domain_operations import DomainOperations
from lamina.services.apigatewayv2.integration_operations import IntegrationOperations
from lamina.services.apigatewayv2.integration_response_operations import (
    IntegrationResponseOperations,
)
from lamina.services.apigatewayv2.model_operations import ModelOperations
from lamina.services.apigatewayv2.openapi_export import ExportOperations
from lamina.services.apigatewayv2.openapi_import import ImportOperations
from lamina.services.apigatewayv2.plane import HttpApiPlane
from lamina.services.apigatewayv2.route_operations import RouteOperations
from lamina.services.apigatewayv2.route_response_operations import RouteResponseOperations
from lamina.services.apigatewayv2.served import ServedApis
from lamina.services.apigatewayv2.stage_operations import StageOperations
from lamina.services.apigatewayv2.tag_operations import TagOperations
from lamina.services.apigatewayv2.websocket_plane import WebSocketPlane
from lamina.services.custom_domains.directory import CustomDomains
from lamina.services.internal import InternalClient
from lamina.services.registry import Provider
from lamina.store import Store


class ApiGatewayV2Provider(
    ImportOperations,
    ExportOperations,
    ApiOperations,
    RouteOperations,
    RouteResponseOperations,
    IntegrationOperations,
    IntegrationResponseOperations,
    ModelOperations,
    AuthorizerOperations,
    StageOperations,
    DeploymentOperations,
    TagOperations,
    DomainOperations,
    Provider,
):
    service_name = "apigatewayv2"

    def __init__(self, store: Store, settings: Settings, internal: InternalClient) -> None:
        self.store = store
        self.settings = settings
        self.served = ServedApis(store)
        self.plane = HttpApiPlane(store, self.served, internal)
        self.websocket_plane = WebSocketPlane(store, self.served, internal, settings.node_name)
        self.share_domains(CustomDomains(store))

    def share_domains(self, domains: CustomDomains) -> None:
        """The custom domains the edge serves: node.py gives apigateway's, so a change made
        through either API is seen at once."""
        self.domains = domains
        self.domains_changed = domains.forget

    async def start(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.websocket_plane.start)
        await self.websocket_plane.run()

    async def stop(self) -> None:
        await self.websocket_plane.close()
        await self.plane.close()

    def reset(self) -> None:
        self.served.clear()
        self.domains.forget()
        self.plane.authorizers.cache.clear()
