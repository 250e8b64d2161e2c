"""Receipt handles: opaque to the caller, unique per receive.

A handle names the queue row, the message row and the receive (a random token stored with the
message). Only the latest receive's token matches the row: an older handle can no longer
delete the message or change its visibility.
"""

from __future__ import annotations

import base64
import binascii
import os

from lamina.services.sqs.errors import receipt_handle_invalid

_PREFIX = "AQEB"  # AWS's handles start so; ours only look alike
_TOKEN_BYTES = 16


def new_tokens(count: int) -> list[str]:
    """`count` tokens from one read of the system's randomness, not one read each."""
    text = os.urandom(_TOKEN_BYTES * count).hex()
    size = 2 * _TOKEN_BYTES
    return [text[i : i + size] for i in range(0, size * count, size)]


def encode(queue_id: int, row_id: int, token: str) -> str:
    raw = f"{queue_id}:{row_id}:{token}".encode()
    return _PREFIX + binascii.b2a_base64(raw, newline=False).decode()


def decode(handle: str) -> tuple[int, int, str]:
    """(queue row, message row, token); ReceiptHandleIsInvalid for what we never made."""
    if not handle.startswith(_PREFIX):
        raise receipt_handle_invalid(handle)
    try:
        try:  # our own handles: strict base64 accepts only what the lenient check below would
            raw = binascii.a2b_base64(handle[len(_PREFIX) :], strict_mode=True).decode()
        except (ValueError, binascii.Error):  # anything else, judged as it always was
            raw = base64.b64decode(handle[len(_PREFIX) :], validate=True).decode()
        queue_id, row_id, token = raw.split(":")
        return int(queue_id), int(row_id), token
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise receipt_handle_invalid(handle) from None
