"""ServiceErrors to HTTP responses in each protocol.

The error's code names an error shape of the model (by shape name, or by the query-style code in
its `error` trait). That shape gives the status when the error does not, the members the
error's extra fields are written as, and, for query protocols, the code on the wire.
"""

from __future__ import annotations

import weakref
from typing import Any
from xml.etree import ElementTree

from botocore.model import OperationModel, ServiceModel, StructureShape

from lamina.protocol.errors import ServiceError
from lamina.protocol.http import HttpResponse
from lamina.protocol.serialize import cbor, json, rest, xml

JSON_CONTENT_TYPES = {"1.0": "application/x-amz-json-1.0", "1.1": "application/x-amz-json-1.1"}


def json_content_type(metadata: dict[str, Any]) -> str:
    return JSON_CONTENT_TYPES.get(metadata.get("jsonVersion", "1.0"), JSON_CONTENT_TYPES["1.0"])


def cbor_headers() -> list[tuple[str, str]]:
    return [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]


_by_code: weakref.WeakKeyDictionary[ServiceModel, dict[str, StructureShape]] = (
    weakref.WeakKeyDictionary()
)


def error_shape(service: ServiceModel, code: str) -> StructureShape | None:
    shapes = _by_code.get(service)
    if shapes is None:
        shapes = {}
        for shape in service.error_shapes:
            shapes.setdefault(shape.name, shape)
            shapes.setdefault(shape.metadata.get("error", {}).get("code", shape.name), shape)
        _by_code[service] = shapes
    return shapes.get(code)


class WireError:
    """What every protocol needs to know of one error."""

    def __init__(self, service: ServiceModel, error: ServiceError) -> None:
        self.error = error
        self.shape = error_shape(service, error.code)
        trait = self.shape.metadata.get("error", {}) if self.shape is not None else {}
        self.name = self.shape.name if self.shape is not None else error.code
        self.query_code = trait.get("code", self.name)
        sender = trait.get("senderFault", error.sender_fault)
        self.fault = "Sender" if sender else "Receiver"
        self.status = error.status or trait.get("httpStatusCode") or (400 if sender else 500)
        self.message_key = self._message_member()
        # The extra fields, with the message under the member that holds it, if the shape has one.
        self.fields: dict[str, Any] = dict(error.fields)
        if self.message_key is not None:
            self.fields[self.message_key] = error.message

    def _message_member(self) -> str | None:
        if self.shape is None:
            return None
        return next((n for n in self.shape.members if n.lower() == "message"), None)


def serialize_error(
    service: ServiceModel,
    operation: OperationModel | None,
    error: ServiceError,
    *,
    request_id: str,
    protocol: str | None = None,
) -> HttpResponse:
    protocol = protocol or service.metadata["protocol"]
    wire = WireError(service, error)
    if protocol in ("json", "rest-json", "smithy-rpc-v2-cbor"):
        return _typed(service, wire, protocol)
    if protocol == "query":
        return _query(service, wire, request_id)
    if protocol == "ec2":
        return _ec2(wire, request_id)
    if protocol == "rest-xml":
        return _rest_xml(service, wire, request_id)
    raise ValueError(f"Unknown protocol {protocol!r}")


def _typed(service: ServiceModel, wire: WireError, protocol: str) -> HttpResponse:
    headers: list[tuple[str, str]] = []
    document: dict[str, Any] = {"__type": wire.name}
    if wire.shape is not None:
        if protocol == "rest-json":
            split = rest.Split(wire.shape, wire.fields)
            headers.extend(split.headers)
        writer = cbor if protocol == "smithy-rpc-v2-cbor" else json
        document.update(writer.document(wire.shape, wire.fields))
    if wire.message_key is None:
        document["message"] = wire.error.message
    if "awsQueryCompatible" in service.metadata:
        headers.append(("x-amzn-query-error", f"{wire.query_code};{wire.fault}"))
    if protocol == "smithy-rpc-v2-cbor":
        headers.extend(cbor_headers())
        return HttpResponse(wire.status, headers, cbor.dumps(document))
    headers.append(("x-amzn-ErrorType", wire.name))
    if protocol == "rest-json":
        content_type = "application/json"
    else:
        content_type = json_content_type(service.metadata)
    headers.append(("Content-Type", content_type))
    return HttpResponse(wire.status, headers, json.dumps(document))


def _error_element(wire: WireError, code: str, with_type: bool) -> ElementTree.Element:
    node = ElementTree.Element("Error")
    if with_type:
        ElementTree.SubElement(node, "Type").text = wire.fault
    ElementTree.SubElement(node, "Code").text = code
    ElementTree.SubElement(node, "Message").text = wire.error.message
    if wire.shape is not None:
        extra = {k: v for k, v in wire.fields.items() if k != wire.message_key}
        xml.fill(node, wire.shape, extra)  # header-bound members are skipped by the writer
    return node


def _query(service: ServiceModel, wire: WireError, request_id: str) -> HttpResponse:
    root = ElementTree.Element("ErrorResponse")
    xml.set_namespace(root, service.metadata.get("xmlNamespace"))
    root.append(_error_element(wire, wire.query_code, with_type=True))
    ElementTree.SubElement(root, "RequestId").text = request_id
    return HttpResponse(wire.status, [("Content-Type", "text/xml")], xml.tostring(root))


def _ec2(wire: WireError, request_id: str) -> HttpResponse:
    root = ElementTree.Element("Response")
    errors = ElementTree.SubElement(root, "Errors")
    errors.append(_error_element(wire, wire.query_code, with_type=False))
    ElementTree.SubElement(root, "RequestID").text = request_id
    headers = [("Content-Type", "text/xml;charset=UTF-8")]
    return HttpResponse(wire.status, headers, xml.tostring(root))


def _rest_xml(service: ServiceModel, wire: WireError, request_id: str) -> HttpResponse:
    headers: list[tuple[str, str]] = []
    if wire.shape is not None:
        headers.extend(rest.Split(wire.shape, wire.fields).headers)
    node = _error_element(wire, wire.query_code, with_type=True)
    headers.append(("Content-Type", "application/xml"))
    if service.metadata.get("serviceId") == "S3":
        # S3 answers a bare <Error> with the request id inside it (its model's noErrorWrapping).
        ElementTree.SubElement(node, "RequestId").text = request_id
        return HttpResponse(wire.status, headers, xml.tostring(node))
    root = ElementTree.Element("ErrorResponse")
    xml.set_namespace(root, service.metadata.get("xmlNamespace"))
    root.append(node)
    ElementTree.SubElement(root, "RequestId").text = request_id
    return HttpResponse(wire.status, headers, xml.tostring(root))
