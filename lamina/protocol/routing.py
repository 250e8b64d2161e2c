"""Which protocol a request speaks, and which operation of a service it calls.

A service may accept several protocols (CloudWatch: smithy-rpc-v2-cbor, json and query); the
request's own markers decide. Routers are built once per service and cached by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from botocore.model import OperationModel, ServiceModel

from lamina.protocol.errors import UnknownOperation
from lamina.protocol.http import HttpRequest
from lamina.protocol.models import protocol_model
from lamina.protocol.parse import decode_content, protocol_error, rest
from lamina.protocol.parse.query import form_fields
from lamina.protocol.parse.uri import PREFIX_DEPTH
from lamina.protocol.parse.values import BadInput

_CBOR_PATH = re.compile(r"(?:/.*)?/service/([^/]+)/operation/([^/]+)")
_ACTION = re.compile(rb"(?:^|&)Action=")
_UNSEEN = object()
_FOUND_KEPT = 4096


def service_protocols(service: ServiceModel) -> list[str]:
    metadata = service.metadata
    return list(metadata.get("protocols") or [metadata["protocol"]])


def detect_protocol(service: ServiceModel, request: HttpRequest) -> str:
    protocols = service_protocols(service)
    headers = request.headers
    if "smithy-rpc-v2-cbor" in protocols and headers.get("smithy-protocol") == "rpc-v2-cbor":
        return "smithy-rpc-v2-cbor"
    if "json" in protocols and "X-Amz-Target" in headers:
        return "json"
    for protocol in ("query", "ec2"):
        if protocol in protocols and _has_action(request):
            return protocol
    return str(service.metadata["protocol"])


def _has_action(request: HttpRequest) -> bool:
    if _ACTION.search(request.query.encode()):
        return True
    content_type = request.headers.get("Content-Type", "")
    if "x-www-form-urlencoded" not in content_type:
        return False
    # A compressed form body (CloudWatch PutMetricData) is looked into after decoding.
    return bool(_ACTION.search(request.body)) or "Content-Encoding" in request.headers


class _RestRoute:
    __slots__ = ("deprecated", "index", "operation", "required", "template")

    def __init__(self, operation: OperationModel, index: int) -> None:
        self.operation = operation
        self.template = rest.plan(operation).template
        self.index = index
        self.deprecated = bool(operation.deprecated)
        # Required members sent in the query string or headers tell apart operations that share
        # a template: S3's PUT /{Bucket}/{Key+} is UploadPartCopy with partNumber, uploadId
        # and x-amz-copy-source, UploadPart with the first two, CopyObject with the last.
        self.required: list[tuple[str, str]] = []
        shape = operation.input_shape
        for name in shape.required_members if shape is not None else ():
            member = shape.members[name]
            location = member.serialization.get("location")
            if location in ("querystring", "header"):
                self.required.append((location, member.serialization.get("name", name)))

    def rank(self, request: HttpRequest, query: dict[str, list[str]]) -> tuple[Any, ...]:
        present = sum(
            key in (query if location == "querystring" else request.headers)
            for location, key in self.required
        )
        complete = present == len(self.required)
        return (self.template.specificity, complete, present, not self.deprecated, -self.index)


class OperationRouter:
    def __init__(self, service: ServiceModel) -> None:
        self.service = service
        self.protocols = service_protocols(service)
        self.target_prefix = service.metadata.get("targetPrefix")
        self._operations = {name: service.operation_model(name) for name in service.operation_names}
        # A protocol with traits of its own (SQS's query names) reads with its own model.
        self._by_protocol: dict[str, dict[str, OperationModel]] = {}
        for protocol in self.protocols:
            model = protocol_model(service, protocol)
            if model is not service:
                self._by_protocol[protocol] = {
                    n: model.operation_model(n) for n in model.operation_names
                }
        # rest routes by method, then by their leading literal path segments.
        self._rest: dict[str, dict[tuple[str, ...], list[_RestRoute]]] = {}
        if any(protocol.startswith("rest-") for protocol in self.protocols):
            for index, operation in enumerate(self._operations.values()):
                method = operation.http.get("method", "POST").upper()
                route = _RestRoute(operation, index)
                by_prefix = self._rest.setdefault(method, {})
                by_prefix.setdefault(route.template.prefix, []).append(route)
        # A rest route is found by matching every template that shares the path's leading
        # literals (Lambda: a dozen regexes a call); the same call comes again and again, so
        # what was found is kept, by everything that decided it.
        self._header_names = sorted(
            {
                key
                for by_prefix in self._rest.values()
                for routes in by_prefix.values()
                for route in routes
                for location, key in route.required
                if location == "header"
            }
        )
        self._found: dict[tuple[Any, ...], OperationModel | None] = {}

    def match(self, request: HttpRequest) -> tuple[OperationModel, str]:
        protocol = detect_protocol(self.service, request)
        if protocol == "json":
            return self._by_target(request), protocol
        if protocol in ("query", "ec2"):
            return self._by_action(request, protocol), protocol
        if protocol == "smithy-rpc-v2-cbor":
            return self._by_cbor_path(request), protocol
        return self._by_path(request), protocol

    def _named(self, name: str | None) -> OperationModel | None:
        return self._operations.get(name) if name else None

    def _by_target(self, request: HttpRequest) -> OperationModel:
        target = request.headers.get("X-Amz-Target", "")
        prefix, _, name = target.rpartition(".")
        operation = self._named(name)
        if operation is None or (self.target_prefix and prefix != self.target_prefix):
            raise UnknownOperation(f"Unknown operation {target!r}.")
        return operation

    def _by_action(self, request: HttpRequest, protocol: str) -> OperationModel:
        try:
            fields = form_fields(decode_content(request))
        except BadInput as problem:
            raise protocol_error(protocol, problem) from None
        action = next((value for key, value in fields if key == "Action"), None)
        if not action:
            message = "The request is missing an action or a required parameter."
            raise UnknownOperation(message, code="MissingAction")
        operation = self._by_protocol.get(protocol, self._operations).get(action)
        if operation is None:
            message = f"The action {action} is not valid for this web service."
            raise UnknownOperation(message, code="InvalidAction")
        return operation

    def _by_cbor_path(self, request: HttpRequest) -> OperationModel:
        # The service name is not checked: the SDKs send the model's short name, Smithy servers
        # its full shape id, and the edge has already chosen the service.
        found = _CBOR_PATH.fullmatch(request.path)
        operation = self._named(found.group(2)) if found else None
        if operation is None:
            raise UnknownOperation(f"Unknown operation at {request.path}.", status=404)
        return operation

    def _by_path(self, request: HttpRequest) -> OperationModel:
        headers = request.headers
        key = (
            request.method,
            request.path,
            request.query,
            *[name in headers for name in self._header_names],
        )
        chosen = self._found.get(key, _UNSEEN)
        if chosen is _UNSEEN:
            chosen = self._route(request)
            if len(self._found) >= _FOUND_KEPT:  # paths of many names: start again
                self._found.clear()
            self._found[key] = chosen
        if chosen is None:
            message = f"No operation matches {request.method} {request.path}."
            raise UnknownOperation(message, status=404)
        return chosen

    def _route(self, request: HttpRequest) -> OperationModel | None:
        query = rest.query_dict(request)
        best: tuple[Any, ...] | None = None
        chosen: OperationModel | None = None
        for route in self._candidates(request):
            if route.template.match(request.path, query) is None:
                continue
            rank = route.rank(request, query)
            if best is None or rank > best:
                best, chosen = rank, route.operation
        return chosen

    def _candidates(self, request: HttpRequest) -> Iterator[_RestRoute]:
        """The routes whose leading literal segments the request's path starts with."""
        by_prefix = self._rest.get(request.method.upper())
        if not by_prefix:
            return
        segments = tuple(request.path.strip("/").split("/")[:PREFIX_DEPTH])
        for depth in range(len(segments) + 1):
            yield from by_prefix.get(segments[:depth], ())
