"""Methods, their integrations, and method and integration responses: PutMethod/GetMethod/
DeleteMethod, PutIntegration/…, PutMethodResponse/…, PutIntegrationResponse/…. All of a
resource's methods live in its row, shaped as GetMethod answers them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lamina.context import RequestContext
from lamina.services.apigateway import (
    account_items,
    content_handling,
    patches,
    resources,
    rest_apis,
    validators,
)
from lamina.services.apigateway.errors import (
    bad_request,
    conflict,
    integration_not_found,
    method_not_found,
    not_supported,
    response_not_found,
)
from lamina.store import Store

HTTP_METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY")
AUTHORIZATION_TYPES = ("NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS")
INTEGRATION_TYPES = ("HTTP", "AWS", "MOCK", "HTTP_PROXY", "AWS_PROXY")
# arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function arn}/invocations
LAMBDA_URI = re.compile(
    r"^arn:aws:apigateway:[a-z0-9-]+:lambda:path/2015-03-31/functions/(.+)/invocations$"
)
_STATUS = re.compile(r"^[1-5]\d\d$")
_METHOD_KEPT = (
    "authorizerId", "operationName", "requestParameters", "requestModels",
    "requestValidatorId", "authorizationScopes",
)  # fmt: skip
_INTEGRATION_KEPT = (
    "uri", "connectionType", "connectionId", "credentials", "requestParameters",
    "requestTemplates", "contentHandling", "tlsConfig",
)  # fmt: skip
Methods = dict[str, Any]


def _http_method(name: str) -> str:
    if name.upper() not in HTTP_METHODS:
        raise bad_request(
            "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,"
            "HEAD,ANY"
        )
    return name.upper()


def _status(code: str) -> str:
    if not _STATUS.match(code):
        raise bad_request("Invalid status code specified")
    return code


def check_content_handling(value: Any, where: str) -> None:
    """contentHandling is CONVERT_TO_BINARY, CONVERT_TO_TEXT, or unset (passthrough)."""
    if value is not None and value not in content_handling.STRATEGIES:
        raise bad_request(
            f"1 validation error detected: Value '{value}' at '{where}.contentHandling' failed "
            "to satisfy constraint: Member must satisfy enum value set: "
            "[CONVERT_TO_BINARY, CONVERT_TO_TEXT]"
        )


def _integration(params: dict[str, Any], resource_id: str) -> dict[str, Any]:
    kind = params["type"]
    if kind not in INTEGRATION_TYPES:
        raise bad_request(f"Invalid integration type specified: {kind}")
    integration: dict[str, Any] = {"type": kind}
    check_content_handling(params.get("contentHandling"), "putIntegrationInput")
    if kind != "MOCK":
        verb = params.get("integrationHttpMethod")
        if not verb:
            raise bad_request("Enumeration value for HttpMethod must be non-empty")
        integration["httpMethod"] = _http_method(verb)
        uri = params.get("uri")
        if not uri:
            raise bad_request("Invalid ARN specified in the request" if kind.startswith("AWS")
                              else "Invalid HTTP endpoint specified for URI")  # fmt: skip
        if kind.startswith("HTTP") and not uri.startswith(("http://", "https://")):
            raise bad_request("Invalid HTTP endpoint specified for URI")
        if kind == "AWS_PROXY" and not LAMBDA_URI.match(uri):
            raise bad_request("Integrations of type 'AWS_PROXY' currently only supports Lambda "
                              "function and Firehose stream invocations.")  # fmt: skip
    for key in _INTEGRATION_KEPT:
        if params.get(key) not in (None, {}, []):
            integration[key] = params[key]
    if kind.startswith("HTTP"):
        integration.setdefault("connectionType", "INTERNET")
    check_connection(integration)
    integration["passthroughBehavior"] = params.get("passthroughBehavior") or "WHEN_NO_MATCH"
    timeout = params.get("timeoutInMillis", 29000)
    if not 50 <= timeout <= 29000:
        raise bad_request("Timeout should be between 50 ms and 29000 ms")
    integration["timeoutInMillis"] = timeout
    integration["cacheNamespace"] = params.get("cacheNamespace") or resource_id
    integration["cacheKeyParameters"] = params.get("cacheKeyParameters") or []
    return integration


def check_connection(integration: dict[str, Any]) -> None:
    """How an integration reaches its endpoint: over the internet (VPC links Lamina refuses), and
    tlsConfig's insecureSkipVerification, the one TLS setting AWS takes, for HTTP endpoints."""
    kind = integration.get("connectionType") or "INTERNET"
    if kind == "VPC_LINK" or integration.get("connectionId"):
        raise not_supported("VPC links (connectionType VPC_LINK, connectionId)")
    if kind != "INTERNET":
        raise bad_request(f"Invalid connection type: {kind}. Must be one of INTERNET, VPC_LINK")
    tls = integration.get("tlsConfig")
    if tls is None:
        return
    if not str(integration.get("type", "")).startswith("HTTP"):
        raise bad_request("tlsConfig is only supported for HTTP and HTTP_PROXY integrations")
    if not isinstance(tls, dict) or set(tls) - {"insecureSkipVerification"}:
        raise bad_request("tlsConfig takes insecureSkipVerification only")
    tls["insecureSkipVerification"] = patches.boolean(tls.get("insecureSkipVerification", False))


