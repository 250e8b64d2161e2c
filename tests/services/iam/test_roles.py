"""Roles: create, read, list, update, delete, tags, as AWS answers them."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from botocore.exceptions import ClientError

from tests.conftest import client, error_of
from tests.services.iam.conftest import BASIC, TRUST, make_role

ID = re.compile(r"^[A-Z0-9]{21}$")


def test_create_role_answers_aws_fields(iam):
    role = make_role(iam, "fn-role", Path="/app/", Description="for fn")["Role"]
    assert role["RoleName"] == "fn-role"
    assert role["Path"] == "/app/"
    assert role["Arn"] == "arn:aws:iam::000000000000:role/app/fn-role"
    assert role["RoleId"].startswith("AROA") and ID.match(role["RoleId"])
    assert isinstance(role["CreateDate"], dt.datetime)
    assert role["Description"] == "for fn"
    assert role["AssumeRolePolicyDocument"] == TRUST
    # CreateRole's Role has neither MaxSessionDuration nor RoleLastUsed (GetRole has both)
    assert "MaxSessionDuration" not in role and "RoleLastUsed" not in role


def test_get_role_decodes_to_the_document_sent(iam):
    sent = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Fn",
                "Effect": "Allow",
                "Principal": {"Service": ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {"StringEquals": {"aws:SourceAccount": "000000000000"}},
            }
        ],
    }
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(sent, indent=2))
    role = iam.get_role(RoleName="r")["Role"]
    assert role["AssumeRolePolicyDocument"] == sent
    assert role["MaxSessionDuration"] == 3600
    assert role["RoleLastUsed"] == {}


def test_names_are_unique_whatever_their_case_and_keep_theirs(iam):
    make_role(iam, "Foo")
    with pytest.raises(ClientError) as excinfo:
        make_role(iam, "foo")
    assert error_of(excinfo) == ("EntityAlreadyExists", 409, "Role with name foo already exists.")
    assert iam.get_role(RoleName="FOO")["Role"]["RoleName"] == "Foo"
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["Foo"]


def test_missing_role_is_no_such_entity(iam):
    for call in (
        lambda: iam.get_role(RoleName="nope"),
        lambda: iam.delete_role(RoleName="nope"),
        lambda: iam.update_role(RoleName="nope", Description="x"),
        lambda: iam.tag_role(RoleName="nope", Tags=[{"Key": "k", "Value": "v"}]),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo) == (
            "NoSuchEntity",
            404,
            "The role with name nope cannot be found.",
        )


def test_max_session_duration_range(unvalidated_iam):
    for bad in (3599, 43201):
        with pytest.raises(ClientError) as excinfo:
            make_role(unvalidated_iam, "r", MaxSessionDuration=bad)
        code, status, message = error_of(excinfo)
        assert (code, status) == ("ValidationError", 400)
        assert "maxSessionDuration" in message
    make_role(unvalidated_iam, "r", MaxSessionDuration=43200)
    assert unvalidated_iam.get_role(RoleName="r")["Role"]["MaxSessionDuration"] == 43200


def test_role_name_pattern_and_length(unvalidated_iam):
    for bad in ("has space", "x" * 65, "slash/name"):
        with pytest.raises(ClientError) as excinfo:
            make_role(unvalidated_iam, bad)
        code, status, message = error_of(excinfo)
        assert (code, status) == ("ValidationError", 400)
        assert "roleName" in message
    assert unvalidated_iam.list_roles()["Roles"] == []


def test_list_roles_path_prefix_and_paging(iam):
    for i in range(5):
        make_role(iam, f"role-{i}", Path="/team/" if i % 2 == 0 else "/")
    team = iam.list_roles(PathPrefix="/team/")["Roles"]
    assert [r["RoleName"] for r in team] == ["role-0", "role-2", "role-4"]
    assert all("MaxSessionDuration" in r and "RoleLastUsed" not in r for r in team)
    first = iam.list_roles(MaxItems=2)
    assert first["IsTruncated"] is True
    assert [r["RoleName"] for r in first["Roles"]] == ["role-0", "role-1"]
    rest = iam.list_roles(MaxItems=10, Marker=first["Marker"])
    assert rest["IsTruncated"] is False and "Marker" not in rest
    assert [r["RoleName"] for r in rest["Roles"]] == ["role-2", "role-3", "role-4"]
    names = [r["RoleName"] for p in iam.get_paginator("list_roles").paginate(
        PaginationConfig={"PageSize": 2}) for r in p["Roles"]]  # fmt: skip
    assert names == [f"role-{i}" for i in range(5)]


def test_update_role_and_description(iam):
    make_role(iam, "r", Description="first")
    iam.update_role(RoleName="r", Description="second", MaxSessionDuration=7200)
    role = iam.get_role(RoleName="r")["Role"]
    assert (role["Description"], role["MaxSessionDuration"]) == ("second", 7200)
    answered = iam.update_role_description(RoleName="r", Description="third")["Role"]
    assert answered["Description"] == "third"
    assert "MaxSessionDuration" not in answered
    assert iam.get_role(RoleName="r")["Role"]["MaxSessionDuration"] == 7200


def test_update_assume_role_policy(iam):
    make_role(iam, "r")
    changed = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "sts:AssumeRole"}
        ],
    }
    iam.update_assume_role_policy(RoleName="r", PolicyDocument=json.dumps(changed))
    assert iam.get_role(RoleName="r")["Role"]["AssumeRolePolicyDocument"] == changed


def test_delete_role_refused_while_it_has_policies_or_profiles(iam):
    make_role(iam, "r")
    iam.attach_role_policy(RoleName="r", PolicyArn=BASIC)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_role(RoleName="r")
    assert error_of(excinfo) == (
        "DeleteConflict",
        409,
        "Cannot delete entity, must detach all policies first.",
    )
    iam.detach_role_policy(RoleName="r", PolicyArn=BASIC)
    doc = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
        }
    )
    iam.put_role_policy(RoleName="r", PolicyName="inline", PolicyDocument=doc)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_role(RoleName="r")
    assert error_of(excinfo)[2] == "Cannot delete entity, must delete policies first."
    iam.delete_role_policy(RoleName="r", PolicyName="inline")
    iam.create_instance_profile(InstanceProfileName="p")
    iam.add_role_to_instance_profile(InstanceProfileName="p", RoleName="r")
    with pytest.raises(ClientError) as excinfo:
        iam.delete_role(RoleName="r")
    assert error_of(excinfo)[:2] == ("DeleteConflict", 409)
    assert error_of(excinfo)[2] == (
        "Cannot delete entity, must remove roles from instance profile first."
    )
    iam.remove_role_from_instance_profile(InstanceProfileName="p", RoleName="r")
    iam.delete_role(RoleName="r")
    with pytest.raises(ClientError) as excinfo:
        iam.get_role(RoleName="r")
    assert error_of(excinfo)[0] == "NoSuchEntity"


def test_role_tags(iam):
    role = make_role(iam, "r", Tags=[{"Key": "team", "Value": "a"}])["Role"]
    assert role["Tags"] == [{"Key": "team", "Value": "a"}]
    iam.tag_role(RoleName="r", Tags=[{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "b"}])
    assert iam.list_role_tags(RoleName="r")["Tags"] == [
        {"Key": "env", "Value": "dev"},
        {"Key": "team", "Value": "b"},
    ]
    assert len(iam.get_role(RoleName="r")["Role"]["Tags"]) == 2
    iam.untag_role(RoleName="r", TagKeys=["team"])
    listed = iam.list_role_tags(RoleName="r")
    assert listed["Tags"] == [{"Key": "env", "Value": "dev"}] and listed["IsTruncated"] is False
    with pytest.raises(ClientError) as excinfo:
        iam.tag_role(RoleName="r", Tags=[{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}])
    assert error_of(excinfo) == (
        "InvalidInput",
        400,
        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
    )


def test_bad_input_changes_nothing(iam):
    with pytest.raises(ClientError):
        make_role(iam, "r", Tags=[{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}])
    with pytest.raises(ClientError):
        iam.create_role(RoleName="r", AssumeRolePolicyDocument="{not json")
    with pytest.raises(ClientError):
        make_role(iam, "r", PermissionsBoundary="arn:aws:iam::000000000000:policy/missing")
    assert iam.list_roles()["Roles"] == []


def test_permissions_boundary(iam):
    boundary = "arn:aws:iam::aws:policy/PowerUserAccess"
    role = make_role(iam, "r", PermissionsBoundary=boundary)["Role"]
    assert role["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "Policy",
        "PermissionsBoundaryArn": boundary,
    }
    assert iam.get_policy(PolicyArn=boundary)["Policy"]["PermissionsBoundaryUsageCount"] == 1
    iam.delete_role_permissions_boundary(RoleName="r")
    assert "PermissionsBoundary" not in iam.get_role(RoleName="r")["Role"]
    with pytest.raises(ClientError) as excinfo:
        iam.put_role_permissions_boundary(
            RoleName="r", PermissionsBoundary="arn:aws:iam::000000000000:not_a_policy/x"
        )
    assert error_of(excinfo) == (
        "InvalidInput",
        400,
        "ARN arn:aws:iam::000000000000:not_a_policy/x is not valid.",
    )
    missing = "arn:aws:iam::000000000000:policy/missing"
    with pytest.raises(ClientError) as excinfo:
        iam.put_role_permissions_boundary(RoleName="r", PermissionsBoundary=missing)
    assert error_of(excinfo) == (
        "NoSuchEntity",
        404,
        f"Scope ARN: {missing} does not exist or is not attachable.",
    )


def test_global_across_regions_isolated_across_accounts(endpoint):
    east = client("iam", endpoint, region="us-east-1")
    west = client("iam", endpoint, region="eu-west-1")
    make_role(east, "shared")
    assert west.get_role(RoleName="shared")["Role"]["Arn"].endswith(":role/shared")
    other = client("iam", endpoint, access_key="111111111111")
    with pytest.raises(ClientError) as excinfo:
        other.get_role(RoleName="shared")
    assert error_of(excinfo)[0] == "NoSuchEntity"
    mine = make_role(other, "shared")["Role"]
    assert mine["Arn"] == "arn:aws:iam::111111111111:role/shared"


def test_role_lookup_for_sts(iam, server):
    """roles.get and roles.get_by_arn answer what AssumeRole needs: ARN, id, trust, duration."""
    from lamina.services.iam import roles
    from lamina.store import open_store

    created = make_role(iam, "Assumable", Path="/svc/", MaxSessionDuration=7200)["Role"]
    url = server.env.get("LAMINA_DATABASE_URL") or f"sqlite:///{server.data_dir}/lamina.db"
    store = open_store(url, server.data_dir)
    try:
        with store.read() as conn:
            found = roles.get(conn, "000000000000", "assumable")
            by_arn = roles.get_by_arn(conn, created["Arn"])
            assert roles.get_by_arn(conn, "arn:aws:iam::000000000000:role/other/Assumable") is None
            assert roles.get(conn, "111111111111", "Assumable") is None
    finally:
        store.close()
    assert found is not None and found == by_arn
    assert found.arn == created["Arn"] and found.role_id == created["RoleId"]
    assert found.trust_document == TRUST
    assert found.max_session_duration == 7200
