"""JSON bodies (json 1.0/1.1 and rest-json) to params, read by the typed-tree walk CBOR shares."""

from __future__ import annotations

import json
from typing import Any

from botocore.model import OperationModel, Shape

from lamina.protocol.http import HttpRequest
from lamina.protocol.parse.typed import TypedTree
from lamina.protocol.parse.values import BadInput

_TREE = TypedTree()


def load(body: bytes) -> Any:
    """The JSON document in a body; an empty body is an empty object, as AWS reads it."""
    if not body.strip():
        return {}
    try:
        # What json.loads does, minus the decoder it would build per call for parse_constant.
        text = (
            body.decode(json.detect_encoding(body), "surrogatepass")
            if isinstance(body, bytes | bytearray)
            else body
        )
        return _DECODER.decode(text)
    except (ValueError, RecursionError):
        raise BadInput("The request body is not valid JSON.") from None


def _reject_constant(name: str) -> float:
    # Bare NaN/Infinity are not JSON; AWS sends them as strings.
    raise ValueError(name)


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def parse_document(shape: Shape, document: Any) -> Any:
    return _TREE.value(shape, document)


def parse_body(shape: Shape, body: bytes) -> Any:
    return _TREE.value(shape, load(body))


def parse(operation: OperationModel, request: HttpRequest) -> dict[str, Any]:
    """json 1.0 / 1.1: the whole input is the body."""
    shape = operation.input_shape
    if shape is None:
        return {}
    parsed = parse_body(shape, request.body)
    return parsed if isinstance(parsed, dict) else {}
