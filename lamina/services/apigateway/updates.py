"""The Update operations of methods, integrations and their responses: PatchOperations on
what PutMethod/PutIntegration/Put…Response stored, checked as the Put operations check it."""

from __future__ import annotations

import re
from typing import Any

from lamina.context import RequestContext
from lamina.services.apigateway import patches
from lamina.services.apigateway.errors import (
    bad_request,
    integration_not_found,
    response_not_found,
)
from lamina.services.apigateway.methods import (
    AUTHORIZATION_TYPES,
    HTTP_METHODS,
    LAMBDA_URI,
    MethodOperations,
    Methods,
    check_connection,
    check_content_handling,
    stored_method,
)

_METHOD_PATHS = {
    "authorizationType": patches.FIELD, "authorizerId": patches.FIELD,
    "apiKeyRequired": patches.FIELD, "operationName": patches.FIELD,
    "requestValidatorId": patches.FIELD, "requestParameters": patches.MAP,
    "requestModels": patches.MAP,
}  # fmt: skip
_INTEGRATION_PATHS = {
    "uri": patches.FIELD, "httpMethod": patches.FIELD, "credentials": patches.FIELD,
    "passthroughBehavior": patches.FIELD, "timeoutInMillis": patches.FIELD,
    "contentHandling": patches.FIELD, "connectionType": patches.FIELD,
    "connectionId": patches.FIELD, "requestParameters": patches.MAP,
    "requestTemplates": patches.MAP, "cacheKeyParameters": patches.SET,
    "tlsConfig": patches.MAP,  # /tlsConfig/insecureSkipVerification
}  # fmt: skip
_METHOD_RESPONSE_PATHS = {"responseParameters": patches.MAP, "responseModels": patches.MAP}
_INTEGRATION_RESPONSE_PATHS = {
    "selectionPattern": patches.FIELD, "contentHandling": patches.FIELD,
    "responseParameters": patches.MAP, "responseTemplates": patches.MAP,
}  # fmt: skip


def _integer(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"Invalid integer value: {value}") from None


def _check_method(method: dict[str, Any]) -> None:
    method["apiKeyRequired"] = patches.boolean(method.get("apiKeyRequired", False))
    if method.get("requestParameters"):  # name → required, a boolean
        method["requestParameters"] = {
            name: patches.boolean(required)
            for name, required in method["requestParameters"].items()
        }
    if method.get("authorizationType") not in AUTHORIZATION_TYPES:
        raise bad_request(
            f"Invalid authorization type specified: {method.get('authorizationType')}"
        )


def _check_integration(integration: dict[str, Any]) -> None:
    timeout = _integer(integration.get("timeoutInMillis", 29000))
    if not 50 <= timeout <= 29000:
        raise bad_request("Timeout should be between 50 ms and 29000 ms")
    integration["timeoutInMillis"] = timeout
    check_content_handling(integration.get("contentHandling"), "updateIntegrationInput")
    kind = integration["type"]
    if kind == "MOCK":
        return
    if str(integration.get("httpMethod", "")).upper() not in HTTP_METHODS:
        raise bad_request("Enumeration value for HttpMethod must be non-empty")
    integration["httpMethod"] = integration["httpMethod"].upper()
    check_connection(integration)
    uri = integration.get("uri") or ""
    if kind == "AWS_PROXY" and not LAMBDA_URI.match(uri):
        raise bad_request("Invalid ARN specified in the request")
    if kind.startswith("HTTP") and not uri.startswith(("http://", "https://")):
        raise bad_request("Invalid HTTP endpoint specified for URI")


class UpdateOperations(MethodOperations):
    def update_method(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        def update(methods: Methods, verb: str, _: str) -> dict[str, Any]:
            method = stored_method(methods, verb)
            patches.apply(method, params.get("patchOperations") or [], _METHOD_PATHS)
            _check_method(method)
            return method

        return self._change(ctx, params, update)

    def update_integration(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        def update(methods: Methods, verb: str, _: str) -> dict[str, Any]:
            integration = stored_method(methods, verb).get("methodIntegration")
            if integration is None:
                raise integration_not_found()
            patches.apply(integration, params.get("patchOperations") or [], _INTEGRATION_PATHS)
            _check_integration(integration)
            return integration

        return self._change(ctx, params, update)

    def update_method_response(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        def update(methods: Methods, verb: str, _: str) -> dict[str, Any]:
            method = stored_method(methods, verb)
            responses = dict(method.get("methodResponses", {}))
            response = dict(responses.get(params["statusCode"]) or {})
            if not response:
                raise response_not_found()
            patches.apply(response, params.get("patchOperations") or [], _METHOD_RESPONSE_PATHS)
            responses[params["statusCode"]] = response
            method["methodResponses"] = responses
            return response

        return self._change(ctx, params, update)

    def update_integration_response(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        def update(methods: Methods, verb: str, _: str) -> dict[str, Any]:
            integration = stored_method(methods, verb).get("methodIntegration")
            if integration is None:
                raise integration_not_found()
            responses = dict(integration.get("integrationResponses", {}))
            response = dict(responses.get(params["statusCode"]) or {})
            if not response:
                raise response_not_found()
            operations = params.get("patchOperations") or []
            patches.apply(response, operations, _INTEGRATION_RESPONSE_PATHS)
            where = "updateIntegrationResponseInput"
            check_content_handling(response.get("contentHandling"), where)
            pattern = response.get("selectionPattern")
            if pattern:
                try:
                    re.compile(pattern)
                except re.error:
                    raise bad_request(f"Invalid selection pattern specified: {pattern}") from None
            responses[params["statusCode"]] = response
            integration["integrationResponses"] = responses
            return response

        return self._change(ctx, params, update)
