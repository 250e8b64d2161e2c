"""Gateway responses: PutGatewayResponse, GetGatewayResponse(s), UpdateGatewayResponse,
DeleteGatewayResponse, and how the data plane's own answers (gateway_responses.py,
access_responses.py, validators.py) take an API's customizations: the type's own, else
DEFAULT_4XX's or DEFAULT_5XX's (by the answer's status), as AWS falls back. A customization
sets the statusCode, headers (responseParameters: static 'values', method.request.header/
querystring/path.NAME, stageVariables.NAME) and the body (responseTemplates, Velocity with
$context.error.message, .messageString and .responseType, rendered by vtl.py). The API keeps
them in its config; a deployment snapshots them (deployments.py)."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from lamina.context import RequestContext
from lamina.http_events.v1 import Route
from lamina.protocol.http import HttpRequest, HttpResponse
from lamina.services.apigateway import patches, rest_apis, vtl
from lamina.services.apigateway.errors import bad_request, not_found
from lamina.services.apigateway.gateway_responses import GatewayAnswer
from lamina.services.apigateway.rest_apis import page
from lamina.services.apigateway.templates import media_type
from lamina.store import Store

log = logging.getLogger(__name__)
PART = "gatewayResponses"
# AWS's gateway response types and their default status codes (DEFAULT_4XX/5XX have none).
DEFAULT_STATUS: dict[str, str | None] = {
    "ACCESS_DENIED": "403", "API_CONFIGURATION_ERROR": "500",
    "AUTHORIZER_CONFIGURATION_ERROR": "500", "AUTHORIZER_FAILURE": "500",
    "BAD_REQUEST_PARAMETERS": "400", "BAD_REQUEST_BODY": "400", "DEFAULT_4XX": None,
    "DEFAULT_5XX": None, "EXPIRED_TOKEN": "403", "INTEGRATION_FAILURE": "504",
    "INTEGRATION_TIMEOUT": "504", "INVALID_API_KEY": "403", "INVALID_SIGNATURE": "403",
    "MISSING_AUTHENTICATION_TOKEN": "403", "QUOTA_EXCEEDED": "429", "REQUEST_TOO_LARGE": "413",
    "RESOURCE_NOT_FOUND": "404", "THROTTLED": "429", "UNAUTHORIZED": "401",
    "UNSUPPORTED_MEDIA_TYPE": "415", "WAF_FILTERED": "403",
}  # fmt: skip
DEFAULT_TEMPLATES = {"application/json": '{"message":$context.error.messageString}'}
_HEADER = re.compile(r"^gatewayresponse\.header\.[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
_SOURCE = re.compile(
    r"^('.*'|method\.request\.(header|querystring|path)\.[^\s]+|stageVariables\.[A-Za-z0-9_]+)$"
)
_PATCHABLE = {
    "statusCode": patches.FIELD,
    "responseParameters": patches.MAP,
    "responseTemplates": patches.MAP,
}


def known_type(value: Any) -> str:
    if value not in DEFAULT_STATUS:
        raise bad_request(f"Invalid response type specified: {value}. Must be one of "
                          f"{', '.join(DEFAULT_STATUS)}")  # fmt: skip
    return str(value)


def checked(settings: dict[str, Any]) -> dict[str, Any]:
    """A customization as AWS accepts it; a header source Lamina cannot fill is refused."""
    made: dict[str, Any] = {}
    status = settings.get("statusCode")
    if status not in (None, ""):
        if not re.fullmatch(r"[1-5]\d\d", str(status)):
            raise bad_request(f"Invalid status code specified: {status}")
        made["statusCode"] = str(status)
    parameters = settings.get("responseParameters") or {}
    for name, source in parameters.items():
        if not _HEADER.match(name):
            raise bad_request(f"Invalid mapping expression specified: {name} (it must be "
                              "gatewayresponse.header.NAME)")  # fmt: skip
        if not _SOURCE.match(str(source)):
            raise bad_request(f"Invalid mapping expression specified: {source} (Lamina maps "
                              "static 'values', method.request.header/querystring/path.NAME "
                              "and stageVariables.NAME)")  # fmt: skip
    made["responseParameters"] = dict(parameters)
    templates = settings.get("responseTemplates")
    made["responseTemplates"] = dict(templates) if templates else dict(DEFAULT_TEMPLATES)
    return made


def _present(response_type: str, custom: dict[str, Any] | None) -> dict[str, Any]:
    if custom is None:
        shown: dict[str, Any] = {"responseType": response_type}
        if DEFAULT_STATUS[response_type]:
            shown["statusCode"] = DEFAULT_STATUS[response_type]
        return shown | {"responseParameters": {}, "responseTemplates": dict(DEFAULT_TEMPLATES),
                        "defaultResponse": True}  # fmt: skip
    return {"responseType": response_type, **custom, "defaultResponse": False}


class GatewayResponseOperations:
    store: Store

    def put_gateway_response(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        response_type = known_type(params["responseType"])
        custom = checked(params)
        with self.store.write() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            kept = dict(api.config.get(PART) or {})
            kept[response_type] = custom
            rest_apis.save_part(conn, api, PART, kept)
        return _present(response_type, custom)

    def get_gateway_response(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        response_type = known_type(params["responseType"])
        with self.store.read() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
        return _present(response_type, (api.config.get(PART) or {}).get(response_type))

    def get_gateway_responses(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
        kept = api.config.get(PART) or {}
        return page([_present(t, kept.get(t)) for t in DEFAULT_STATUS], params)

    def update_gateway_response(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        response_type = known_type(params["responseType"])
        with self.store.write() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            kept = dict(api.config.get(PART) or {})
            target = dict(kept.get(response_type) or checked({}))
            if "statusCode" not in target and DEFAULT_STATUS[response_type]:
                target["statusCode"] = DEFAULT_STATUS[response_type]
            patches.apply(target, params.get("patchOperations") or [], _PATCHABLE)
            kept[response_type] = custom = checked(target)
            rest_apis.save_part(conn, api, PART, kept)
        return _present(response_type, custom)

    def delete_gateway_response(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        """The type answers as AWS's default again."""
        response_type = known_type(params["responseType"])
        with self.store.write() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            kept = dict(api.config.get(PART) or {})
            if kept.pop(response_type, None) is None:
                raise not_found("Gateway response type not defined on api")
            rest_apis.save_part(conn, api, PART, kept)
        return {}