INVALID_AUTHORIZER = (
    "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or "
    "COGNITO_USER_POOLS requires a valid authorizer."
)


def check_authorizer(conn: Any, api: rest_apis.RestApi, method: dict[str, Any]) -> None:
    """A CUSTOM or COGNITO_USER_POOLS method names one of the API's authorizers (PutMethod and
    UpdateMethod refuse it otherwise, as AWS does)."""
    if method.get("authorizationType") not in ("CUSTOM", "COGNITO_USER_POOLS"):
        return
    item = f"{api.api_id}/{method.get('authorizerId') or ''}"
    if account_items.get(conn, api, account_items.AUTHORIZER, item) is None:
        raise bad_request(INVALID_AUTHORIZER)


class MethodOperations:
    store: Store

    def _change(
        self,
        ctx: RequestContext,
        params: dict[str, Any],
        change: Callable[[Methods, str, str], dict[str, Any]],
    ) -> dict[str, Any]:
        """Read the resource's methods, let `change` alter them, store them: one transaction."""
        with self.store.write() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            resource = resources.find(conn, api.api_id, params["resourceId"])
            methods = dict(resource.methods)
            verb = _http_method(params["httpMethod"])
            answer = change(methods, verb, resource.resource_id)
            if verb in methods:  # the models, validator and authorizer it names: the API's
                validators.check_references(api, methods[verb])
                check_authorizer(conn, api, methods[verb])
            resources.save_methods(conn, resource, methods)
        return answer

    def _read(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            resource = resources.find(conn, api.api_id, params["resourceId"])
        method = resource.methods.get(params["httpMethod"].upper())
        if method is None:
            raise method_not_found()
        return dict(method)

    # Methods

    def put_method(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        kind = params["authorizationType"]
        if kind not in AUTHORIZATION_TYPES:
            raise bad_request(f"Invalid authorization type specified: {kind}")

        def put(methods: Methods, verb: str, _: str) -> dict[str, Any]:
            if verb in methods:
                raise conflict("Method already exists for this resource")
            method: dict[str, Any] = {
                "httpMethod": verb,
                "authorizationType": kind,
                "apiKeyRequired": bool(params.get("apiKeyRequired")),
            }
            method.update({k: params[k] for k in _METHOD_KEPT if params.get(k) not in (None, {})})
            methods[verb] = method
            return method

        return self._change(ctx, params, put)

    def get_method(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._read(ctx, params)

    def delete_method(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        def delete(methods: Methods, verb: str, _: str) -> dict[str, Any]:
            if methods.pop(verb, None) is None:
                raise method_not_found()
            return {}

        return self._change(ctx, params, delete)

    # Integrations

    def put_integration(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        def put(methods: Methods, verb: str, resource_id: str) -> dict[str, Any]:
            method = stored_method(methods, verb)
            integration = _integration(params, resource_id)
            method["methodIntegration"] = integration
            return integration

        return self._change(ctx, params, put)

    def get_integration(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        integration = self._read(ctx, params).get("methodIntegration")
        if integration is None:
            raise integration_not_found()
        return dict(integration)

    def delete_integration(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        def delete(methods: Methods, verb: str, _: str) -> dict[str, Any]:
            if stored_method(methods, verb).pop("methodIntegration", None) is None:
                raise integration_not_found()
            return {}

        return self._change(ctx, params, delete)

    # Method responses

    def put_method_response(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        code = _status(params["statusCode"])

        def put(methods: Methods, verb: str, _: str) -> dict[str, Any]:
            method = stored_method(methods, verb)
            response: dict[str, Any] = {"statusCode": code}
            for key in ("responseParameters", "responseModels"):
                if params.get(key):
                    response[key] = params[key]
            method["methodResponses"] = {**method.get("methodResponses", {}), code: response}
            return response

        return self._change(ctx, params, put)

    def get_method_response(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        found = self._read(ctx, params).get("methodResponses", {}).get(params["statusCode"])
        if found is None:
            raise response_not_found()
        return dict(found)

    def delete_method_response(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        def delete(methods: Methods, verb: str, _: str) -> dict[str, Any]:
            responses = dict(stored_method(methods, verb).get("methodResponses", {}))
            if responses.pop(params["statusCode"], None) is None:
                raise response_not_found()
            methods[verb]["methodResponses"] = responses
            return {}

        return self._change(ctx, params, delete)

    # Integration responses

    def put_integration_response(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        code = _status(params["statusCode"])

        def put(methods: Methods, verb: str, _: str) -> dict[str, Any]:
            method = stored_method(methods, verb)
            integration = method.get("methodIntegration")
            if integration is None:
                raise integration_not_found()
            if code not in method.get("methodResponses", {}):
                raise response_not_found()  # it answers as one of the method's responses
            pattern = params.get("selectionPattern")
            if pattern:
                try:
                    re.compile(pattern)
                except re.error:
                    raise bad_request(f"Invalid selection pattern specified: {pattern}") from None
            check_content_handling(params.get("contentHandling"), "putIntegrationResponseInput")
            response: dict[str, Any] = {"statusCode": code}
            for key in ("selectionPattern", "responseParameters", "responseTemplates",
                        "contentHandling"):  # fmt: skip
                if params.get(key) not in (None, {}):
                    response[key] = params[key]
            responses = {**integration.get("integrationResponses", {}), code: response}
            integration["integrationResponses"] = responses
            return response

        return self._change(ctx, params, put)

    def get_integration_response(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        integration = self._read(ctx, params).get("methodIntegration")
        if integration is None:
            raise integration_not_found()
        found = integration.get("integrationResponses", {}).get(params["statusCode"])
        if found is None:
            raise response_not_found()
        return dict(found)

    def delete_integration_response(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        def delete(methods: Methods, verb: str, _: str) -> dict[str, Any]:
            integration = stored_method(methods, verb).get("methodIntegration")
            if integration is None:
                raise integration_not_found()
            responses = dict(integration.get("integrationResponses", {}))
            if responses.pop(params["statusCode"], None) is None:
                raise response_not_found()
            integration["integrationResponses"] = responses
            return {}

        return self._change(ctx, params, delete)


def stored_method(methods: Methods, verb: str) -> dict[str, Any]:
    """The stored method, copied so a change is written back whole."""
    if verb not in methods:
        raise method_not_found()
    method = dict(methods[verb])
    if "methodIntegration" in method:
        method["methodIntegration"] = dict(method["methodIntegration"])
    methods[verb] = method
    return method
