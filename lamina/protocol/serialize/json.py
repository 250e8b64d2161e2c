"""Results to JSON documents (json 1.0/1.1 and rest-json bodies), written by the typed-tree
walk CBOR shares with its own scalars."""

from __future__ import annotations

import json
from typing import Any

from botocore.model import Shape

from lamina.protocol.serialize.typed import TypedWriter

_WRITER = TypedWriter()
# What json.dumps(separators=(",", ":"), allow_nan=False) would build per call, built once.
_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False)


def document(shape: Shape, value: Any) -> Any:
    return _WRITER.value(shape, value)


def dumps(document: Any) -> bytes:
    return _ENCODER.encode(document).encode()


def write_body(shape: Shape, value: Any) -> bytes:
    return dumps(_WRITER.value(shape, value))
