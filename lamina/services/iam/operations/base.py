"""What every family of IAM operations shares: the store, and finding the entities a request
names (raising AWS's NoSuchEntity when they are not there)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.services.iam import access_keys, groups, policies, roles, users
from lamina.services.iam import attachments as attached
from lamina.services.iam import policy_documents as documents
from lamina.services.iam.errors import (
    invalid_input,
    no_such_entity,
    not_found,
    unmodifiable,
    validation,
)
from lamina.store import Store

_POLICY_ARN = re.compile(r"^arn:aws:iam::(\d{12}|aws):policy/")

Principal = roles.Role | users.User | groups.Group


class IamBase:
    store: Store

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- finding entities ------------------------------------------------------------------

    def find_role(self, conn: Connection, ctx: RequestContext, name: str) -> roles.Role:
        found = roles.get(conn, ctx.account_id, name)
        if found is None:
            raise not_found("role", name)
        return found

    def modifiable_role(self, conn: Connection, ctx: RequestContext, name: str) -> roles.Role:
        """A role the caller may change: service-linked roles are AWS's to change."""
        role = self.find_role(conn, ctx, name)
        if role.service_linked:
            raise unmodifiable(
                f"Cannot perform the operation on the protected role '{role.name}' - "
                "this role is only modifiable by AWS"
            )
        return role

    def find_user(self, conn: Connection, ctx: RequestContext, name: str) -> users.User:
        found = users.get(conn, ctx.account_id, name)
        if found is None:
            raise not_found("user", name)
        return found

    def find_group(self, conn: Connection, ctx: RequestContext, name: str) -> groups.Group:
        found = groups.get(conn, ctx.account_id, name)
        if found is None:
            raise not_found("group", name)
        return found

    def find_principal(
        self, conn: Connection, ctx: RequestContext, kind: str, name: str
    ) -> Principal:
        if kind == "role":
            return self.find_role(conn, ctx, name)
        if kind == "user":
            return self.find_user(conn, ctx, name)
        return self.find_group(conn, ctx, name)

    def find_policy(
        self, conn: Connection, ctx: RequestContext, arn: str, missing: str = "{arn} was not found."
    ) -> policies.ManagedPolicy:
        """The managed policy an ARN names; `missing` words the NoSuchEntity after 'Policy '."""
        check_arn(arn)
        found = policies.get_by_arn(conn, ctx.account_id, arn)
        if found is None:
            raise no_such_entity("Policy " + missing.format(arn=arn))
        return found

    def caller_user(self, conn: Connection, ctx: RequestContext) -> users.User | None:
        """The IAM user whose access key signed the request, if it was one."""
        if not ctx.access_key:
            return None
        key = access_keys.lookup(conn, ctx.access_key)
        if key is None:
            return None
        found = users.by_row(conn, [key.user_row])
        return found[0] if found else None

    # -- shared checks ---------------------------------------------------------------------

    def check_boundary(self, conn: Connection, ctx: RequestContext, arn: str | None) -> None:
        """A PermissionsBoundary must name a managed policy there is."""
        if arn is None:
            return
        if not _POLICY_ARN.match(arn):
            raise invalid_input(f"ARN {arn} is not valid.")
        if policies.get_by_arn(conn, ctx.account_id, arn) is None:
            raise no_such_entity(f"Scope ARN: {arn} does not exist or is not attachable.")

    def managed_document(self, params: dict[str, Any]) -> str:
        document = str(params["PolicyDocument"])
        documents.check_size(document, 6_144, "Cannot exceed quota for PolicySize: 6144")
        documents.check_identity(document, managed=True)
        return document

    def attachment_counts(self, conn: Connection, ctx: RequestContext) -> dict[str, int]:
        return attached.counts(conn, ctx.account_id)

    def boundary_counts(self, conn: Connection, ctx: RequestContext) -> dict[str, int]:
        found: dict[str, int] = {}
        bounds = [r.permissions_boundary for r in roles.all_in(conn, ctx.account_id)]
        bounds += [u.permissions_boundary for u in users.all_in(conn, ctx.account_id)]
        for arn in bounds:
            if arn:
                found[arn] = found.get(arn, 0) + 1
        return found


def check_arn(arn: str) -> None:
    """IAM answers a policy 'ARN' that is not an ARN at all with a ValidationError."""
    if not arn.startswith("arn:"):
        raise validation(f"ARN {arn} is not valid.")
