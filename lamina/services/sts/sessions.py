"""Session credentials in the store: issued by GetSessionToken, AssumeRole and
AssumeRoleWithWebIdentity, resolved by the edge (as a CredentialSource) until they expire.

Access key ids are ASIA and 16 characters of base32 (20, as AWS's), secrets 40 characters of
base64's alphabet, session tokens 256 random bytes in base64. Rows are deleted a day after
they expire (on the next issue), so a late use meets ExpiredToken, not an unknown key.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, replace

from sqlalchemy.engine import Connection

from lamina.identity import Credential, Identity
from lamina.store import Store
from lamina.store.schema import sts_sessions as table

SESSION_KEY = "ASIA"
KEPT_AFTER_EXPIRY_S = 86400
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_SECRET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def new_key_id() -> str:
    return SESSION_KEY + "".join(secrets.choice(_BASE32) for _ in range(16))


def new_secret() -> str:
    return "".join(secrets.choice(_SECRET) for _ in range(40))


def new_token() -> str:
    return base64.b64encode(secrets.token_bytes(256)).decode()


@dataclass(frozen=True)
class Issued:
    access_key_id: str
    secret: str
    session_token: str
    expires_at: float
    identity: Identity

    def answer(self) -> dict[str, object]:
        """STS's Credentials member."""
        return {
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret,
            "SessionToken": self.session_token,
            "Expiration": self.expires_at,
        }


def issue(
    conn: Connection, identity: Identity, duration_s: int, source_identity: str | None = None
) -> Issued:
    """A new session for `identity` (its access key and expiry are filled in here)."""
    now = time.time()
    key_id, secret, token = new_key_id(), new_secret(), new_token()
    expires_at = float(int(now) + duration_s)  # AWS's Expiration has whole seconds
    conn.execute(table.delete().where(table.c.expires_at < now - KEPT_AFTER_EXPIRY_S))
    conn.execute(
        table.insert().values(
            access_key_id=key_id,
            secret=secret,
            session_token=token,
            account_id=identity.account_id,
            kind=identity.kind,
            arn=identity.arn,
            user_id=identity.user_id,
            user_name=identity.user_name,
            role_arn=identity.role_arn,
            role_id=identity.role_id,
            session_name=identity.session_name,
            chained=identity.chained,
            web_identity=identity.web_identity,
            source_identity=source_identity,
            tags=json.dumps([list(tag) for tag in identity.tags]) if identity.tags else None,
            created_at=now,
            expires_at=expires_at,
        )
    )
    return Issued(key_id, secret, token, expires_at, _identity_of(identity, key_id, expires_at))


def _identity_of(identity: Identity, key_id: str, expires_at: float) -> Identity:
    return replace(identity, access_key=key_id, expires_at=expires_at, session=True)


def lookup(conn: Connection, access_key_id: str) -> Credential | None:
    row = conn.execute(table.select().where(table.c.access_key_id == access_key_id)).first()
    if row is None:
        return None
    tags = tuple((k, v) for k, v in json.loads(row.tags)) if row.tags else ()
    identity = Identity(
        account_id=row.account_id,
        arn=row.arn,
        user_id=row.user_id,
        kind=row.kind,
        access_key=row.access_key_id,
        user_name=row.user_name,
        session_name=row.session_name,
        role_arn=row.role_arn,
        role_id=row.role_id,
        expires_at=row.expires_at,
        session=True,
        chained=bool(row.chained),
        web_identity=row.web_identity,
        tags=tags,
    )
    return Credential(
        row.access_key_id, row.secret, identity, row.session_token, row.expires_at, True
    )


class SessionCredentials:
    """The edge's view of the sessions: `lookup(access_key_id)` (ASIA keys only)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def lookup(self, access_key_id: str) -> Credential | None:
        if len(access_key_id) != 20 or not access_key_id.startswith(SESSION_KEY):
            return None
        with self.store.read() as conn:
            return lookup(conn, access_key_id)
