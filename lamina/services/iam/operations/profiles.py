"""Instance profiles, the role each holds, and their tags."""

from __future__ import annotations

from typing import Any

from lamina.context import RequestContext
from lamina.services.iam import instance_profiles, present, roles, tags
from lamina.services.iam.errors import (
    already_exists,
    delete_conflict,
    limit_exceeded,
    no_such_entity,
    not_found,
)
from lamina.services.iam.operations.base import IamBase
from lamina.services.iam.paging import page
from lamina.services.registry import store_read


class InstanceProfileOperations(IamBase):
    def find_profile(
        self, conn: Any, ctx: RequestContext, name: str
    ) -> instance_profiles.InstanceProfile:
        found = instance_profiles.get(conn, ctx.account_id, name)
        if found is None:
            raise no_such_entity(f"Instance Profile {name} cannot be found.")
        return found

    def show_profile(
        self, conn: Any, profile: instance_profiles.InstanceProfile, with_tags: bool = True
    ) -> dict[str, Any]:
        in_it = roles.by_row(conn, instance_profiles.role_rows(conn, profile))
        shown = tags.listed(conn, profile.arn) if with_tags else None
        return present.instance_profile(profile, in_it, shown)

    def create_instance_profile(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        name = params["InstanceProfileName"]
        given = tags.check(params.get("Tags") or [])
        with self.store.write() as conn:
            try:
                profile = instance_profiles.insert(
                    conn, ctx.account_id, name, params.get("Path", "/")
                )
            except instance_profiles.AlreadyExists:
                raise already_exists(f"Instance Profile {name} already exists.") from None
            tags.add(conn, profile.arn, given)
            return {"InstanceProfile": self.show_profile(conn, profile)}

    @store_read
    def get_instance_profile(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            profile = self.find_profile(conn, ctx, params["InstanceProfileName"])
            return {"InstanceProfile": self.show_profile(conn, profile)}

    @store_read
    def list_instance_profiles(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            found = instance_profiles.all_in(conn, ctx.account_id, params.get("PathPrefix", "/"))
            result = page(found, lambda p: p.name.lower(), params, "InstanceProfiles")
            result["InstanceProfiles"] = [
                self.show_profile(conn, p, with_tags=False) for p in result["InstanceProfiles"]
            ]
        return result

    @store_read
    def list_instance_profiles_for_role(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.read() as conn:
            role = self.find_role(conn, ctx, params["RoleName"])
            found = instance_profiles.of_role(conn, role.row)
            result = page(found, lambda p: p.name.lower(), params, "InstanceProfiles")
            result["InstanceProfiles"] = [
                self.show_profile(conn, p, with_tags=False) for p in result["InstanceProfiles"]
            ]
        return result

    def delete_instance_profile(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.write() as conn:
            profile = self.find_profile(conn, ctx, params["InstanceProfileName"])
            if instance_profiles.role_rows(conn, profile):
                raise delete_conflict(
                    "Cannot delete entity, must remove roles from instance profile first."
                )
            instance_profiles.delete(conn, profile)
            tags.forget(conn, profile.arn)
        return {}

    def add_role_to_instance_profile(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.write() as conn:
            profile = self.find_profile(conn, ctx, params["InstanceProfileName"])
            role = self.find_role(conn, ctx, params["RoleName"])
            if len(instance_profiles.role_rows(conn, profile)) >= instance_profiles.MAX_ROLES:
                raise limit_exceeded(
                    "Cannot exceed quota for InstanceSessionsPerInstanceProfile: "
                    f"{instance_profiles.MAX_ROLES}"
                )
            instance_profiles.add_role(conn, profile, role.row)
        return {}

    def remove_role_from_instance_profile(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.write() as conn:
            profile = self.find_profile(conn, ctx, params["InstanceProfileName"])
            role = self.find_role(conn, ctx, params["RoleName"])
            if not instance_profiles.remove_role(conn, profile, role.row):
                raise not_found("role", role.name)
        return {}

    def tag_instance_profile(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        given = tags.check(params["Tags"])
        with self.store.write() as conn:
            profile = self.find_profile(conn, ctx, params["InstanceProfileName"])
            tags.add(conn, profile.arn, given)
        return {}

    def untag_instance_profile(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            profile = self.find_profile(conn, ctx, params["InstanceProfileName"])
            tags.remove(conn, profile.arn, params["TagKeys"])
        return {}

    @store_read
    def list_instance_profile_tags(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.read() as conn:
            profile = self.find_profile(conn, ctx, params["InstanceProfileName"])
            return tags.page_of(conn, profile.arn, params)
