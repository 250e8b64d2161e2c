"""Roles: CreateRole … DeleteRole, their tags and permissions boundary, and service-linked
roles."""

from __future__ import annotations

from typing import Any

from lamina.context import RequestContext
from lamina.services.iam import (
    attachments,
    inline,
    instance_profiles,
    present,
    roles,
    service_linked,
    tags,
)
from lamina.services.iam import policy_documents as documents
from lamina.services.iam.errors import (
    delete_conflict,
    exists,
    invalid_input,
    no_such_entity,
)
from lamina.services.iam.operations.base import IamBase
from lamina.services.iam.paging import page
from lamina.services.registry import store_read

TRUST_POLICY_LIMIT = 2_048  # IAM's quota ACLSizePerRole


def check_trust_policy(document: str) -> None:
    documents.check_size(
        document,
        TRUST_POLICY_LIMIT,
        f"Cannot exceed quota for ACLSizePerRole: {TRUST_POLICY_LIMIT}",
    )
    documents.check_trust(document)


class RoleOperations(IamBase):
    def create_role(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["RoleName"]
        document = params["AssumeRolePolicyDocument"]
        check_trust_policy(document)
        given = tags.check(params.get("Tags") or [])
        with self.store.write() as conn:
            self.check_boundary(conn, ctx, params.get("PermissionsBoundary"))
            try:
                role = roles.insert(
                    conn,
                    ctx.account_id,
                    name,
                    params.get("Path", "/"),
                    document,
                    params.get("Description"),
                    params.get("MaxSessionDuration", 3600),
                    params.get("PermissionsBoundary"),
                )
            except roles.AlreadyExists:
                raise exists("role", name) from None
            tags.add(conn, role.arn, given)
            shown = tags.listed(conn, role.arn)
        return {"Role": present.role(role, shown)}

    @store_read
    def get_role(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            role = self.find_role(conn, ctx, params["RoleName"])
            return {"Role": present.role(role, tags.listed(conn, role.arn), full=True)}

    @store_read
    def list_roles(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            found = roles.all_in(conn, ctx.account_id, params.get("PathPrefix", "/"))
        result = page(found, lambda r: r.name.lower(), params, "Roles")
        result["Roles"] = [present.role(r, listed=True) for r in result["Roles"]]
        return result

    def update_role(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        values = {}
        if "Description" in params:
            values["description"] = params["Description"]
        if "MaxSessionDuration" in params:
            values["max_session_duration"] = params["MaxSessionDuration"]
        with self.store.write() as conn:
            role = self.modifiable_role(conn, ctx, params["RoleName"])
            if values:
                roles.update(conn, role, **values)
        return {}

    def update_role_description(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.write() as conn:
            role = self.modifiable_role(conn, ctx, params["RoleName"])
            roles.update(conn, role, description=params["Description"])
            role = self.find_role(conn, ctx, role.name)
            return {"Role": present.role(role, tags.listed(conn, role.arn))}

    def update_assume_role_policy(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        document = params["PolicyDocument"]
        with self.store.write() as conn:
            role = self.modifiable_role(conn, ctx, params["RoleName"])
            check_trust_policy(document)
            roles.update(conn, role, trust_policy=document)
        return {}

    def delete_role(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            role = self.modifiable_role(conn, ctx, params["RoleName"])
            self.delete_role_row(conn, role)
        return {}

    def delete_role_row(self, conn: Any, role: roles.Role) -> None:
        if instance_profiles.of_role(conn, role.row):
            raise delete_conflict(
                "Cannot delete entity, must remove roles from instance profile first."
            )
        if attachments.arns_of(conn, "role", role.row):
            raise delete_conflict("Cannot delete entity, must detach all policies first.")
        if inline.names(conn, "role", role.row):
            raise delete_conflict("Cannot delete entity, must delete policies first.")
        roles.delete(conn, role)
        tags.forget(conn, role.arn)

    # -- tags and permissions boundary -----------------------------------------------------

    def tag_role(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        given = tags.check(params["Tags"])
        with self.store.write() as conn:
            role = self.find_role(conn, ctx, params["RoleName"])
            tags.add(conn, role.arn, given)
        return {}

    def untag_role(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            role = self.find_role(conn, ctx, params["RoleName"])
            tags.remove(conn, role.arn, params["TagKeys"])
        return {}

    @store_read
    def list_role_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            role = self.find_role(conn, ctx, params["RoleName"])
            return tags.page_of(conn, role.arn, params)

    def put_role_permissions_boundary(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.write() as conn:
            role = self.modifiable_role(conn, ctx, params["RoleName"])
            self.check_boundary(conn, ctx, params["PermissionsBoundary"])
            roles.update(conn, role, permissions_boundary=params["PermissionsBoundary"])
        return {}

    def delete_role_permissions_boundary(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.write() as conn:
            role = self.modifiable_role(conn, ctx, params["RoleName"])
            roles.update(conn, role, permissions_boundary=None)
        return {}

    # -- service-linked roles --------------------------------------------------------------

    def create_service_linked_role(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        service = params["AWSServiceName"]
        known = service_linked.ROLES.get(service)
        if known is None:
            raise invalid_input(f"Unknown service name: {service}")
        name, policy_arn = known
        if params.get("CustomSuffix"):
            name = f"{name}_{params['CustomSuffix']}"
        path = service_linked.path_for(service)
        with self.store.write() as conn:
            try:
                role = roles.insert(
                    conn,
                    ctx.account_id,
                    name,
                    path,
                    service_linked.trust_policy(service),
                    params.get("Description"),
                    3600,
                    None,
                )
            except roles.AlreadyExists:
                raise invalid_input(
                    f"Service role name {name} has been taken in this account, "
                    "please try a different suffix."
                ) from None
            if policy_arn:
                attachments.attach(conn, ctx.account_id, "role", role.row, policy_arn)
        return {"Role": present.role(role)}

    def delete_service_linked_role(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.write() as conn:
            role = self.find_role(conn, ctx, params["RoleName"])
            if not role.service_linked:
                raise invalid_input(f"Role {role.name} is not a service-linked role.")
            for arn in attachments.arns_of(conn, "role", role.row):
                attachments.detach(conn, "role", role.row, arn)
            for name in inline.names(conn, "role", role.row):
                inline.delete(conn, "role", role.row, name)
            self.delete_role_row(conn, role)
            task = service_linked.start_deletion(conn, ctx.account_id, role.path, role.name)
        return {"DeletionTaskId": task}

    @store_read
    def get_service_linked_role_deletion_status(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.read() as conn:
            status = service_linked.deletion_status(conn, ctx.account_id, params["DeletionTaskId"])
        if status is None:
            raise no_such_entity(f"Deletion task {params['DeletionTaskId']} cannot be found.")
        return {"Status": status}
