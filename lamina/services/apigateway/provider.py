"""Amazon API Gateway, REST APIs (`apigateway`): the operations, gathered from one module per
concept, and the data plane the edge hands deployed APIs' requests to (plane.py).

Served: RestApis (CreateRestApi's cloneFrom too), Resources, Methods, Integrations, Method
and Integration responses (Put, Get, Update, Delete), Deployments, Stages, Models,
RequestValidators, GetModelTemplate, ImportRestApi/PutRestApi (OpenAPI 3.0, Swagger 2.0), GetExport,
Authorizers, gateway responses, API keys (ImportApiKeys too), usage plans and their keys,
usage (UpdateUsage too), client certificates (client_certificates.py: stages present them to
their HTTP and HTTP_PROXY integrations' https:// endpoints), custom domain names and their
base path mappings, documentation parts (ImportDocumentationParts too), documentation
versions, tags, the account's settings (GetAccount, UpdateAccount), TestInvokeMethod (the
method as defined now, through the data plane's integrations) and TestInvokeAuthorizer (TOKEN
and REQUEST authorizers; test_invoke.py). Every other operation of the model (VPC links, …)
answers NotImplementedException."""

from __future__ import annotations

from lamina.config import Settings
from lamina.services.apigateway.account import AccountOperations
from lamina.services.apigateway.api_key_import import ApiKeyImportOperations
from lamina.services.apigateway.api_keys import ApiKeyOperations
from lamina.services.apigateway.authorizers import AuthorizerOperations
from lamina.services.apigateway.client_certificates import ClientCertificateOperations
from lamina.services.apigateway.deployments import DeploymentOperations
from lamina.services.apigateway.documentation_parts import DocumentationPartOperations
from lamina.services.apigateway.documentation_versions import DocumentationVersionOperations
from lamina.services.apigateway.domain_names import DomainNameOperations
from lamina.services.apigateway.gateway_response_settings import GatewayResponseOperations
from lamina.services.apigateway.models import ModelOperations
from lamina.services.apigateway.openapi_export import ExportOperations
from lamina.services.apigateway.openapi_import import ImportOperations
from lamina.services.apigateway.plane import RestApiPlane
from lamina.services.apigateway.resources import ResourceOperations
from lamina.services.apigateway.rest_apis import RestApiOperations
from lamina.services.apigateway.stages import StageOperations
from lamina.services.apigateway.tags import TagOperations
from lamina.services.apigateway.test_invoke import TestInvokeOperations
from lamina.services.apigateway.updates import UpdateOperations
from lamina.services.apigateway.usage_operations import UsageOperations
from lamina.services.apigateway.usage_plans import UsagePlanOperations
from lamina.services.apigateway.validators import RequestValidatorOperations
from lamina.services.custom_domains.directory import CustomDomains
from lamina.services.internal import InternalClient
from lamina.services.registry import Provider
from lamina.store import Store


class ApiGatewayProvider(
    RestApiOperations,
    ResourceOperations,
    UpdateOperations,
    DeploymentOperations,
    StageOperations,
    ModelOperations,
    RequestValidatorOperations,
    ImportOperations,
    ExportOperations,
    AuthorizerOperations,
    GatewayResponseOperations,
    ApiKeyOperations,
    ApiKeyImportOperations,
    UsagePlanOperations,
    UsageOperations,
    ClientCertificateOperations,
    DomainNameOperations,
    DocumentationPartOperations,
    DocumentationVersionOperations,
    TagOperations,
    AccountOperations,
    TestInvokeOperations,
    Provider,
):
    service_name = "apigateway"

    def __init__(self, store: Store, settings: Settings, internal: InternalClient) -> None:
        self.store = store
        self.settings = settings
        self.internal = internal
        self.known: set[str] = set()  # API ids seen on this node, shared with the plane
        self.plane = RestApiPlane(store, internal, self.known, settings.data_dir)
        self.stages_changed = self.plane.forget_stages
        self.keys_changed = self.plane.access.keys.forget
        self.client_certificate_deleted = self.plane.client_pools.forget
        self.stage_authorizers_flushed = self.plane.access.authorizers.forget_stage
        self.usage = self.plane.access.usage
        # the custom domains the edge serves (node.py hands the same one to apigatewayv2)
        self.domains = CustomDomains(store)
        self.domains_changed = self.domains.forget

    async def start(self) -> None:
        await self.usage.start()

    async def stop(self) -> None:
        await self.usage.stop()  # what was counted is written before the node goes

    def reset(self) -> None:
        self.plane.forget()
        self.domains.forget()
