"""Managed policies attached to, and inline policies of, roles, users and groups: one
implementation per operation family, served under each kind's operation names."""

from __future__ import annotations

from typing import Any

from lamina.context import RequestContext
from lamina.services.iam import attachments, inline, present
from lamina.services.iam import policy_documents as documents
from lamina.services.iam.errors import limit_exceeded, no_such_entity
from lamina.services.iam.operations.base import IamBase, check_arn
from lamina.services.iam.paging import page
from lamina.services.registry import store_read

NAME_PARAM = {"role": "RoleName", "user": "UserName", "group": "GroupName"}


class AttachedPolicyOperations(IamBase):
    # -- managed policies ------------------------------------------------------------------

    def _attach(self, kind: str, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        arn = params["PolicyArn"]
        check_arn(arn)
        with self.store.write() as conn:
            principal = self.find_principal(conn, ctx, kind, params[NAME_PARAM[kind]])
            self.find_policy(conn, ctx, arn, "{arn} does not exist or is not attachable.")
            attachments.attach(conn, ctx.account_id, kind, principal.row, arn)
        return {}

    def _detach(self, kind: str, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        arn = params["PolicyArn"]
        check_arn(arn)
        with self.store.write() as conn:
            principal = self.find_principal(conn, ctx, kind, params[NAME_PARAM[kind]])
            if not attachments.detach(conn, kind, principal.row, arn):
                raise no_such_entity(f"Policy {arn} was not found.")
        return {}

    def _list_attached(
        self, kind: str, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        prefix = params.get("PathPrefix", "/")
        with self.store.read() as conn:
            principal = self.find_principal(conn, ctx, kind, params[NAME_PARAM[kind]])
            arns = attachments.arns_of(conn, kind, principal.row)
        shown = [a for a in arns if _policy_path(a).startswith(prefix)]
        order = {arn: i for i, arn in enumerate(shown)}
        result = page(shown, order.__getitem__, params, "AttachedPolicies")
        result["AttachedPolicies"] = [present.attached(a) for a in result["AttachedPolicies"]]
        return result

    def attach_role_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            self.modifiable_role(conn, ctx, params["RoleName"])
        return self._attach("role", ctx, params)

    def attach_user_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._attach("user", ctx, params)

    def attach_group_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._attach("group", ctx, params)

    def detach_role_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._detach("role", ctx, params)

    def detach_user_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._detach("user", ctx, params)

    def detach_group_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._detach("group", ctx, params)

    @store_read
    def list_attached_role_policies(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return self._list_attached("role", ctx, params)

    @store_read
    def list_attached_user_policies(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return self._list_attached("user", ctx, params)

    @store_read
    def list_attached_group_policies(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return self._list_attached("group", ctx, params)

    # -- inline policies -------------------------------------------------------------------

    def _put_inline(self, kind: str, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name, document = params["PolicyName"], params["PolicyDocument"]
        with self.store.write() as conn:
            principal = self.find_principal(conn, ctx, kind, params[NAME_PARAM[kind]])
            documents.check_identity(document, managed=False)
            limit = inline.MAX_TOTAL[kind]
            if inline.total_size_with(conn, kind, principal.row, name, document) > limit:
                raise limit_exceeded(
                    f"Maximum policy size of {limit} bytes exceeded for {kind} {principal.name}"
                )
            inline.put(conn, kind, principal.row, name, document)
        return {}

    def _get_inline(self, kind: str, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name_param = NAME_PARAM[kind]
        with self.store.read() as conn:
            principal = self.find_principal(conn, ctx, kind, params[name_param])
            document = inline.get(conn, kind, principal.row, params["PolicyName"])
        if document is None:
            raise _no_inline(kind, params["PolicyName"])
        return {
            name_param: principal.name,
            "PolicyName": params["PolicyName"],
            "PolicyDocument": documents.encode(document),
        }

    def _list_inline(
        self, kind: str, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.read() as conn:
            principal = self.find_principal(conn, ctx, kind, params[NAME_PARAM[kind]])
            names = inline.names(conn, kind, principal.row)
        return page(names, lambda n: n, params, "PolicyNames")

    def _delete_inline(
        self, kind: str, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.write() as conn:
            principal = self.find_principal(conn, ctx, kind, params[NAME_PARAM[kind]])
            if not inline.delete(conn, kind, principal.row, params["PolicyName"]):
                raise _no_inline(kind, params["PolicyName"])
        return {}

    def put_role_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            self.modifiable_role(conn, ctx, params["RoleName"])
        return self._put_inline("role", ctx, params)

    def put_user_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._put_inline("user", ctx, params)

    def put_group_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._put_inline("group", ctx, params)

    @store_read
    def get_role_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._get_inline("role", ctx, params)

    @store_read
    def get_user_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._get_inline("user", ctx, params)

    @store_read
    def get_group_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._get_inline("group", ctx, params)

    @store_read
    def list_role_policies(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._list_inline("role", ctx, params)

    @store_read
    def list_user_policies(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._list_inline("user", ctx, params)

    @store_read
    def list_group_policies(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._list_inline("group", ctx, params)

    def delete_role_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._delete_inline("role", ctx, params)

    def delete_user_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._delete_inline("user", ctx, params)

    def delete_group_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._delete_inline("group", ctx, params)


def _policy_path(arn: str) -> str:
    """/service-role/ of arn:aws:iam::aws:policy/service-role/Name."""
    rest = arn.split(":policy", 1)[-1]
    return rest[: rest.rfind("/") + 1]


def _no_inline(kind: str, name: str) -> Exception:
    return no_such_entity(f"The {kind} policy with name {name} cannot be found.")
