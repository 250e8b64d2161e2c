"""The MD5 digests SQS answers with, computed as AWS does (the SDKs check them).

Body: MD5 of its UTF-8 bytes. Message (or system) attributes: MD5 over the attributes sorted by
name, each as: the name, the data type (4-byte big-endian length, then UTF-8 bytes each), a
transport byte (1 for String and Number types, 2 for Binary), then the value (length, bytes).
"""

from __future__ import annotations

import hashlib
import struct
from typing import Any


def md5_of_body(body: str) -> str:
    return hashlib.md5(body.encode("utf-8"), usedforsecurity=False).hexdigest()


def _field(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def md5_of_attributes(attributes: dict[str, dict[str, Any]]) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    for name in sorted(attributes):
        value = attributes[name]
        data_type = value["DataType"]
        digest.update(_field(name.encode("utf-8")))
        digest.update(_field(data_type.encode("utf-8")))
        if data_type.startswith("Binary"):
            digest.update(b"\x02")
            digest.update(_field(bytes(value["BinaryValue"])))
        else:
            digest.update(b"\x01")
            digest.update(_field(str(value["StringValue"]).encode("utf-8")))
    return digest.hexdigest()
