"""smithy-rpc-v2-cbor: a CBOR map body to params. Timestamps are tag 1 (epoch seconds), blobs
are byte strings, and the structure walk is the JSON one with those scalars swapped."""

from __future__ import annotations

import datetime as dt
import io
import math
import struct
from typing import Any

import cbor2
from botocore.model import OperationModel, Shape

from lamina.protocol.http import HttpRequest
from lamina.protocol.parse.typed import Never, TypedTree
from lamina.protocol.parse.values import BadInput, to_timestamp

# A lone 0xff decodes to this marker rather than failing; it is no data item.
_BREAK = getattr(cbor2, "break_marker", object())


def load(body: bytes) -> Any:
    """The one CBOR data item in the body; an empty body is an empty map."""
    if not body:
        return {}
    stream = io.BytesIO(body)
    try:
        document = cbor2.CBORDecoder(stream).decode()
    except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError, RecursionError):
        raise BadInput("The request body is not valid CBOR.") from None
    if stream.tell() != len(body) or document is _BREAK:
        raise BadInput("The request body is not a single CBOR data item.")
    return document


class CborTree(TypedTree):
    def timestamp(self, shape: Shape, value: Any) -> Any:
        if isinstance(value, dt.datetime):  # tag 1, decoded by cbor2
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        self.expect(ok, shape, value)
        return to_timestamp(value)

    def blob(self, shape: Shape, value: Any) -> Any:
        self.expect(isinstance(value, bytes | bytearray), shape, value)
        return bytes(value)

    def as_given(self, shape: Shape) -> type:
        if shape.type_name == "float":
            return Never  # a float is read back to its shortest 32-bit decimal
        return super().as_given(shape)

    def number(self, shape: Shape, value: Any) -> float:
        number = super().number(shape, value)
        return _shortest_float32(number) if shape.type_name == "float" else number


def _shortest_float32(value: float) -> float:
    """A 32-bit float as the shortest decimal that reads back to it (7.625, 1.1), the way a
    client that sent a float (not a double) wrote it."""
    if math.isnan(value) or math.isinf(value):
        return value
    try:
        bits = struct.pack(">f", value)
    except OverflowError:
        return value
    for digits in range(1, 10):
        candidate = float(f"{value:.{digits}g}")
        if struct.pack(">f", candidate) == bits:
            return candidate
    return value


_TREE = CborTree()


def parse_body(shape: Shape, body: bytes) -> Any:
    return _TREE.value(shape, load(body))


def parse(operation: OperationModel, request: HttpRequest) -> dict[str, Any]:
    shape = operation.input_shape
    if shape is None:
        return {}
    parsed = parse_body(shape, request.body)
    return parsed if isinstance(parsed, dict) else {}
