"""The event stream encoding, read back by botocore's own parser (prelude, headers, CRCs)."""

from __future__ import annotations

import zlib

import pytest
from botocore.eventstream import ChecksumMismatch, EventStreamBuffer
from botocore.loaders import Loader
from botocore.model import ServiceModel

from lamina.protocol import eventstream
from lamina.protocol.serialize.events import write_event


def parsed(data: bytes) -> list:
    buffer = EventStreamBuffer()
    buffer.add_data(data)
    return list(buffer)


def test_messages_are_read_back_by_botocore():
    chunk = eventstream.event("PayloadChunk", b"hello", "application/octet-stream")
    data = chunk + eventstream.message({":message-type": "event", ":event-type": "End"})
    first, second = parsed(data)
    assert first.payload == b"hello"
    assert first.headers == {
        ":event-type": "PayloadChunk",
        ":content-type": "application/octet-stream",
        ":message-type": "event",
    }
    assert (second.payload, second.headers[":event-type"]) == (b"", "End")
    assert first.prelude.total_length == len(chunk)


def test_a_damaged_message_fails_its_checksum():
    data = bytearray(eventstream.event("PayloadChunk", b"hello", None))
    data[-6] ^= 0xFF  # a payload byte
    with pytest.raises(ChecksumMismatch):
        parsed(bytes(data))
    assert zlib.crc32(bytes(data[:8])) == int.from_bytes(data[8:12], "big")  # prelude intact


def test_events_are_written_from_the_model():
    model = ServiceModel(Loader().load_service_model("lambda", "service-2"))
    shape = model.shape_for("InvokeWithResponseStreamResponseEvent")
    chunk = parsed(write_event(shape, "PayloadChunk", {"Payload": b"\x00\x01"}))[0]
    assert chunk.payload == b"\x00\x01"
    assert chunk.headers[":content-type"] == "application/octet-stream"
    complete = parsed(write_event(shape, "InvokeComplete", {"ErrorCode": "E", "LogResult": "x"}))
    assert complete[0].payload == b'{"ErrorCode":"E","LogResult":"x"}'
    assert complete[0].headers[":content-type"] == "application/json"
