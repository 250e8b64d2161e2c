"""Results and errors to HTTP responses, in each AWS protocol, from the service model.

`serialize_response` writes a provider's result dict for an operation; `serialize_error` writes a
ServiceError. Byte payloads (Lambda's Invoke payload, S3 object bodies) pass through as they are.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from xml.etree import ElementTree

from botocore.model import OperationModel, StructureShape

from lamina.protocol import eventstream
from lamina.protocol.http import HttpResponse
from lamina.protocol.serialize import cbor, events, json, rest, xml
from lamina.protocol.serialize.errors import cbor_headers, json_content_type, serialize_error


def serialize_response(
    operation: OperationModel,
    result: dict[str, Any],
    *,
    request_id: str,
    protocol: str | None = None,
) -> HttpResponse:
    protocol = protocol or operation.metadata["protocol"]
    shape = operation.output_shape
    status = int(operation.http.get("responseCode", 200))
    if protocol == "json":
        body = json.write_body(shape, result) if shape is not None else b"{}"
        return HttpResponse(status, [("Content-Type", json_content_type(operation.metadata))], body)
    if protocol == "smithy-rpc-v2-cbor":
        body = cbor.write_body(shape, result) if shape is not None else b""
        return HttpResponse(status, cbor_headers(), body)
    if protocol in ("query", "ec2"):
        return _query(operation, shape, result, request_id, ec2=protocol == "ec2")
    if protocol in ("rest-json", "rest-xml"):
        return _rest(operation, shape, result, status, protocol)
    raise ValueError(f"Unknown protocol {protocol!r}")


def _query(
    operation: OperationModel,
    shape: StructureShape | None,
    result: dict[str, Any],
    request_id: str,
    ec2: bool,
) -> HttpResponse:
    """<OpResponse><OpResult>…</OpResult><ResponseMetadata>… (query); ec2 has no Result
    wrapper and a lower-case requestId."""
    root = xml.Element(f"{operation.name}Response")
    xml.set_namespace(root, operation.metadata.get("xmlNamespace"))
    if ec2:
        ElementTree.SubElement(root, "requestId").text = request_id
        if shape is not None:
            xml.fill(root, shape, result)
    else:
        if shape is not None:
            wrapper = shape.serialization.get("resultWrapper") or f"{operation.name}Result"
            root.append(xml.element(wrapper, shape, result))
        metadata = ElementTree.SubElement(root, "ResponseMetadata")
        ElementTree.SubElement(metadata, "RequestId").text = request_id
    return HttpResponse(200, [("Content-Type", "text/xml")], xml.tostring(root))


def _rest(
    operation: OperationModel,
    shape: StructureShape | None,
    result: dict[str, Any],
    status: int,
    protocol: str,
) -> HttpResponse:
    split = rest.Split(shape, result)
    headers = split.headers
    if shape is not None and split.payload_name is not None:
        member = shape.members[split.payload_name]
        if events.is_event_stream(member):  # the events follow as the provider yields them
            stream = events.write_stream(member, result.get(split.payload_name) or _no_events())
            if not split.has_header("Content-Type"):
                headers.append(("Content-Type", eventstream.CONTENT_TYPE))
            return HttpResponse(split.status or status, headers, stream=stream)
    body, content_type = _rest_body(operation, shape, result, split, protocol)
    if body and content_type and not split.has_header("Content-Type"):
        headers.append(("Content-Type", content_type))
    return HttpResponse(split.status or status, headers, body)


def _rest_body(
    operation: OperationModel,
    shape: StructureShape | None,
    result: dict[str, Any],
    split: rest.Split,
    protocol: str,
) -> tuple[bytes, str | None]:
    is_json = protocol == "rest-json"
    content_type = "application/json" if is_json else "application/xml"
    if shape is None:
        return b"", None
    if split.payload_name is not None:
        member = shape.members[split.payload_name]
        value = result.get(split.payload_name)
        if value is None:
            return b"", None
        raw = rest.raw_payload(member, value)
        if raw is not None:
            return raw
        if is_json:
            return json.write_body(member, value), content_type
        name = member.serialization.get("name") or split.payload_name
        return _xml_document(name, member, value, operation), content_type
    if not split.body_members:
        return b"", None
    if is_json:
        return json.write_body(shape, result), content_type
    name = shape.serialization.get("name") or shape.name
    return _xml_document(name, shape, result, operation), content_type


async def _no_events() -> AsyncIterator[dict[str, Any]]:
    return
    yield


def _xml_document(name: str, shape: Any, value: Any, operation: OperationModel) -> bytes:
    root = xml.element(name, shape, value)
    if "xmlns" not in root.attrib:
        xml.set_namespace(root, operation.metadata.get("xmlNamespace"))
    return xml.tostring(root)


__all__ = ["serialize_error", "serialize_response"]