def customized(answer: HttpResponse, kept: dict[str, dict[str, Any]], http: HttpRequest,
               route: Route) -> HttpResponse:  # fmt: skip
    """`answer` as the deployment's gateway responses have it; untouched when it is not the
    gateway's own or nothing customizes its type."""
    if not isinstance(answer, GatewayAnswer) or not kept:
        return answer
    fallback = kept.get("DEFAULT_4XX" if answer.status < 500 else "DEFAULT_5XX")
    own = kept.get(answer.response_type)
    if own is None and fallback is None:
        return answer
    chosen = own or fallback or {}
    status = int(own["statusCode"]) if own and own.get("statusCode") else answer.status
    params = vtl.params_of(http, route)
    headers = [(k, v) for k, v in answer.headers if k.lower() != "content-type"]
    for settings in (fallback, own):
        for name, source in ((settings or {}).get("responseParameters") or {}).items():
            value = _value(str(source), params, route)
            if value is not None:
                headers.append((name.removeprefix("gatewayresponse.header."), value))
    templates = chosen.get("responseTemplates") or DEFAULT_TEMPLATES
    kind, text = _template(templates, http)
    request = vtl.Request(http, route, http.decoded_path, params)
    context = vtl.context_of(request)
    context["error"] = {"message": answer.message, "responseType": answer.response_type,
                        "messageString": json.dumps(answer.message)}  # fmt: skip
    try:
        body = vtl.render(text, request, b"", context).encode()
    except vtl.TemplateError as error:  # the answer as AWS's default, said in the log
        log.info("REST API %s: gateway response %s: %s", route.api_id, answer.response_type, error)
        return answer
    return HttpResponse(status, [("Content-Type", kind), *headers], body)


def _template(templates: dict[str, str], http: HttpRequest) -> tuple[str, str]:
    accepted = [media_type(a) for a in http.headers.get("accept", "").split(",")]
    lowered = {k.lower(): k for k in templates}
    for kind in [*accepted, "application/json"]:
        if kind in lowered:
            return lowered[kind], templates[lowered[kind]] or ""
    first = next(iter(templates))
    return first, templates[first] or ""


def _value(source: str, params: dict[str, dict[str, str]], route: Route) -> str | None:
    if source.startswith("'") and source.endswith("'"):
        return source[1:-1]
    if source.startswith("stageVariables."):
        return route.stage_variables.get(source.removeprefix("stageVariables."))
    where, _, name = source.removeprefix("method.request.").partition(".")
    if where == "header":
        lowered = {k.lower(): v for k, v in params["header"].items()}
        return lowered.get(name.lower())
    return params.get(where, {}).get(name)
