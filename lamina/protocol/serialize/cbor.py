"""Results to smithy-rpc-v2-cbor bodies: the typed-tree walk JSON uses, with CBOR's own scalars
(timestamps as tag 1 epoch seconds, blobs as byte strings, floats as floats)."""

from __future__ import annotations

from typing import Any

import cbor2
from botocore.model import Shape

from lamina.protocol import timestamps
from lamina.protocol.serialize import values
from lamina.protocol.serialize.typed import TypedWriter


class CborWriter(TypedWriter):
    def timestamp(self, shape: Shape, value: Any) -> Any:
        return cbor2.CBORTag(1, timestamps.epoch_seconds(values.as_datetime(value)))

    def blob(self, shape: Shape, value: Any) -> Any:
        return values.as_bytes(value)

    def number(self, shape: Shape, value: Any) -> Any:
        return float(value)


_WRITER = CborWriter()


def document(shape: Shape, value: Any) -> Any:
    return _WRITER.value(shape, value)


def dumps(document: Any) -> bytes:
    return bytes(cbor2.dumps(document))


def write_body(shape: Shape, value: Any) -> bytes:
    return dumps(_WRITER.value(shape, value))
