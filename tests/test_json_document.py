"""JsonDocument: bytes made by json.dumps, which Lambda's Invoke need not parse to trust."""

from __future__ import annotations

import json

import pytest

from lamina import json_document
from lamina.protocol.errors import ServiceError
from lamina.services.lambda_.invoke import check_json


def test_dumps_gives_the_same_bytes_as_json_dumps() -> None:
    value = {"a": [1, "é"], "b": None}
    made = json_document.dumps(value)
    assert isinstance(made, json_document.JsonDocument)
    assert made == json.dumps(value, separators=(",", ":")).encode()
    assert json_document.dumps(value, compact=False) == json.dumps(value).encode()
    assert json_document.compact(value) == made


def test_plain_bytes_are_still_checked_and_a_document_is_not() -> None:
    with pytest.raises(ServiceError) as refused:
        check_json(b"{not json")
    assert refused.value.code == "InvalidRequestContentException"
    check_json(json_document.dumps({"ok": True}))  # no parse, no error
