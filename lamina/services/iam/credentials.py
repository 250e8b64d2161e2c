"""IAM users' access keys as the edge sees them: the credential source IAM offers the node's
lookup chain (beside STS's sessions), so the edge never reads IAM's tables itself."""

from __future__ import annotations

from lamina.identity import IAM_USER, Credential, Identity
from lamina.services.iam import access_keys
from lamina.store import Store


class IamUserKeys:
    """IAM users' access keys (AKIA…), looked up by id in any account."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def lookup(self, access_key_id: str) -> Credential | None:
        if len(access_key_id) != 20 or not access_key_id.startswith("AKIA"):
            return None
        with self.store.read() as conn:
            key = access_keys.lookup(conn, access_key_id)
        if key is None:
            return None
        identity = Identity(
            key.account_id, key.user_arn, key.user_id, IAM_USER, key.access_key_id,
            user_name=key.user_name,
        )  # fmt: skip
        return Credential(key.access_key_id, key.secret_access_key, identity, active=key.active)
