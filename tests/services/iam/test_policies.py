"""Managed policies: customer and AWS managed, versions, attachments and tags."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of
from tests.services.iam.conftest import BASIC, POLICY, make_policy, make_role

SQS = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"


def doc(action: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
        }
    )


def test_create_and_get_policy(iam):
    created = make_policy(iam, "reader", Path="/team/", Description="reads")
    assert created["Arn"] == "arn:aws:iam::000000000000:policy/team/reader"
    assert created["PolicyId"].startswith("ANPA") and len(created["PolicyId"]) == 21
    assert created["DefaultVersionId"] == "v1"
    assert (created["AttachmentCount"], created["PermissionsBoundaryUsageCount"]) == (0, 0)
    assert created["IsAttachable"] is True
    assert "Description" not in created and "Tags" not in created  # as CreatePolicy answers
    got = iam.get_policy(PolicyArn=created["Arn"])["Policy"]
    assert got["Description"] == "reads" and got["Tags"] == []
    version = iam.get_policy_version(PolicyArn=created["Arn"], VersionId="v1")["PolicyVersion"]
    assert version["Document"] == POLICY and version["IsDefaultVersion"] is True


def test_duplicate_policy_name_whatever_the_case(iam):
    make_policy(iam, "Reader")
    with pytest.raises(ClientError) as excinfo:
        make_policy(iam, "reader", Path="/other/")
    assert error_of(excinfo) == (
        "EntityAlreadyExists",
        409,
        "A policy called reader already exists. Duplicate names are not allowed.",
    )


def test_missing_policy(iam):
    arn = "arn:aws:iam::000000000000:policy/nope"
    with pytest.raises(ClientError) as excinfo:
        iam.get_policy(PolicyArn=arn)
    assert error_of(excinfo) == ("NoSuchEntity", 404, f"Policy {arn} was not found.")
    with pytest.raises(ClientError) as excinfo:
        iam.get_policy_version(PolicyArn=arn, VersionId="v1")
    assert error_of(excinfo) == (
        "NoSuchEntity",
        404,
        f"Policy {arn} version v1 does not exist or is not attachable.",
    )


def test_versions_default_limit_and_delete(iam):
    arn = make_policy(iam)["Arn"]
    v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("s3:*"), SetAsDefault=True)
    assert v2["PolicyVersion"]["VersionId"] == "v2"
    assert v2["PolicyVersion"]["IsDefaultVersion"] is True
    for _ in range(3):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("sqs:*"))
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("sns:*"))
    assert error_of(excinfo) == (
        "LimitExceeded",
        409,
        "A managed policy can have up to 5 versions. Before you create a new version, "
        "you must delete an existing version.",
    )
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in versions] == ["v5", "v4", "v3", "v2", "v1"]
    assert [v["IsDefaultVersion"] for v in versions] == [False, False, False, True, False]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"
    with pytest.raises(ClientError) as excinfo:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    assert error_of(excinfo) == (
        "DeleteConflict",
        409,
        "Cannot delete the default version of a policy.",
    )
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v5")
    iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    after = iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("sns:*"))
    assert after["PolicyVersion"]["VersionId"] == "v6"  # numbers are never reused
    with pytest.raises(ClientError) as excinfo:
        iam.delete_policy(PolicyArn=arn)
    assert error_of(excinfo)[:2] == ("DeleteConflict", 409)
    for version in ("v1", "v3", "v4", "v6"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=version)
    iam.delete_policy(PolicyArn=arn)
    with pytest.raises(ClientError) as excinfo:
        iam.get_policy(PolicyArn=arn)
    assert error_of(excinfo)[0] == "NoSuchEntity"


def test_delete_attached_policy_refused(iam):
    arn = make_policy(iam)["Arn"]
    make_role(iam, "r")
    iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    with pytest.raises(ClientError) as excinfo:
        iam.delete_policy(PolicyArn=arn)
    assert error_of(excinfo) == (
        "DeleteConflict",
        409,
        "Cannot delete a policy attached to entities.",
    )


def test_aws_managed_policies(iam):
    got = iam.get_policy(PolicyArn=BASIC)["Policy"]
    assert got["PolicyName"] == "AWSLambdaBasicExecutionRole"
    assert got["Path"] == "/service-role/" and got["DefaultVersionId"] == "v1"
    version = iam.get_policy_version(PolicyArn=BASIC, VersionId="v1")["PolicyVersion"]
    assert version["Document"]["Statement"][0]["Action"] == [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ]
    names = {
        p["PolicyName"]
        for page in iam.get_paginator("list_policies").paginate(Scope="AWS")
        for p in page["Policies"]
    }
    for expected in (
        "AWSLambdaBasicExecutionRole",
        "AWSLambdaVPCAccessExecutionRole",
        "AWSLambdaSQSQueueExecutionRole",
        "AWSLambdaDynamoDBExecutionRole",
        "AWSLambdaKinesisExecutionRole",
        "AWSXRayDaemonWriteAccess",
        "AWSLambdaRole",
        "AWSLambdaExecute",
        "AmazonS3ReadOnlyAccess",
        "AmazonS3FullAccess",
        "AmazonDynamoDBFullAccess",
        "AmazonSQSFullAccess",
        "AmazonSNSFullAccess",
        "CloudWatchLogsFullAccess",
        "AWSStepFunctionsFullAccess",
        "AdministratorAccess",
        "ReadOnlyAccess",
        "PowerUserAccess",
        "AmazonAPIGatewayPushToCloudWatchLogs",
        "AWSXrayWriteOnlyAccess",
    ):
        assert expected in names
    admin = iam.get_policy_version(
        PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess", VersionId="v1"
    )["PolicyVersion"]["Document"]
    assert admin["Statement"] == [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    with pytest.raises(ClientError) as excinfo:
        iam.delete_policy(PolicyArn=BASIC)
    assert error_of(excinfo)[0] == "UnmodifiableEntity"


def test_list_policies_scope_only_attached_and_prefix(iam):
    make_policy(iam, "mine", Path="/team/")
    local = iam.list_policies(Scope="Local")["Policies"]
    assert [p["PolicyName"] for p in local] == ["mine"]
    assert "Description" not in local[0] and "Tags" not in local[0]
    assert iam.list_policies(Scope="Local", PathPrefix="/other/")["Policies"] == []
    make_role(iam, "r")
    iam.attach_role_policy(RoleName="r", PolicyArn=SQS)
    attached = iam.list_policies(OnlyAttached=True)["Policies"]
    assert [(p["PolicyName"], p["AttachmentCount"]) for p in attached] == [
        ("AWSLambdaSQSQueueExecutionRole", 1)
    ]
    page = iam.list_policies(Scope="AWS", MaxItems=3)
    assert page["IsTruncated"] is True and len(page["Policies"]) == 3
    following = iam.list_policies(Scope="AWS", MaxItems=3, Marker=page["Marker"])["Policies"]
    assert {p["Arn"] for p in following}.isdisjoint({p["Arn"] for p in page["Policies"]})


def test_attach_detach_and_list(iam):
    make_role(iam, "r")
    mine = make_policy(iam)["Arn"]
    iam.attach_role_policy(RoleName="r", PolicyArn=BASIC)
    iam.attach_role_policy(RoleName="r", PolicyArn=mine)
    iam.attach_role_policy(RoleName="r", PolicyArn=mine)  # twice changes nothing
    listed = iam.list_attached_role_policies(RoleName="r")
    assert listed["AttachedPolicies"] == [
        {"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": BASIC},
        {"PolicyName": "reader", "PolicyArn": mine},
    ]
    assert listed["IsTruncated"] is False
    only = iam.list_attached_role_policies(RoleName="r", PathPrefix="/service-role/")
    assert [p["PolicyArn"] for p in only["AttachedPolicies"]] == [BASIC]
    iam.detach_role_policy(RoleName="r", PolicyArn=BASIC)
    with pytest.raises(ClientError) as excinfo:
        iam.detach_role_policy(RoleName="r", PolicyArn=BASIC)
    assert error_of(excinfo) == ("NoSuchEntity", 404, f"Policy {BASIC} was not found.")
    missing = "arn:aws:iam::000000000000:policy/missing"
    with pytest.raises(ClientError) as excinfo:
        iam.attach_role_policy(RoleName="r", PolicyArn=missing)
    assert error_of(excinfo) == (
        "NoSuchEntity",
        404,
        f"Policy {missing} does not exist or is not attachable.",
    )
    with pytest.raises(ClientError) as excinfo:
        iam.attach_role_policy(RoleName="r", PolicyArn="longpolicynamebutnoarn")
    assert error_of(excinfo) == ("ValidationError", 400, "ARN longpolicynamebutnoarn is not valid.")


def test_attach_to_users_and_groups_and_list_entities(iam):
    make_role(iam, "r")
    iam.create_user(UserName="u")
    iam.create_group(GroupName="g")
    iam.attach_role_policy(RoleName="r", PolicyArn=BASIC)
    iam.attach_user_policy(UserName="u", PolicyArn=BASIC)
    iam.attach_group_policy(GroupName="g", PolicyArn=BASIC)
    assert (
        iam.list_attached_user_policies(UserName="u")["AttachedPolicies"][0]["PolicyArn"] == BASIC
    )
    assert (
        iam.list_attached_group_policies(GroupName="g")["AttachedPolicies"][0]["PolicyArn"] == BASIC
    )
    entities = iam.list_entities_for_policy(PolicyArn=BASIC)
    assert [r["RoleName"] for r in entities["PolicyRoles"]] == ["r"]
    assert [u["UserName"] for u in entities["PolicyUsers"]] == ["u"]
    assert [g["GroupName"] for g in entities["PolicyGroups"]] == ["g"]
    roles_only = iam.list_entities_for_policy(PolicyArn=BASIC, EntityFilter="Role")
    assert roles_only["PolicyUsers"] == [] and len(roles_only["PolicyRoles"]) == 1
    assert iam.get_policy(PolicyArn=BASIC)["Policy"]["AttachmentCount"] == 3
    iam.detach_user_policy(UserName="u", PolicyArn=BASIC)
    iam.detach_group_policy(GroupName="g", PolicyArn=BASIC)
    assert iam.get_policy(PolicyArn=BASIC)["Policy"]["AttachmentCount"] == 1


def test_policy_tags(iam):
    arn = make_policy(iam, Tags=[{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}])["Arn"]
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [
        {"Key": "A", "Value": "2"},
        {"Key": "a", "Value": "1"},
    ]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "b", "Value": ""}])
    first = iam.list_policy_tags(PolicyArn=arn, MaxItems=2)
    assert first["IsTruncated"] is True
    rest = iam.list_policy_tags(PolicyArn=arn, Marker=first["Marker"])
    assert rest["Tags"] == [{"Key": "b", "Value": ""}]
    iam.untag_policy(PolicyArn=arn, TagKeys=["a", "b"])
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Tags"] == [{"Key": "A", "Value": "2"}]
    with pytest.raises(ClientError) as excinfo:
        iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "x", "Value": "1"}, {"Key": "x", "Value": "2"}])
    assert error_of(excinfo) == ("InvalidInput", 400, "Duplicate tag keys found.")
