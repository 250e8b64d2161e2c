"""botocore's protocol input vectors, run in reverse: the serialized request, parsed on the server
side, must give back the params the client was called with; the router must find the operation.

botocore's protocol-tests-ignore-list.json lists what its *client* cannot produce; the server side
can read most of those requests, so they run here too. What a server cannot do is skipped, with
the reason: client-only concerns, and requests that two different calls produce alike.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from botocore.model import OperationModel, ServiceModel

from lamina.protocol.http import Headers, HttpRequest
from lamina.protocol.parse import parse_request
from lamina.protocol.routing import OperationRouter
from tests.protocol.vectors import canon, cases, require_vectors, service_for, typed

require_vectors()

# Vectors a server cannot satisfy, because two different client calls give the same request.
_EMPTY_DROPPED = (
    "ambiguous on the server: the client leaves an empty list or map off the wire, "
    "so absent and empty arrive alike"
)
_QUERY_MAP_MIRROR = (
    "ambiguous on the server: the client put the named query parameters into the "
    "httpQueryParams map too; the server binds a parameter to its own member and leaves the "
    "map the unclaimed ones (the rest-xml twins of these vectors expect exactly that)"
)
_EMPTY_PAYLOAD = (
    "ambiguous on the server: rest-json clients send {} both for an absent and for an empty "
    "structure payload; the server reads an empty structure"
)
_PRECEDENCE = (
    "ambiguous on the server: the client dropped the map's value for a key a named member also "
    "sets, so the server never sees it"
)
_MEDIA_TYPE = (
    "ambiguous on the server: Smithy's mediaType header is base64 of the raw string, but botocore "
    "models it as jsonvalue and its clients send base64 of JSON, which is what the server reads"
)
_DEFAULT_CONTENT_TYPE = (
    "ambiguous on the server: the client adds a default Content-Type, which is bound to a member"
)
AMBIGUOUS = {
    "ec2:Ec2EmptyQueryLists": _EMPTY_DROPPED,
    "query:QueryEmptyQueryMaps": _EMPTY_DROPPED,
    "rest-json:RestJsonHttpPrefixHeadersAreNotPresent": _EMPTY_DROPPED,
    "rest-json:RestJsonOmitsEmptyListQueryValues": _EMPTY_DROPPED,
    "rest-xml:HttpPrefixHeadersAreNotPresent": _EMPTY_DROPPED,
    "legacy-rest-json:26.1": _EMPTY_DROPPED,
    "legacy-rest-xml:26.1": _EMPTY_DROPPED,
    "rest-json:RestJsonAllQueryStringTypes": _QUERY_MAP_MIRROR,
    "rest-json:RestJsonQueryStringEscaping": _QUERY_MAP_MIRROR,
    "rest-json:RestJsonSupportsNaNFloatQueryValues": _QUERY_MAP_MIRROR,
    "rest-json:RestJsonSupportsInfinityFloatQueryValues": _QUERY_MAP_MIRROR,
    "rest-json:RestJsonSupportsNegativeInfinityFloatQueryValues": _QUERY_MAP_MIRROR,
    "rest-json:RestJsonZeroAndFalseQueryValues": _QUERY_MAP_MIRROR,
    "rest-json:RestJsonHttpWithEmptyStructurePayload": _EMPTY_PAYLOAD,
    "rest-json:RestJsonHttpWithHeadersButNoPayload": _EMPTY_PAYLOAD,
    "legacy-rest-json:13.1": _EMPTY_PAYLOAD,
    "legacy-rest-json:25.2": _EMPTY_PAYLOAD,
    "legacy-rest-json:25.4": _EMPTY_PAYLOAD,
    "legacy-rest-json:25.7": _DEFAULT_CONTENT_TYPE,
    "rest-json:RestJsonQueryPrecedence": _PRECEDENCE,
    "rest-xml:RestXmlQueryPrecedence": _PRECEDENCE,
    "rest-json:MediaTypeHeaderInputBase64": _MEDIA_TYPE,
}


def _skip_reason(ident: str, case: dict, operation: OperationModel) -> str | None:
    if ident in AMBIGUOUS:
        return AMBIGUOUS[ident]
    if "body" not in case["serialized"] and case.get("params"):
        return "the vector leaves out the (gzip-compressed) body, so there is nothing to parse"
    shape = operation.input_shape
    if shape is not None:
        for name, member in shape.members.items():
            if member.metadata.get("idempotencyToken") and name not in case.get("params", {}):
                return "client-only: the SDK auto-fills the idempotency token"
    return None


def _load_cases() -> tuple[list[Any], list[Any]]:
    """The cases twice: for parsing, and for routing (which also works where parsing is moot)."""
    parse_cases, route_cases = [], []
    for ident, suite, case in cases("input"):
        service = service_for(suite, case)
        operation = service.operation_model(case["given"]["name"])
        reason = _skip_reason(ident, case, operation)
        values = (service, operation, case)
        parse_cases.append(pytest.param(*values, id=ident, marks=_skip(reason)))
        reason = _route_skip_reason(suite, case, service)
        route_cases.append(pytest.param(*values, id=ident, marks=_skip(reason)))
    return parse_cases, route_cases


def _skip(reason: str | None) -> list[Any]:
    return [pytest.mark.skip(reason=reason)] if reason else []


def _route_skip_reason(suite: dict, case: dict, service: ServiceModel) -> str | None:
    headers = Headers(case["serialized"].get("headers", {}))
    protocol = service.metadata["protocol"]
    if protocol == "json" and "X-Amz-Target" not in headers:
        return "the vector leaves out the X-Amz-Target header, so nothing names the operation"
    if protocol in ("query", "ec2") and "body" not in case["serialized"] and case.get("params"):
        return "the vector leaves out the body, where Action= would name the operation"
    if protocol.startswith("rest-") and "HostWithPathOperation" in suite["description"]:
        return "client-only: the endpoint URL's base path (/custom) comes before the operation's"
    return None


def _request(operation: OperationModel, case: dict) -> HttpRequest:
    serialized = case["serialized"]
    path, _, query = serialized.get("uri", "/").partition("?")
    body = serialized.get("body", "")
    if operation.metadata["protocol"] == "smithy-rpc-v2-cbor":
        raw = base64.b64decode(body)
    else:
        raw = body.encode()
    method = serialized.get("method") or operation.http.get("method", "POST")
    return HttpRequest(method, path, query, Headers(serialized.get("headers", {})), raw)


PARSE_CASES, ROUTE_CASES = _load_cases()


@pytest.mark.parametrize(("service", "operation", "case"), PARSE_CASES)
def test_parse(service: ServiceModel, operation: OperationModel, case: dict) -> None:
    parsed = parse_request(operation, _request(operation, case))
    expected = typed(operation.input_shape, case.get("params", {})) or {}
    assert canon(parsed) == canon(expected)


@pytest.mark.parametrize(("service", "operation", "case"), ROUTE_CASES)
def test_route(service: ServiceModel, operation: OperationModel, case: dict) -> None:
    found, protocol = OperationRouter(service).match(_request(operation, case))
    assert found.name == operation.name
    assert protocol == service.metadata["protocol"]
