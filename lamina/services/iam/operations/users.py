"""Users (with their tags and permissions boundary) and their access keys."""

from __future__ import annotations

from typing import Any

from lamina.context import RequestContext
from lamina.services.iam import access_keys, attachments, groups, ids, inline, present, tags, users
from lamina.services.iam.errors import (
    delete_conflict,
    exists,
    limit_exceeded,
    no_such_entity,
    validation,
)
from lamina.services.iam.operations.base import IamBase
from lamina.services.iam.paging import page
from lamina.services.registry import store_read


class UserOperations(IamBase):
    def create_user(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["UserName"]
        given = tags.check(params.get("Tags") or [])
        with self.store.write() as conn:
            self.check_boundary(conn, ctx, params.get("PermissionsBoundary"))
            try:
                user = users.insert(
                    conn,
                    ctx.account_id,
                    name,
                    params.get("Path", "/"),
                    params.get("PermissionsBoundary"),
                )
            except users.AlreadyExists:
                raise exists("user", name) from None
            tags.add(conn, user.arn, given)
            return {"User": present.user(user, tags.listed(conn, user.arn))}

    @store_read
    def get_user(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            if params.get("UserName"):
                user = self.find_user(conn, ctx, params["UserName"])
            else:
                caller = self.caller_user(conn, ctx)
                if caller is None:  # the account's root credentials
                    return {"User": _root(ctx.account_id)}
                user = caller
            return {"User": present.user(user, tags.listed(conn, user.arn))}

    @store_read
    def list_users(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            found = users.all_in(conn, ctx.account_id, params.get("PathPrefix", "/"))
        result = page(found, lambda u: u.name.lower(), params, "Users")
        result["Users"] = [present.user(u) for u in result["Users"]]
        return result

    def update_user(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        values = {}
        if params.get("NewUserName"):
            values["name"] = params["NewUserName"]
        if params.get("NewPath"):
            values["path"] = params["NewPath"]
        with self.store.write() as conn:
            user = self.find_user(conn, ctx, params["UserName"])
            if not values:
                return {}
            try:
                users.update(conn, user, **values)
            except users.AlreadyExists:
                raise exists("user", values["name"]) from None
            moved = ids.arn(
                ctx.account_id, "user", values.get("path", user.path), values.get("name", user.name)
            )
            tags.move(conn, user.arn, moved)
        return {}

    def delete_user(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            user = self.find_user(conn, ctx, params["UserName"])
            if attachments.arns_of(conn, "user", user.row):
                raise delete_conflict("Cannot delete entity, must detach all policies first.")
            if inline.names(conn, "user", user.row):
                raise delete_conflict("Cannot delete entity, must delete policies first.")
            if access_keys.count(conn, user.row):
                raise delete_conflict("Cannot delete entity, must delete access keys first.")
            if groups.group_rows_of(conn, user.row):
                raise delete_conflict(
                    "Cannot delete entity, must remove user from all groups first."
                )
            users.delete(conn, user)
            tags.forget(conn, user.arn)
        return {}

    def tag_user(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        given = tags.check(params["Tags"])
        with self.store.write() as conn:
            user = self.find_user(conn, ctx, params["UserName"])
            tags.add(conn, user.arn, given)
        return {}

    def untag_user(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            user = self.find_user(conn, ctx, params["UserName"])
            tags.remove(conn, user.arn, params["TagKeys"])
        return {}

    @store_read
    def list_user_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            user = self.find_user(conn, ctx, params["UserName"])
            return tags.page_of(conn, user.arn, params)

    def put_user_permissions_boundary(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.write() as conn:
            user = self.find_user(conn, ctx, params["UserName"])
            self.check_boundary(conn, ctx, params["PermissionsBoundary"])
            users.update(conn, user, permissions_boundary=params["PermissionsBoundary"])
        return {}

    def delete_user_permissions_boundary(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.write() as conn:
            user = self.find_user(conn, ctx, params["UserName"])
            users.update(conn, user, permissions_boundary=None)
        return {}

    # -- access keys -----------------------------------------------------------------------

    def key_owner(self, conn: Any, ctx: RequestContext, params: dict[str, Any]) -> users.User:
        """The user a key operation names, else the calling user."""
        if params.get("UserName"):
            return self.find_user(conn, ctx, params["UserName"])
        caller = self.caller_user(conn, ctx)
        if caller is None:
            raise validation("Must specify userName when calling with non-User credentials")
        return caller

    def create_access_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            user = self.key_owner(conn, ctx, params)
            if access_keys.count(conn, user.row) >= access_keys.MAX_PER_USER:
                raise limit_exceeded(
                    f"Cannot exceed quota for AccessKeysPerUser: {access_keys.MAX_PER_USER}"
                )
            key_id, secret, created = access_keys.create(conn, ctx.account_id, user.row)
        return {
            "AccessKey": {
                "UserName": user.name,
                "AccessKeyId": key_id,
                "Status": access_keys.ACTIVE,
                "SecretAccessKey": secret,
                "CreateDate": created,
            }
        }

    @store_read
    def list_access_keys(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            user = self.key_owner(conn, ctx, params)
            found = access_keys.of_user(conn, user.row)
        result = page(found, lambda k: (k.created_at, k.access_key_id), params, "AccessKeyMetadata")
        result["AccessKeyMetadata"] = [
            {
                "UserName": k.user_name,
                "AccessKeyId": k.access_key_id,
                "Status": k.status,
                "CreateDate": k.created_at,
            }
            for k in result["AccessKeyMetadata"]
        ]
        return result

    def find_key(
        self, conn: Any, ctx: RequestContext, params: dict[str, Any]
    ) -> access_keys.AccessKey:
        user = self.key_owner(conn, ctx, params)
        key_id = params["AccessKeyId"]
        key = access_keys.lookup(conn, key_id)
        if key is None or key.user_row != user.row:
            raise no_such_entity(f"The Access Key with id {key_id} cannot be found.")
        return key

    def update_access_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            key = self.find_key(conn, ctx, params)
            access_keys.set_status(conn, key.access_key_id, params["Status"])
        return {}

    def delete_access_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            key = self.find_key(conn, ctx, params)
            access_keys.delete(conn, key.access_key_id)
        return {}

    @store_read
    def get_access_key_last_used(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        key_id = params["AccessKeyId"]
        with self.store.read() as conn:
            key = access_keys.lookup(conn, key_id)
        if key is None or key.account_id != ctx.account_id:
            raise no_such_entity(f"The Access Key with id {key_id} cannot be found.")
        used: dict[str, Any] = {"ServiceName": "N/A", "Region": "N/A"}
        if key.last_used_at is not None:
            used = {
                "LastUsedDate": key.last_used_at,
                "ServiceName": key.last_used_service or "N/A",
                "Region": key.last_used_region or "N/A",
            }
        return {"UserName": key.user_name, "AccessKeyLastUsed": used}


def _root(account_id: str) -> dict[str, Any]:
    """GetUser with the account's root credentials: the account's id and root ARN."""
    return {
        "Path": "/",
        "UserId": account_id,
        "Arn": ids.root_arn(account_id),
        "CreateDate": 0.0,
    }
