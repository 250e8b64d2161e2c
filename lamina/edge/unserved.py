"""Requests for AWS services Lamina does not serve (yet), answered in that service's protocol.

An SDK reads an error only in the protocol of the service it called: a JSON body answering an
STS (query) or S3 (rest-xml) call makes boto3 and the CLI fail with "Unable to parse response
... invalid XML received". So the service is looked up among all of botocore's models (by the
SigV4 signing name, X-Amz-Target prefix or Host), and the refusal, NotImplementedException
with HTTP 501, is written from that service's own model, in the protocol the request spoke.

The index of models is built on the first such request, not at start-up; it reads only the
head of each model file, where its metadata is (about 0.15 s for botocore's 445 services,
where loading every model takes seconds). The models themselves are loaded when needed, and
cached, as served ones are.
"""

from __future__ import annotations

import json
import os
import threading
import zlib
from functools import cache
from typing import Any

from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel

from lamina.edge.request import EdgeRequest
from lamina.protocol.errors import ServiceError
from lamina.protocol.http import HttpRequest
from lamina.protocol.models import load_service_model
from lamina.protocol.parse import decode_content
from lamina.protocol.parse.query import form_fields
from lamina.protocol.parse.values import BadInput
from lamina.protocol.routing import OperationRouter, detect_protocol, service_protocols

_HEAD_BYTES = 8192  # of a model file: its metadata comes first and is far smaller


class UnservedService(ServiceError):
    """A call to a service Lamina does not serve: the error carries the model and protocol
    to be written in, since the request has no served service to take them from."""

    def __init__(
        self, model: ServiceModel, protocol: str, operation: OperationModel | None
    ) -> None:
        name = model.metadata.get("serviceFullName") or model.metadata.get("serviceId")
        message = f"Lamina does not serve {name} ({model.service_name}) yet"
        message += f", so it cannot answer {operation.name}." if operation else "."
        super().__init__("NotImplementedException", message, 501, sender_fault=False)
        self.model = model
        self.protocol = protocol
        self.operation = operation


def _model_metadata(loader: Loader, name: str) -> dict[str, Any]:
    """The metadata of botocore's newest model of `name`, read from the head of its file."""
    version = loader.determine_latest_version(name, "service-2")
    for root in loader.search_paths:
        for suffix in (".json", ".json.gz"):
            path = os.path.join(root, name, version, "service-2" + suffix)
            if not os.path.isfile(path):
                continue
            with open(path, "rb") as file:
                head = file.read(_HEAD_BYTES)
            if suffix.endswith(".gz"):
                head = zlib.decompressobj(wbits=31).decompress(head)
            text = head.decode("utf-8", "replace")
            try:
                start = text.index("{", text.index('"metadata"'))
                metadata, _ = json.JSONDecoder().raw_decode(text, start)
                return dict(metadata)
            except ValueError:
                break  # metadata not whole in the head: read the model the slow way
    return dict(loader.load_service_model(name, "service-2")["metadata"])


class ModelIndex:
    """botocore's service names by signing name, endpoint prefix and X-Amz-Target prefix."""

    def __init__(self, loader: Loader | None = None) -> None:
        self._loader = loader or Loader()
        self._lock = threading.Lock()
        self._built = False
        self.by_signing_name: dict[str, list[str]] = {}
        self.by_endpoint_prefix: dict[str, list[str]] = {}
        self.by_target_prefix: dict[str, str] = {}

    def ensure(self) -> ModelIndex:
        if not self._built:
            with self._lock:
                if not self._built:
                    self._build()
                    self._built = True
        return self

    def _build(self) -> None:
        for name in self._loader.list_available_services("service-2"):
            metadata = _model_metadata(self._loader, name)
            prefix = metadata.get("endpointPrefix") or name
            signing = metadata.get("signingName") or prefix
            self.by_signing_name.setdefault(signing, []).append(name)
            self.by_endpoint_prefix.setdefault(prefix, []).append(name)
            if metadata.get("targetPrefix"):
                self.by_target_prefix.setdefault(metadata["targetPrefix"], name)


@cache
def _router(name: str) -> OperationRouter:
    return OperationRouter(load_service_model(name))


@cache
def first_segments(name: str) -> frozenset[str]:
    """The first literal path segments of a REST service's operations ('v2', 'restapis');
    '' among them when some operation's path begins with a variable ('/{Bucket}') or is '/'."""
    model = load_service_model(name)
    found = set()
    for operation in model.operation_names:
        uri = model.operation_model(operation).http.get("requestUri", "/")
        first = uri.split("?", 1)[0].strip("/").split("/", 1)[0]
        found.add("" if first.startswith("{") else first)
    return frozenset(found)


def _pick(names: list[str], http: HttpRequest) -> str:
    """Of services sharing a signing name or prefix, the one whose paths the request fits
    (API Gateway's '/restapis/...' against API Gateway v2's '/v2/apis'), else the first."""
    if len(names) > 1:
        first = http.path.strip("/").split("/", 1)[0]
        fitting = [name for name in names if first in first_segments(name)]
        if fitting:
            return fitting[0]
    return names[0]


def _protocol(model: ServiceModel, http: HttpRequest) -> str:
    protocol = detect_protocol(model, http)
    # A json service that still takes query requests (SQS) answers a query request in XML.
    if "awsQueryCompatible" in model.metadata and protocol != "query" and _is_form(http):
        return "query"
    return protocol


def _is_form(http: HttpRequest) -> bool:
    return "Action=" in http.query or (
        "x-www-form-urlencoded" in http.headers.get("Content-Type", "") and b"Action=" in http.body
    )


def _operation(model: ServiceModel, protocol: str, http: HttpRequest) -> OperationModel | None:
    """The operation called, when the request names one the model has."""
    try:
        if protocol == "query" and "query" not in service_protocols(model):
            # a query request to a json model (SQS): its router reads only X-Amz-Target
            fields = form_fields(decode_content(http))
            action = next((value for key, value in fields if key == "Action"), "")
            return model.operation_model(action) if action in model.operation_names else None
        operation, _ = _router(model.service_name).match(http)
    except (ServiceError, BadInput):
        return None
    return operation


class UnservedServices:
    """Finds the AWS service a request meant, among those Lamina does not serve."""

    def __init__(self, served: set[str], index: ModelIndex | None = None) -> None:
        self.served = served
        self.index = index or ModelIndex()

    def find(self, request: EdgeRequest) -> str | None:
        index = self.index.ensure()
        http = request.http
        target = http.headers.get("x-amz-target")
        if target and target.rsplit(".", 1)[0] in index.by_target_prefix:
            return self._unserved([index.by_target_prefix[target.rsplit(".", 1)[0]]], http)
        if http.path.startswith("/service/"):
            name = index.by_target_prefix.get(http.path.split("/")[2])
            if name:
                return self._unserved([name], http)
        if request.signing_service:
            return self._unserved(index.by_signing_name.get(request.signing_service, []), http)
        host = http.headers.get("host", "").split(":")[0]
        return self._unserved(index.by_endpoint_prefix.get(host.split(".")[0], []), http)

    def _unserved(self, names: list[str], http: HttpRequest) -> str | None:
        names = [name for name in names if name not in self.served]
        return _pick(names, http) if names else None

    def error(self, request: EdgeRequest) -> UnservedService | None:
        """The refusal for a request to an unserved service, or None if none is meant."""
        name = self.find(request)
        if name is None:
            return None
        model = load_service_model(name)
        protocol = _protocol(model, request.http)
        return UnservedService(model, protocol, _operation(model, protocol, request.http))
