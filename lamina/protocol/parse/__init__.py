"""Requests to params, for every AWS protocol, driven by the botocore model (DESIGN decision 1).

`parse_request` gives the params exactly as a boto3 caller passed them: datetimes for
timestamps, bytes for blobs, members absent from the request absent from the dict. It does not
check constraints (required, ranges, enums): the validator does, after parsing.
"""

from __future__ import annotations

import logging
import zlib
from typing import Any

from botocore.model import OperationModel

from lamina.protocol.errors import SerializationError, ServiceError
from lamina.protocol.http import Headers, HttpRequest
from lamina.protocol.parse import cbor, json, query, rest, xml
from lamina.protocol.parse.values import BadInput

log = logging.getLogger(__name__)

PROTOCOLS = frozenset({"json", "rest-json", "query", "ec2", "rest-xml", "smithy-rpc-v2-cbor"})
REST_PROTOCOLS = frozenset({"rest-json", "rest-xml"})
MAX_DECODED_BODY = 64 * 1024 * 1024  # a gzip bomb stops here


def parse_request(
    operation: OperationModel, request: HttpRequest, protocol: str | None = None
) -> dict[str, Any]:
    protocol = protocol or operation.metadata["protocol"]
    try:
        if protocol not in REST_PROTOCOLS or operation.request_compression:
            request = decode_content(request)
        return _parse(operation, request, protocol)
    except BadInput as problem:
        raise protocol_error(protocol, problem) from None
    except (ValueError, TypeError, UnicodeError, RecursionError) as error:
        # A safety net: whatever a client sends, it gets the protocol's error, never a 500.
        log.debug("unreadable %s request for %s", protocol, operation.name, exc_info=True)
        raise protocol_error(
            protocol, BadInput(f"The request could not be read: {error}")
        ) from None


def _parse(operation: OperationModel, request: HttpRequest, protocol: str) -> dict[str, Any]:
    if protocol == "json":
        return json.parse(operation, request)
    if protocol == "rest-json":
        return rest.parse(operation, request, json.parse_body)
    if protocol == "rest-xml":
        return rest.parse(operation, request, xml.parse_body)
    if protocol in ("query", "ec2"):
        return query.parse(operation, request, ec2=protocol == "ec2")
    if protocol == "smithy-rpc-v2-cbor":
        return cbor.parse(operation, request)
    raise ValueError(f"Unknown protocol {protocol!r}")


def protocol_error(protocol: str, problem: BadInput) -> ServiceError:
    """The error AWS answers an unreadable request with, in each protocol."""
    if protocol in ("query", "ec2"):
        if problem.in_body:
            return ServiceError("InvalidParameterValue", problem.message, 400)
        return ServiceError("MalformedQueryString", problem.message, 400)
    if protocol == "rest-xml":
        if problem.in_body:
            # S3's words for any body it cannot read against its schema.
            message = (
                "The XML you provided was not well-formed or did not validate against our "
                "published schema"
            )
            return ServiceError("MalformedXML", message, 400)
        return ServiceError("InvalidArgument", problem.message, 400)
    return SerializationError(problem.message)


def decode_content(request: HttpRequest) -> HttpRequest:
    """The request with its gzip Content-Encoding undone, as AWS does for the operations that
    accept compressed requests (CloudWatch PutMetricData). Other encodings stay as sent.

    Not for rest payloads in general: there a Content-Encoding describes the object (S3), so
    parse_request only decodes for operations whose model declares request compression.
    """
    header = request.headers.get("Content-Encoding")
    if not header or "gzip" not in header.lower():
        return request
    codings = [coding.strip() for coding in header.split(",") if coding.strip()]
    body = request.body
    while codings and codings[-1].lower() == "gzip":
        body = _gunzip(body)
        codings.pop()
    headers = [(k, v) for k, v in request.headers.items() if k.lower() != "content-encoding"]
    if codings:
        headers.append(("Content-Encoding", ", ".join(codings)))
    return HttpRequest(request.method, request.path, request.query, Headers(headers), body)


def _gunzip(body: bytes) -> bytes:
    decoder = zlib.decompressobj(wbits=31)  # 31: gzip framing
    try:
        data = decoder.decompress(body, MAX_DECODED_BODY)
    except zlib.error:
        raise BadInput("The request body is not valid gzip.") from None
    if decoder.unconsumed_tail:
        raise BadInput("The decompressed request body is too large.")
    return data


__all__ = ["PROTOCOLS", "decode_content", "parse_request", "protocol_error"]
