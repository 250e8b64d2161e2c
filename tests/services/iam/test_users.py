"""Users, groups, access keys and inline policies of users and groups."""

from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError

from lamina.services.iam import access_keys
from lamina.store import open_store
from tests.conftest import client, error_of
from tests.services.iam.conftest import BASIC, POLICY


def test_create_get_list_users(iam):
    user = iam.create_user(UserName="alice", Path="/eng/", Tags=[{"Key": "k", "Value": "v"}])
    user = user["User"]
    assert user["Arn"] == "arn:aws:iam::000000000000:user/eng/alice"
    assert user["UserId"].startswith("AIDA") and len(user["UserId"]) == 21
    assert user["Tags"] == [{"Key": "k", "Value": "v"}]
    assert iam.get_user(UserName="ALICE")["User"]["UserName"] == "alice"
    iam.create_user(UserName="bob")
    assert [u["UserName"] for u in iam.list_users()["Users"]] == ["alice", "bob"]
    assert [u["UserName"] for u in iam.list_users(PathPrefix="/eng/")["Users"]] == ["alice"]
    with pytest.raises(ClientError) as excinfo:
        iam.create_user(UserName="Alice")
    assert error_of(excinfo) == ("EntityAlreadyExists", 409, "User with name Alice already exists.")
    with pytest.raises(ClientError) as excinfo:
        iam.get_user(UserName="carol")
    assert error_of(excinfo) == ("NoSuchEntity", 404, "The user with name carol cannot be found.")


def test_update_user_renames_and_keeps_tags(iam):
    iam.create_user(UserName="alice", Tags=[{"Key": "k", "Value": "v"}])
    iam.create_user(UserName="bob")
    with pytest.raises(ClientError) as excinfo:
        iam.update_user(UserName="alice", NewUserName="BOB")
    assert error_of(excinfo)[:2] == ("EntityAlreadyExists", 409)
    iam.update_user(UserName="alice", NewUserName="alicia", NewPath="/x/")
    user = iam.get_user(UserName="alicia")["User"]
    assert user["Arn"].endswith(":user/x/alicia")
    assert user["Tags"] == [{"Key": "k", "Value": "v"}]
    with pytest.raises(ClientError):
        iam.get_user(UserName="alice")


def test_get_user_without_name_is_the_caller(iam, endpoint):
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    as_alice = client("iam", endpoint, access_key=key["AccessKeyId"])
    assert as_alice.get_user()["User"]["UserName"] == "alice"
    assert as_alice.list_access_keys()["AccessKeyMetadata"][0]["AccessKeyId"] == key["AccessKeyId"]
    root = iam.get_user()["User"]
    assert root["Arn"] == "arn:aws:iam::000000000000:root"
    assert root["UserId"] == "000000000000"


def test_access_keys(iam):
    iam.create_user(UserName="alice")
    first = iam.create_access_key(UserName="alice")["AccessKey"]
    assert re.fullmatch(r"AKIA[A-Z0-9]{16}", first["AccessKeyId"])
    assert len(first["SecretAccessKey"]) == 40
    assert first["Status"] == "Active" and first["UserName"] == "alice"
    second = iam.create_access_key(UserName="alice")["AccessKey"]
    with pytest.raises(ClientError) as excinfo:
        iam.create_access_key(UserName="alice")
    assert error_of(excinfo) == (
        "LimitExceeded",
        409,
        "Cannot exceed quota for AccessKeysPerUser: 2",
    )
    listed = iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]
    assert {k["AccessKeyId"] for k in listed} == {first["AccessKeyId"], second["AccessKeyId"]}
    assert all("SecretAccessKey" not in k for k in listed)
    iam.update_access_key(UserName="alice", AccessKeyId=first["AccessKeyId"], Status="Inactive")
    statuses = {
        k["AccessKeyId"]: k["Status"]
        for k in iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]
    }
    assert statuses[first["AccessKeyId"]] == "Inactive"
    used = iam.get_access_key_last_used(AccessKeyId=second["AccessKeyId"])
    assert used["UserName"] == "alice"
    assert used["AccessKeyLastUsed"] == {"ServiceName": "N/A", "Region": "N/A"}

    iam.delete_access_key(UserName="alice", AccessKeyId=first["AccessKeyId"])
    with pytest.raises(ClientError) as excinfo:
        iam.delete_access_key(UserName="alice", AccessKeyId=first["AccessKeyId"])
    assert error_of(excinfo) == (
        "NoSuchEntity",
        404,
        f"The Access Key with id {first['AccessKeyId']} cannot be found.",
    )


def test_delete_user_refused_while_it_has_things(iam):
    iam.create_user(UserName="u")
    key = iam.create_access_key(UserName="u")["AccessKey"]["AccessKeyId"]
    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName="u")
    assert error_of(excinfo) == (
        "DeleteConflict",
        409,
        "Cannot delete entity, must delete access keys first.",
    )
    iam.delete_access_key(UserName="u", AccessKeyId=key)
    iam.attach_user_policy(UserName="u", PolicyArn=BASIC)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName="u")
    assert error_of(excinfo)[2] == "Cannot delete entity, must detach all policies first."
    iam.detach_user_policy(UserName="u", PolicyArn=BASIC)
    iam.put_user_policy(UserName="u", PolicyName="p", PolicyDocument=json.dumps(POLICY))
    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName="u")
    assert error_of(excinfo)[2] == "Cannot delete entity, must delete policies first."
    iam.delete_user_policy(UserName="u", PolicyName="p")
    iam.create_group(GroupName="g")
    iam.add_user_to_group(GroupName="g", UserName="u")
    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName="u")
    assert error_of(excinfo)[:2] == ("DeleteConflict", 409)
    iam.remove_user_from_group(GroupName="g", UserName="u")
    iam.delete_user(UserName="u")
    assert iam.list_users()["Users"] == []


