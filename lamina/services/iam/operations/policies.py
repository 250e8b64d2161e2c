"""Managed policies: CreatePolicy … DeletePolicy, their versions and tags, and where they
are attached (ListEntitiesForPolicy)."""

from __future__ import annotations

from typing import Any

from lamina.context import RequestContext
from lamina.services.iam import attachments, groups, policies, present, roles, tags, users
from lamina.services.iam.errors import (
    already_exists,
    delete_conflict,
    limit_exceeded,
    no_such_entity,
    unmodifiable,
)
from lamina.services.iam.operations.base import IamBase
from lamina.services.iam.paging import page
from lamina.services.registry import store_read


def _newest_first(version: policies.Version) -> int:
    return -int(version.version_id[1:].split(".")[0])


VERSION_MISSING = "{arn} version {version} does not exist or is not attachable."


class PolicyOperations(IamBase):
    def create_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["PolicyName"]
        document = self.managed_document(params)
        given = tags.check(params.get("Tags") or [], case_insensitive=False)
        with self.store.write() as conn:
            try:
                policy = policies.insert(
                    conn,
                    ctx.account_id,
                    name,
                    params.get("Path", "/"),
                    params.get("Description"),
                    document,
                )
            except policies.AlreadyExists:
                raise already_exists(
                    f"A policy called {name} already exists. Duplicate names are not allowed."
                ) from None
            tags.add(conn, policy.arn, given)
            shown = tags.listed(conn, policy.arn) if given else None
        return {"Policy": present.policy(policy, 0, 0, tags=shown)}

    @store_read
    def get_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            policy = self.find_policy(conn, ctx, params["PolicyArn"])
            count = attachments.count(conn, ctx.account_id, policy.arn)
            bounded = self.boundary_counts(conn, ctx).get(policy.arn, 0)
            shown = tags.listed(conn, policy.arn)
        return {"Policy": present.policy(policy, count, bounded, tags=shown, description=True)}

    @store_read
    def list_policies(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        scope = params.get("Scope", "All")
        prefix = params.get("PathPrefix", "/")
        with self.store.read() as conn:
            found = [] if scope == "AWS" else policies.local(conn, ctx.account_id)
            if scope != "Local":
                found += policies.aws()
            counts = self.attachment_counts(conn, ctx)
            bounded = self.boundary_counts(conn, ctx)
        found = [p for p in found if p.path.startswith(prefix)]
        if params.get("OnlyAttached"):
            found = [p for p in found if counts.get(p.arn)]
        if params.get("PolicyUsageFilter") == "PermissionsBoundary":
            found = [p for p in found if bounded.get(p.arn)]
        result = page(found, lambda p: (p.name.lower(), p.arn), params, "Policies")
        result["Policies"] = [
            present.policy(p, counts.get(p.arn, 0), bounded.get(p.arn, 0))
            for p in result["Policies"]
        ]
        return result

    def delete_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            policy = self.local_policy(conn, ctx, params["PolicyArn"])
            if attachments.count(conn, ctx.account_id, policy.arn):
                raise delete_conflict("Cannot delete a policy attached to entities.")
            if len(policies.list_versions(conn, policy)) > 1:
                raise delete_conflict(
                    "This policy has more than one version. Before you delete a policy, you "
                    "must delete the policy's versions. The default version is deleted with "
                    "the policy."
                )
            policies.delete(conn, policy)
            tags.forget(conn, policy.arn)
        return {}

    def local_policy(self, conn: Any, ctx: RequestContext, arn: str) -> policies.ManagedPolicy:
        policy = self.find_policy(conn, ctx, arn)
        if policy.is_aws:
            raise unmodifiable(f"Policy {arn} is an AWS managed policy and cannot be changed.")
        return policy

    # -- versions --------------------------------------------------------------------------

    def create_policy_version(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        document = self.managed_document(params)
        set_default = bool(params.get("SetAsDefault"))
        with self.store.write() as conn:
            policy = self.local_policy(conn, ctx, params["PolicyArn"])
            if len(policies.list_versions(conn, policy)) >= policies.MAX_VERSIONS:
                raise limit_exceeded(
                    "A managed policy can have up to 5 versions. Before you create a new "
                    "version, you must delete an existing version."
                )
            version_id = policies.add_version(conn, policy, document, set_default)
            created = policies.get_version(conn, policy, version_id)
        assert created is not None
        default = version_id if set_default else policy.default_version
        return {"PolicyVersion": present.version(created, default)}

    def find_version(
        self, conn: Any, ctx: RequestContext, arn: str, version_id: str
    ) -> tuple[policies.ManagedPolicy, policies.Version]:
        missing = VERSION_MISSING.replace("{version}", version_id)
        policy = self.find_policy(conn, ctx, arn, missing)
        version = policies.get_version(conn, policy, version_id)
        if version is None:
            raise no_such_entity("Policy " + missing.format(arn=arn))
        return policy, version

    @store_read
    def get_policy_version(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            policy, version = self.find_version(conn, ctx, params["PolicyArn"], params["VersionId"])
        return {"PolicyVersion": present.version(version, policy.default_version, document=True)}

    @store_read
    def list_policy_versions(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            policy = self.find_policy(conn, ctx, params["PolicyArn"])
            found = policies.list_versions(conn, policy)
        result = page(found, _newest_first, params, "Versions")
        result["Versions"] = [
            present.version(v, policy.default_version) for v in result["Versions"]
        ]
        return result

    def delete_policy_version(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            policy, version = self.find_version(conn, ctx, params["PolicyArn"], params["VersionId"])
            if policy.is_aws:
                raise unmodifiable(f"Policy {policy.arn} is an AWS managed policy.")
            if version.version_id == policy.default_version:
                raise delete_conflict("Cannot delete the default version of a policy.")
            policies.delete_version(conn, policy, version.version_id)
        return {}

    def set_default_policy_version(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.write() as conn:
            policy, version = self.find_version(conn, ctx, params["PolicyArn"], params["VersionId"])
            if policy.is_aws:
                raise unmodifiable(f"Policy {policy.arn} is an AWS managed policy.")
            policies.set_default(conn, policy, version.version_id)
        return {}

    # -- tags ------------------------------------------------------------------------------

    def tag_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        given = tags.check(params["Tags"], case_insensitive=False)
        with self.store.write() as conn:
            policy = self.local_policy(conn, ctx, params["PolicyArn"])
            tags.add(conn, policy.arn, given)
        return {}

    def untag_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            policy = self.local_policy(conn, ctx, params["PolicyArn"])
            tags.remove(conn, policy.arn, params["TagKeys"])
        return {}

    @store_read
    def list_policy_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            policy = self.find_policy(conn, ctx, params["PolicyArn"])
            return tags.page_of(conn, policy.arn, params)

    # -- where it is attached --------------------------------------------------------------

    @store_read
    def list_entities_for_policy(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        wanted = params.get("EntityFilter")
        prefix = params.get("PathPrefix", "/")
        with self.store.read() as conn:
            policy = self.find_policy(conn, ctx, params["PolicyArn"])
            found = attachments.entities(conn, ctx.account_id, policy.arn)
            rows = {kind: [row for k, row in found if k == kind] for kind in ("role", "user")}
            group_rows = [row for k, row in found if k == "group"]
            in_roles = roles.by_row(conn, rows["role"])
            in_users = users.by_row(conn, rows["user"])
            in_groups = groups.by_row(conn, group_rows)
        result: dict[str, Any] = {"IsTruncated": False}
        result["PolicyRoles"] = [
            {"RoleName": r.name, "RoleId": r.role_id}
            for r in sorted(in_roles, key=lambda r: r.name.lower())
            if wanted in (None, "Role") and r.path.startswith(prefix)
        ]
        result["PolicyUsers"] = [
            {"UserName": u.name, "UserId": u.user_id}
            for u in sorted(in_users, key=lambda u: u.name.lower())
            if wanted in (None, "User") and u.path.startswith(prefix)
        ]
        result["PolicyGroups"] = [
            {"GroupName": g.name, "GroupId": g.group_id}
            for g in sorted(in_groups, key=lambda g: g.name.lower())
            if wanted in (None, "Group") and g.path.startswith(prefix)
        ]
        return result
