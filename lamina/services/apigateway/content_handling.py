"""Text and binary payloads of REST APIs, as AWS's "Content type conversions in API Gateway"
tables have them. A payload is binary when its Content-Type matches the API's
binaryMediaTypes (wildcards allowed), text otherwise.

Non-proxy integrations (MOCK, AWS, HTTP): the integration's contentHandling converts the
request payload (CONVERT_TO_BINARY base64-decodes a text payload, CONVERT_TO_TEXT
base64-encodes a binary one; unset, it passes as it is), the integration response's
contentHandling converts the response payload; unset, a binary payload goes out binary when
the request's first Accept type is a binary media type, else base64-encoded, and a text
payload is base64-decoded when the first Accept type is binary. A text payload that is not
valid base64 cannot be decoded: the gateway's 500 (an API configuration error). Mapping
templates see text only: a binary payload passes them by.

Lambda proxy integrations: the request body reaches the function base64-encoded when its
Content-Type is a binary media type (lamina/http_events/v1.py); an answer with
isBase64Encoded is decoded when the request's first Accept type or the answer's
Content-Type is a binary media type, and sent as the base64 text it is otherwise."""

from __future__ import annotations

import base64
import binascii

from lamina.http_events.v1 import is_binary
from lamina.protocol.http import Headers

CONVERT_TO_BINARY = "CONVERT_TO_BINARY"
CONVERT_TO_TEXT = "CONVERT_TO_TEXT"
STRATEGIES = (CONVERT_TO_BINARY, CONVERT_TO_TEXT)


class ConversionFailed(Exception):
    """A text payload to convert to binary that is not base64."""


def first_accept(headers: Headers) -> str:
    """Only the first media type of Accept counts, as AWS says."""
    return headers.get("accept", "").split(",", 1)[0]


def accepts_binary(headers: Headers, binary_media_types: list[str]) -> bool:
    return is_binary(first_accept(headers), binary_media_types)


def _decoded(body: bytes) -> bytes:
    try:
        return base64.b64decode(body.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ConversionFailed() from None


def _converted(body: bytes, binary: bool, to_binary: bool) -> bytes:
    if to_binary and not binary:
        return _decoded(body)
    if binary and not to_binary:
        return base64.b64encode(body)
    return body


def request_payload(
    body: bytes, headers: Headers, binary_media_types: list[str], handling: str | None
) -> tuple[bytes, bool]:
    """The integration request's payload, and whether it is binary (templates pass it by)."""
    binary = is_binary(headers.get("content-type", ""), binary_media_types)
    if handling is None:
        return body, binary
    to_binary = handling == CONVERT_TO_BINARY
    return _converted(body, binary, to_binary), to_binary


def response_payload(
    body: bytes,
    content_type: str,
    request_headers: Headers,
    binary_media_types: list[str],
    handling: str | None,
) -> tuple[bytes, bool]:
    """The method response's payload, and whether it is binary (templates pass it by)."""
    binary = is_binary(content_type, binary_media_types)
    if handling is None:
        to_binary = accepts_binary(request_headers, binary_media_types)
    else:
        to_binary = handling == CONVERT_TO_BINARY
    return _converted(body, binary, to_binary), to_binary


def proxy_decodes(
    request_headers: Headers, binary_media_types: list[str], content_type: str
) -> bool:
    """Whether a Lambda proxy answer with isBase64Encoded goes out decoded."""
    return accepts_binary(request_headers, binary_media_types) or is_binary(
        content_type, binary_media_types
    )
