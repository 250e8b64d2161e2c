"""GetAccountAuthorizationDetails: every user, group, role and managed policy of the account
with their policies, in one answer (AWS managed policies only where attached)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.services.iam import (
    attachments,
    groups,
    inline,
    instance_profiles,
    policies,
    present,
    roles,
    tags,
    users,
)
from lamina.services.iam import policy_documents as documents
from lamina.services.iam.operations.base import IamBase
from lamina.services.registry import store_read

FILTERS = ("User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy")


def _inline(conn: Connection, kind: str, row: int) -> list[dict[str, str]]:
    return [
        {"PolicyName": name, "PolicyDocument": documents.encode(document)}
        for name, document in inline.all_of(conn, kind, row)
    ]


def _attached(conn: Connection, kind: str, row: int) -> list[dict[str, str]]:
    return [present.attached(arn) for arn in attachments.arns_of(conn, kind, row)]


class AccountOperations(IamBase):
    @store_read
    def get_account_authorization_details(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        wanted = set(params.get("Filter") or FILTERS)
        result: dict[str, Any] = {"IsTruncated": False}
        with self.store.read() as conn:
            if "User" in wanted:
                result["UserDetailList"] = [
                    self._user(conn, u) for u in _by_name(users.all_in(conn, ctx.account_id))
                ]
            if "Group" in wanted:
                result["GroupDetailList"] = [
                    self._group(conn, g) for g in _by_name(groups.all_in(conn, ctx.account_id))
                ]
            if "Role" in wanted:
                result["RoleDetailList"] = [
                    self._role(conn, r) for r in _by_name(roles.all_in(conn, ctx.account_id))
                ]
            if wanted & {"LocalManagedPolicy", "AWSManagedPolicy"}:
                result["Policies"] = self._policies(conn, ctx, wanted)
        return result

    def _user(self, conn: Connection, user: users.User) -> dict[str, Any]:
        shown = present.user(user, tags.listed(conn, user.arn))
        shown["UserPolicyList"] = _inline(conn, "user", user.row)
        in_groups = groups.by_row(conn, groups.group_rows_of(conn, user.row))
        shown["GroupList"] = sorted(g.name for g in in_groups)
        shown["AttachedManagedPolicies"] = _attached(conn, "user", user.row)
        return shown

    def _group(self, conn: Connection, group: groups.Group) -> dict[str, Any]:
        shown = present.group(group)
        shown["GroupPolicyList"] = _inline(conn, "group", group.row)
        shown["AttachedManagedPolicies"] = _attached(conn, "group", group.row)
        return shown

    def _role(self, conn: Connection, role: roles.Role) -> dict[str, Any]:
        shown = present.role(role, tags.listed(conn, role.arn), full=True)
        shown.pop("MaxSessionDuration", None)
        profiles = instance_profiles.of_role(conn, role.row)
        shown["InstanceProfileList"] = [present.instance_profile(p, [role]) for p in profiles]
        shown["RolePolicyList"] = _inline(conn, "role", role.row)
        shown["AttachedManagedPolicies"] = _attached(conn, "role", role.row)
        return shown

    def _policies(
        self, conn: Connection, ctx: RequestContext, wanted: set[str]
    ) -> list[dict[str, Any]]:
        counts = self.attachment_counts(conn, ctx)
        bounded = self.boundary_counts(conn, ctx)
        found: list[policies.ManagedPolicy] = []
        if "LocalManagedPolicy" in wanted:
            found += policies.local(conn, ctx.account_id)
        if "AWSManagedPolicy" in wanted:
            found += [p for p in policies.aws() if counts.get(p.arn)]
        shown = []
        for policy in sorted(found, key=lambda p: (p.name.lower(), p.arn)):
            item = present.policy(
                policy, counts.get(policy.arn, 0), bounded.get(policy.arn, 0), description=True
            )
            item["PolicyVersionList"] = [
                present.version(v, policy.default_version, document=True)
                for v in policies.list_versions(conn, policy)
            ]
            shown.append(item)
        return shown


def _by_name(items: list[Any]) -> list[Any]:
    return sorted(items, key=lambda i: i.name.lower())