def test_groups_and_members(iam):
    group = iam.create_group(GroupName="devs", Path="/eng/")["Group"]
    assert group["Arn"] == "arn:aws:iam::000000000000:group/eng/devs"
    assert group["GroupId"].startswith("AGPA") and len(group["GroupId"]) == 21
    with pytest.raises(ClientError) as excinfo:
        iam.create_group(GroupName="DEVS")
    assert error_of(excinfo) == ("EntityAlreadyExists", 409, "Group with name DEVS already exists.")
    for name in ("bob", "alice"):
        iam.create_user(UserName=name)
        iam.add_user_to_group(GroupName="devs", UserName=name)
    got = iam.get_group(GroupName="devs")
    assert got["Group"]["GroupName"] == "devs"
    assert [u["UserName"] for u in got["Users"]] == ["alice", "bob"]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="bob")["Groups"]] == ["devs"]
    assert [g["GroupName"] for g in iam.list_groups(PathPrefix="/eng/")["Groups"]] == ["devs"]
    with pytest.raises(ClientError) as excinfo:
        iam.delete_group(GroupName="devs")
    assert error_of(excinfo) == (
        "DeleteConflict",
        409,
        "Cannot delete entity, must remove users from group first.",
    )
    iam.remove_user_from_group(GroupName="devs", UserName="bob")
    iam.remove_user_from_group(GroupName="devs", UserName="alice")
    iam.update_group(GroupName="devs", NewGroupName="builders")
    iam.put_group_policy(GroupName="builders", PolicyName="p", PolicyDocument=json.dumps(POLICY))
    assert iam.get_group_policy(GroupName="builders", PolicyName="p")["PolicyDocument"] == POLICY
    assert iam.list_group_policies(GroupName="builders")["PolicyNames"] == ["p"]
    with pytest.raises(ClientError) as excinfo:
        iam.delete_group(GroupName="builders")
    assert error_of(excinfo)[2] == "Cannot delete entity, must delete policies first."
    iam.delete_group_policy(GroupName="builders", PolicyName="p")
    iam.delete_group(GroupName="builders")
    with pytest.raises(ClientError) as excinfo:
        iam.get_group(GroupName="builders")
    assert error_of(excinfo) == (
        "NoSuchEntity",
        404,
        "The group with name builders cannot be found.",
    )


def test_inline_role_policies(iam):
    from tests.services.iam.conftest import make_role

    make_role(iam, "r")
    iam.put_role_policy(RoleName="r", PolicyName="b", PolicyDocument=json.dumps(POLICY))
    iam.put_role_policy(RoleName="r", PolicyName="a", PolicyDocument=json.dumps(POLICY))
    got = iam.get_role_policy(RoleName="r", PolicyName="a")
    assert (got["RoleName"], got["PolicyName"], got["PolicyDocument"]) == ("r", "a", POLICY)
    assert iam.list_role_policies(RoleName="r")["PolicyNames"] == ["a", "b"]
    changed = {**POLICY, "Statement": [{**POLICY["Statement"][0], "Action": "s3:*"}]}
    iam.put_role_policy(RoleName="r", PolicyName="a", PolicyDocument=json.dumps(changed))
    assert iam.get_role_policy(RoleName="r", PolicyName="a")["PolicyDocument"] == changed
    iam.delete_role_policy(RoleName="r", PolicyName="a")
    with pytest.raises(ClientError) as excinfo:
        iam.get_role_policy(RoleName="r", PolicyName="a")
    assert error_of(excinfo) == (
        "NoSuchEntity",
        404,
        "The role policy with name a cannot be found.",
    )


def test_access_key_lookup_for_sts(iam, server):
    """access_keys.lookup finds a key by id alone, with its account, user and secret."""
    other = client("iam", server.url, access_key="222222222222")
    other.create_user(UserName="svc", Path="/bots/")
    key = other.create_access_key(UserName="svc")["AccessKey"]
    store = open_store(_store_url(server), server.data_dir)
    try:
        with store.read() as conn:
            found = access_keys.lookup(conn, key["AccessKeyId"])
            assert access_keys.lookup(conn, "AKIANOTAKEY000000000") is None
    finally:
        store.close()
    assert found is not None
    assert found.account_id == "222222222222"
    assert found.secret_access_key == key["SecretAccessKey"]
    assert found.active and found.user_name == "svc"
    assert found.user_arn == "arn:aws:iam::222222222222:user/bots/svc"


def _store_url(server) -> str:
    url = server.env.get("LAMINA_DATABASE_URL")
    return url or f"sqlite:///{server.data_dir}/lamina.db"
