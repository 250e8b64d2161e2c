"""Entities as IAM's output shapes: what each operation answers, member for member.

AWS leaves out of CreateRole's Role (and UpdateRoleDescription's) the MaxSessionDuration and
RoleLastUsed that GetRole has; ListRoles has MaxSessionDuration but neither tags nor
RoleLastUsed. GetPolicy always has Tags (perhaps empty); CreatePolicy only when given, and no
Description; ListPolicies neither.
"""

from __future__ import annotations

from typing import Any

from lamina.services.iam.groups import Group
from lamina.services.iam.instance_profiles import InstanceProfile
from lamina.services.iam.policies import ManagedPolicy, Version
from lamina.services.iam.policy_documents import encode
from lamina.services.iam.roles import Role
from lamina.services.iam.users import User


def boundary(arn: str | None) -> dict[str, Any]:
    if not arn:
        return {}
    return {
        "PermissionsBoundary": {
            "PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": arn,
        }
    }


def role(
    found: Role,
    tags: list[dict[str, str]] | None = None,
    *,
    full: bool = False,
    listed: bool = False,
) -> dict[str, Any]:
    """`full`: GetRole's form; `listed`: ListRoles'; neither: CreateRole's."""
    shown: dict[str, Any] = {
        "Path": found.path,
        "RoleName": found.name,
        "RoleId": found.role_id,
        "Arn": found.arn,
        "CreateDate": found.created_at,
        "AssumeRolePolicyDocument": encode(found.trust_policy),
    }
    if found.description is not None:
        shown["Description"] = found.description
    if full or listed:
        shown["MaxSessionDuration"] = found.max_session_duration
    shown.update(boundary(found.permissions_boundary))
    if tags and not listed:
        shown["Tags"] = tags
    if full:
        shown["RoleLastUsed"] = role_last_used(found)
    return shown


def role_last_used(found: Role) -> dict[str, Any]:
    if found.last_used_at is None:
        return {}
    return {"LastUsedDate": found.last_used_at, "Region": found.last_used_region}


def user(found: User, tags: list[dict[str, str]] | None = None) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "Path": found.path,
        "UserName": found.name,
        "UserId": found.user_id,
        "Arn": found.arn,
        "CreateDate": found.created_at,
    }
    shown.update(boundary(found.permissions_boundary))
    if tags:
        shown["Tags"] = tags
    return shown


def group(found: Group) -> dict[str, Any]:
    return {
        "Path": found.path,
        "GroupName": found.name,
        "GroupId": found.group_id,
        "Arn": found.arn,
        "CreateDate": found.created_at,
    }


def policy(
    found: ManagedPolicy,
    attachment_count: int,
    boundary_count: int,
    *,
    tags: list[dict[str, str]] | None = None,
    description: bool = False,
) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "PolicyName": found.name,
        "PolicyId": found.policy_id,
        "Arn": found.arn,
        "Path": found.path,
        "DefaultVersionId": found.default_version,
        "AttachmentCount": attachment_count,
        "PermissionsBoundaryUsageCount": boundary_count,
        "IsAttachable": True,
        "CreateDate": found.created_at,
        "UpdateDate": found.updated_at,
    }
    if description and found.description is not None:
        shown["Description"] = found.description
    if tags is not None:
        shown["Tags"] = tags
    return shown


def version(found: Version, default: str, *, document: bool = False) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "VersionId": found.version_id,
        "IsDefaultVersion": found.version_id == default,
        "CreateDate": found.created_at,
    }
    if document:
        shown["Document"] = encode(found.document)
    return shown


def attached(arn: str) -> dict[str, str]:
    return {"PolicyName": arn.rsplit("/", 1)[-1], "PolicyArn": arn}


def instance_profile(
    found: InstanceProfile, in_it: list[Role], tags: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "Path": found.path,
        "InstanceProfileName": found.name,
        "InstanceProfileId": found.profile_id,
        "Arn": found.arn,
        "CreateDate": found.created_at,
        "Roles": [role(r) for r in in_it],
    }
    if tags:
        shown["Tags"] = tags
    return shown
