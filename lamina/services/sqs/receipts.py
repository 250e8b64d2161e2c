"""Receipt handles: opaque to the caller, unique per receive.

A handle names the queue row, the message row and the receive (a random token stored with the
message). Only the latest receive's token matches the row: an older handle can no longer
delete the message or change its visibility.
"""

from __future__ import annotations

import base64
import binascii
import secrets

from lamina.services.sqs.errors import receipt_handle_invalid

_PREFIX = "AQEB"  # AWS's handles start so; ours only look alike


def new_token() -> str:
    return secrets.token_hex(16)


def encode(queue_id: int, row_id: int, token: str) -> str:
    raw = f"{queue_id}:{row_id}:{token}".encode()
    return _PREFIX + base64.b64encode(raw).decode()


def decode(handle: str) -> tuple[int, int, str]:
    """(queue row, message row, token); ReceiptHandleIsInvalid for what we never made."""
    if not handle.startswith(_PREFIX):
        raise receipt_handle_invalid(handle)
    try:
        raw = base64.b64decode(handle[len(_PREFIX) :], validate=True).decode()
        queue_id, row_id, token = raw.split(":")
        return int(queue_id), int(row_id), token
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise receipt_handle_invalid(handle) from None
