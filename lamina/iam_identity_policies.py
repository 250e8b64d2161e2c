"""The identity-based policies of a caller, gathered through IAM's own operations (the
in-process client) and kept about a second, as the edge keeps credentials: an IAM user's
inline and attached managed policies and those of its groups, an assumed role's inline and
attached policies, and the permissions boundary of either. IAM's changes on this node show at
once (IAM calls `changed()`), on the other nodes of a fleet at most `ttl_s` later (on AWS,
too, they take a few seconds).

The account root has none: it may do anything in its own account. Session policies
(AssumeRole's Policy and PolicyArns) are not kept by Lamina's STS and so cannot narrow a role
session here; the README says so."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from lamina import iam_policy
from lamina.identity import ASSUMED_ROLE, IAM_USER, ROOT, Identity, root_of
from lamina.protocol.errors import ServiceError
from lamina.services.internal import InternalClient

ALL = 1000  # IAM's largest page (MaxItems)
_generation = [0]  # bumped by every IAM change on this node


def changed() -> None:
    """IAM changed something on this node: what is cached may no longer hold."""
    _generation[0] += 1


def generation() -> int:
    return _generation[0]


@dataclass(frozen=True)
class Policies:
    """What an identity's own policies say: their statements, and those of its permissions
    boundary (None: it has none)."""

    statements: tuple[dict[str, Any], ...]
    boundary: tuple[dict[str, Any], ...] | None = None

    def decide(
        self, action: str, resource: str, context: Mapping[str, str | list[str]] | None = None
    ) -> bool | None:
        """As iam_policy.evaluate: True allowed, False explicitly denied, None not allowed.
        A boundary caps what the policies allow: both must allow, a deny in either denies."""
        found = iam_policy.evaluate(self.statements, action, resource, context)
        if found is False or self.boundary is None:
            return found
        capped = iam_policy.evaluate(self.boundary, action, resource, context)
        if capped is False:
            return False
        return found if capped else None


class Unknown(Exception):
    """The identity is not one whose policies Lamina can read (a federated user), or it is gone."""


def _statements(document: str | dict[str, Any]) -> list[dict[str, Any]]:
    parsed = json.loads(unquote(document)) if isinstance(document, str) else document
    found = parsed.get("Statement", []) if isinstance(parsed, dict) else []
    return [found] if isinstance(found, dict) else [s for s in found if isinstance(s, dict)]


class IdentityPolicies:
    def __init__(self, internal: InternalClient, ttl_s: float = 1.0, size: int = 10_000) -> None:
        self.internal = internal
        self.ttl_s = ttl_s
        self.size = size
        self._entries: dict[str, tuple[float, int, Policies]] = {}
        self._lock = threading.Lock()

    def cached(self, identity: Identity) -> Policies | None:
        entry = self._entries.get(identity.arn)
        if entry is None or entry[0] < time.monotonic() or entry[1] != _generation[0]:
            return None
        return entry[2]

    def of(self, identity: Identity, region: str) -> Policies | None:
        """The identity's policies (None: the account root, which needs none), from a
        provider thread. Raises Unknown."""
        if identity.kind == ROOT:
            return None
        found = self.cached(identity)
        if found is not None:
            return found
        generation = _generation[0]
        found = self._gather(identity, region)
        with self._lock:
            if len(self._entries) >= self.size:
                self._entries.clear()
            self._entries[identity.arn] = (time.monotonic() + self.ttl_s, generation, found)
        return found

    def forget(self) -> None:
        with self._lock:
            self._entries.clear()

    def _call(self, identity: Identity, region: str, operation: str, **params: Any) -> Any:
        return self.internal.call(
            "iam", operation, params, identity=root_of(identity.account_id), region=region
        )

    def _gather(self, identity: Identity, region: str) -> Policies:
        try:
            if identity.kind == IAM_USER and identity.user_name:
                return self._user(identity, region, identity.user_name)
            if identity.kind == ASSUMED_ROLE and identity.role_arn:
                return self._role(identity, region, identity.role_arn.rsplit("/", 1)[-1])
        except ServiceError as error:
            if error.code == "NoSuchEntity":
                raise Unknown(f"{identity.arn}: {error.message}") from None
            raise
        raise Unknown(f"{identity.arn}: Lamina reads no policies for a {identity.kind} caller")

    def _user(self, identity: Identity, region: str, name: str) -> Policies:
        call = lambda operation, **p: self._call(identity, region, operation, **p)  # noqa: E731
        statements = self._own(identity, region, "User", name)
        for group in call("ListGroupsForUser", UserName=name, MaxItems=ALL)["Groups"]:
            statements += self._own(identity, region, "Group", group["GroupName"])
        user = call("GetUser", UserName=name)["User"]
        return self._with_boundary(identity, region, statements, user)

    def _role(self, identity: Identity, region: str, name: str) -> Policies:
        statements = self._own(identity, region, "Role", name)
        role = self._call(identity, region, "GetRole", RoleName=name)["Role"]
        if role.get("RoleId") != identity.role_id:
            raise Unknown(f"{identity.arn}: the role was deleted and made anew")
        return self._with_boundary(identity, region, statements, role)

    def _own(self, identity: Identity, region: str, kind: str, name: str) -> list[dict[str, Any]]:
        """The statements of a user's, group's or role's (`kind`) inline and attached policies."""
        call = lambda operation, **p: self._call(identity, region, operation, **p)  # noqa: E731
        named = {f"{kind}Name": name}
        statements: list[dict[str, Any]] = []
        for policy in call(f"List{kind}Policies", **named, MaxItems=ALL)["PolicyNames"]:
            found = call(f"Get{kind}Policy", **named, PolicyName=policy)
            statements += _statements(found["PolicyDocument"])
        attached = call(f"ListAttached{kind}Policies", **named, MaxItems=ALL)
        for policy in attached["AttachedPolicies"]:
            statements += self._managed(identity, region, policy["PolicyArn"])
        return statements

    def _with_boundary(
        self, identity: Identity, region: str, statements: list[dict[str, Any]], entity: dict
    ) -> Policies:
        boundary = (entity.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        capped = self._managed(identity, region, boundary) if boundary else None
        return Policies(tuple(statements), None if capped is None else tuple(capped))

    def _managed(self, identity: Identity, region: str, arn: str) -> list[dict[str, Any]]:
        policy = self._call(identity, region, "GetPolicy", PolicyArn=arn)["Policy"]
        version = self._call(
            identity, region, "GetPolicyVersion", PolicyArn=arn,
            VersionId=policy["DefaultVersionId"],
        )  # fmt: skip
        return _statements(version["PolicyVersion"]["Document"])
