"""IAM's identifiers and ARNs, in AWS's shapes.

Unique ids are a four-letter prefix naming the kind of entity and 17 characters of base32
(uppercase letters and the digits 2-7): 21 characters, as AWS's are. Access key ids are 20
characters (AKIA and 16), as AWS's are (AKIAIOSFODNN7EXAMPLE); their secrets are 40 characters
of base64's alphabet.
"""

from __future__ import annotations

import secrets
import time

ROLE = "AROA"
USER = "AIDA"
GROUP = "AGPA"
POLICY = "ANPA"
INSTANCE_PROFILE = "AIPA"
ACCESS_KEY = "AKIA"

_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_SECRET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def new_id(prefix: str) -> str:
    size = 16 if prefix == ACCESS_KEY else 17
    return prefix + "".join(secrets.choice(_BASE32) for _ in range(size))


def new_secret() -> str:
    return "".join(secrets.choice(_SECRET) for _ in range(40))


def now() -> float:
    return time.time()


def arn(account_id: str, kind: str, path: str, name: str) -> str:
    """arn:aws:iam::123456789012:role/some/path/name (path starts and ends with '/')."""
    return f"arn:aws:iam::{account_id}:{kind}{path}{name}"


def root_arn(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:root"


def name_key(name: str) -> str:
    """IAM names are unique whatever their case: the key they are unique by."""
    return name.lower()
