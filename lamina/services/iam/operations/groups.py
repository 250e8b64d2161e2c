"""Groups and their members."""

from __future__ import annotations

from typing import Any

from lamina.context import RequestContext
from lamina.services.iam import attachments, groups, inline, present, users
from lamina.services.iam.errors import delete_conflict, exists, no_such_entity
from lamina.services.iam.operations.base import IamBase
from lamina.services.iam.paging import page
from lamina.services.registry import store_read


class GroupOperations(IamBase):
    def create_group(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["GroupName"]
        with self.store.write() as conn:
            try:
                group = groups.insert(conn, ctx.account_id, name, params.get("Path", "/"))
            except groups.AlreadyExists:
                raise exists("group", name) from None
        return {"Group": present.group(group)}

    @store_read
    def get_group(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            group = self.find_group(conn, ctx, params["GroupName"])
            members = users.by_row(conn, groups.member_rows(conn, group))
        result = page(members, lambda u: u.name.lower(), params, "Users")
        result["Users"] = [present.user(u) for u in result["Users"]]
        result["Group"] = present.group(group)
        return result

    @store_read
    def list_groups(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            found = groups.all_in(conn, ctx.account_id, params.get("PathPrefix", "/"))
        result = page(found, lambda g: g.name.lower(), params, "Groups")
        result["Groups"] = [present.group(g) for g in result["Groups"]]
        return result

    def update_group(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        values = {}
        if params.get("NewGroupName"):
            values["name"] = params["NewGroupName"]
        if params.get("NewPath"):
            values["path"] = params["NewPath"]
        with self.store.write() as conn:
            group = self.find_group(conn, ctx, params["GroupName"])
            if values:
                try:
                    groups.update(conn, group, **values)
                except groups.AlreadyExists:
                    raise exists("group", values["name"]) from None
        return {}

    def delete_group(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            group = self.find_group(conn, ctx, params["GroupName"])
            if groups.member_rows(conn, group):
                raise delete_conflict("Cannot delete entity, must remove users from group first.")
            if attachments.arns_of(conn, "group", group.row):
                raise delete_conflict("Cannot delete entity, must detach all policies first.")
            if inline.names(conn, "group", group.row):
                raise delete_conflict("Cannot delete entity, must delete policies first.")
            groups.delete(conn, group)
        return {}

    def add_user_to_group(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            group = self.find_group(conn, ctx, params["GroupName"])
            user = self.find_user(conn, ctx, params["UserName"])
            groups.add_member(conn, group, user.row)
        return {}

    def remove_user_from_group(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            group = self.find_group(conn, ctx, params["GroupName"])
            user = self.find_user(conn, ctx, params["UserName"])
            if not groups.remove_member(conn, group, user.row):
                raise no_such_entity(f"User {user.name} is not in group {group.name}.")
        return {}

    @store_read
    def list_groups_for_user(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            user = self.find_user(conn, ctx, params["UserName"])
            found = groups.by_row(conn, groups.group_rows_of(conn, user.row))
        result = page(found, lambda g: g.name.lower(), params, "Groups")
        result["Groups"] = [present.group(g) for g in result["Groups"]]
        return result
