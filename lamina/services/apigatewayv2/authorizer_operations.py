"""Create/Get/Update/DeleteAuthorizer(s) of an HTTP API: JWT (an issuer's tokens, checked by
jwt_authorizer.py) and REQUEST (a Lambda function that decides, lambda_authorizer.py); of a
WebSocket API: REQUEST only, its identity source in WebSocket's words
(`route.request.header.X`, websocket_authorizer.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.services.apigatewayv2 import items
from lamina.services.apigatewayv2.base import Base, page
from lamina.services.apigatewayv2.errors import bad_request, refuse_unsupported
from lamina.services.apigatewayv2.integration_operations import function_arn
from lamina.services.apigatewayv2.websocket_settings import is_websocket

AUTHORIZER = "authorizer"
UNSUPPORTED = {
    "AuthorizerCredentialsArn": "authorizer credentials",
    "IdentityValidationExpression": "a WebSocket API setting",
}
_SETTABLE = (
    "AuthorizerType",
    "Name",
    "IdentitySource",
    "JwtConfiguration",
    "AuthorizerUri",
    "AuthorizerPayloadFormatVersion",
    "EnableSimpleResponses",
    "AuthorizerResultTtlInSeconds",
)
_SOURCE_PREFIXES = ("$request.header.", "$request.querystring.", "$context.", "$stageVariables.")
_WEBSOCKET_SOURCES = ("route.request.header.", "route.request.querystring.", "context.",
                      "stageVariables.")  # fmt: skip


def websocket_authorizer_config(wanted: dict[str, Any]) -> dict[str, Any]:
    """A WebSocket API's authorizer: a Lambda function answering an IAM policy, uncached."""
    if wanted.get("AuthorizerType") != "REQUEST":
        raise bad_request(
            f"Invalid AuthorizerType: {wanted.get('AuthorizerType')}. WebSocket APIs take REQUEST."
        )
    for name in ("JwtConfiguration", "AuthorizerPayloadFormatVersion", "EnableSimpleResponses"):
        if wanted.get(name):
            raise bad_request(f"{name} is supported only for HTTP APIs.")
    if wanted.get("AuthorizerResultTtlInSeconds"):
        # AWS documents the TTL for HTTP APIs' Lambda authorizers only
        raise bad_request("AuthorizerResultTtlInSeconds is supported only for HTTP APIs.")
    _check_uri(wanted.get("AuthorizerUri"))
    sources = wanted.get("IdentitySource") or []
    for source in sources:
        if not source.startswith(_WEBSOCKET_SOURCES) or source.endswith("."):
            raise bad_request(f"Invalid identity source: {source}")
    return {**wanted, "IdentitySource": sources}


def _check_uri(uri: str | None) -> None:
    """A Lambda authorizer's AuthorizerUri must name a function's invocation."""
    if not uri or function_arn(uri) is None:
        raise bad_request(
            f"Invalid Authorizer URI: {uri}. Authorizer URI should be a valid API Gateway ARN "
            "that represents a Lambda function invocation."
        )


def authorizer_config(wanted: dict[str, Any]) -> dict[str, Any]:
    """An authorizer's stored configuration, its defaults filled in, or BadRequestException."""
    kind = wanted.get("AuthorizerType")
    config = dict(wanted)
    sources = config.get("IdentitySource") or []
    if kind == "JWT":
        jwt = config.get("JwtConfiguration") or {}
        if not jwt.get("Issuer"):
            raise bad_request("JwtConfiguration.Issuer is required for JWT authorizers.")
        if not jwt.get("Audience"):
            raise bad_request("JwtConfiguration.Audience is required for JWT authorizers.")
        if not jwt["Issuer"].startswith(("https://", "http://")):
            raise bad_request(f"Invalid issuer {jwt['Issuer']}. An issuer is a URL.")
        if len(sources) != 1 or not sources[0].startswith("$request."):
            raise bad_request(
                "A JWT authorizer takes one identity source, such as $request.header.Authorization."
            )
        for name in ("AuthorizerUri", "AuthorizerPayloadFormatVersion"):
            if config.get(name):
                raise bad_request(f"{name} is not supported for JWT authorizers.")
        if config.get("EnableSimpleResponses") or config.get("AuthorizerResultTtlInSeconds"):
            raise bad_request("JWT authorizers do not take simple responses or caching.")
        return config
    if kind != "REQUEST":
        raise bad_request(f"Invalid AuthorizerType: {kind}. HTTP APIs take JWT or REQUEST.")
    if config.get("JwtConfiguration"):
        raise bad_request("JwtConfiguration is supported only for JWT authorizers.")
    _check_uri(config.get("AuthorizerUri"))
    version = config.get("AuthorizerPayloadFormatVersion")
    if version not in ("1.0", "2.0"):
        raise bad_request(
            "AuthorizerPayloadFormatVersion is required for REQUEST authorizers: 1.0 or 2.0."
        )
    if config.get("EnableSimpleResponses") and version != "2.0":
        raise bad_request("EnableSimpleResponses is supported only with payload format 2.0.")
    for source in sources:
        if not source.startswith(_SOURCE_PREFIXES) or source.endswith("."):
            raise bad_request(f"Invalid identity source: {source}")
    ttl = config.setdefault("AuthorizerResultTtlInSeconds", 0)
    if not 0 <= ttl <= 3600:
        raise bad_request("AuthorizerResultTtlInSeconds must be between 0 and 3600.")
    if ttl and not sources:
        raise bad_request("Caching needs an identity source: set IdentitySource or a TTL of 0.")
    config.setdefault("EnableSimpleResponses", False)
    config["IdentitySource"] = sources
    return config


