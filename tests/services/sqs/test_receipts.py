"""Receipt handles: what decodes, and what is ReceiptHandleIsInvalid, whichever way decoded."""

from __future__ import annotations

import base64

import pytest

from lamina.protocol.errors import ServiceError
from lamina.services.sqs import receipts


def test_a_handle_made_is_read_back() -> None:
    token = receipts.new_tokens(1)[0]
    assert receipts.decode(receipts.encode(7, 42, token)) == (7, 42, token)


def test_tokens_are_distinct_and_of_32_hex_digits() -> None:
    tokens = receipts.new_tokens(10)
    assert len(set(tokens)) == 10
    assert all(len(t) == 32 and int(t, 16) >= 0 for t in tokens)
    assert receipts.new_tokens(0) == []


@pytest.mark.parametrize("suffix", ["=", "=="])
def test_padding_base64_allows_still_decodes(suffix: str) -> None:
    body = base64.b64encode(b"1:2:ab").decode()  # no padding of its own
    assert receipts.decode("AQEB" + body + suffix) == (1, 2, "ab")


@pytest.mark.parametrize(
    "handle",
    ["", "AQEB", "AQEB!!!!", "AQEBQUI", "AQEB" + base64.b64encode(b"1:2").decode(), "AQEBé",
     "AQEB" + base64.b64encode(b"\xff:1:2").decode(), "XQEB" + base64.b64encode(b"1:2:t").decode()],
)  # fmt: skip
def test_what_we_never_made_is_invalid(handle: str) -> None:
    with pytest.raises(ServiceError) as raised:
        receipts.decode(handle)
    assert raised.value.code == "ReceiptHandleIsInvalid"