def present_authorizer(found: items.Item) -> dict[str, Any]:
    return {"AuthorizerId": found.item_id, **found.config}


class AuthorizerOperations(Base):
    def create_authorizer(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        refuse_unsupported(params, UNSUPPORTED)
        with self.store.write() as conn:
            api = self.find_api(conn, ctx, params["ApiId"])
            check = websocket_authorizer_config if is_websocket(api.config) else authorizer_config
            config = check({n: params[n] for n in _SETTABLE if n in params})
            made = items.insert_item(conn, params["ApiId"], AUTHORIZER, config)
        self.changed(params["ApiId"])
        return present_authorizer(made)

    def get_authorizer(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            found = self.find_item(conn, ctx, params["ApiId"], AUTHORIZER, params["AuthorizerId"])
        return present_authorizer(found)

    def get_authorizers(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            self.find_api(conn, ctx, params["ApiId"])
            found = items.all_items(conn, params["ApiId"], AUTHORIZER)
        return page(found, params, present_authorizer)

    def update_authorizer(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        refuse_unsupported(params, UNSUPPORTED)
        api_id, authorizer_id = params["ApiId"], params["AuthorizerId"]
        with self.store.write() as conn:
            api = self.find_api(conn, ctx, api_id)
            found = self.find_item(conn, ctx, api_id, AUTHORIZER, authorizer_id)
            check = websocket_authorizer_config if is_websocket(api.config) else authorizer_config
            wanted = {**found.config, **{n: params[n] for n in _SETTABLE if n in params}}
            if wanted["AuthorizerType"] != found.config["AuthorizerType"]:
                raise bad_request("The AuthorizerType of an authorizer cannot be changed.")
            config = check(wanted)
            items.update_item(conn, api_id, AUTHORIZER, authorizer_id, config)
            self.redeploy(conn, api_id)
        self.changed(api_id)
        return present_authorizer(items.Item(authorizer_id, config, found.created_at))

    def delete_authorizer(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id, authorizer_id = params["ApiId"], params["AuthorizerId"]
        with self.store.write() as conn:
            self.find_item(conn, ctx, api_id, AUTHORIZER, authorizer_id)
            for route in items.all_items(conn, api_id, items.ROUTE):
                if route.config.get("AuthorizerId") == authorizer_id:
                    raise bad_request(
                        f"Cannot delete authorizer '{authorizer_id}', is referenced in route: "
                        f"{route.config['RouteKey']}"
                    )
            items.delete_item(conn, api_id, AUTHORIZER, authorizer_id)
        self.changed(api_id)
        return {}


def websocket_route_authorization(config: dict[str, Any]) -> None:
    """A WebSocket API authorizes its `$connect` route only, by AWS_IAM or CUSTOM."""
    kind = config.get("AuthorizationType") or "NONE"
    if kind == "JWT":
        raise bad_request("AuthorizationType JWT is supported only for HTTP APIs.")
    if kind != "NONE" and config.get("RouteKey") != "$connect":
        raise bad_request("Currently, authorization is restricted to the $connect route only")


def route_authorization(conn: Connection, api_id: str, config: dict[str, Any]) -> None:
    """A route's AuthorizationType, AuthorizerId and AuthorizationScopes, checked against the
    API's authorizers: JWT names a JWT authorizer, CUSTOM a REQUEST (Lambda) one; NONE and
    AWS_IAM name none."""
    kind = config.get("AuthorizationType") or "NONE"
    authorizer_id = config.get("AuthorizerId")
    if kind not in ("NONE", "AWS_IAM", "JWT", "CUSTOM"):
        raise bad_request(f"Invalid AuthorizationType: {kind}")
    if kind in ("NONE", "AWS_IAM"):
        if authorizer_id:
            raise bad_request(f"AuthorizerId is not supported for AuthorizationType {kind}.")
    else:
        if not authorizer_id:
            raise bad_request(f"AuthorizerId is required for AuthorizationType {kind}.")
        found = items.item(conn, api_id, AUTHORIZER, authorizer_id)
        if found is None:
            raise bad_request(f"Invalid authorizer ID specified: {authorizer_id}")
        wanted = "JWT" if kind == "JWT" else "REQUEST"
        if found.config["AuthorizerType"] != wanted:
            raise bad_request(
                f"AuthorizationType {kind} takes a {wanted} authorizer; {authorizer_id} is "
                f"{found.config['AuthorizerType']}."
            )
    if config.get("AuthorizationScopes") and kind != "JWT":
        raise bad_request("AuthorizationScopes are supported only for JWT authorizers.")
