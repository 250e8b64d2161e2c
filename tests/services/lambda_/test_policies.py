"""AddPermission / RemovePermission / GetPolicy through boto3, with the document, codes and
messages AWS gives (as recorded against AWS in peers' parity snapshots)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.conftest import create_function, error_of

ARN = "arn:aws:lambda:us-east-1:000000000000:function:fn"


def refused(call, **params) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


def test_add_permission_answers_the_statement_and_get_policy_the_document(lambda_client):
    create_function(lambda_client)
    added = lambda_client.add_permission(
        FunctionName="fn",
        StatementId="s3",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::bucket",
        SourceAccount="111122223333",
    )
    assert added["ResponseMetadata"]["HTTPStatusCode"] == 201
    statement = json.loads(added["Statement"])
    assert statement == {
        "Sid": "s3",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": ARN,
        "Condition": {
            "StringEquals": {"AWS:SourceAccount": "111122223333"},
            "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::bucket"},
        },
    }
    policy = lambda_client.get_policy(FunctionName="fn")
    document = json.loads(policy["Policy"])
    assert document == {"Version": "2012-10-17", "Id": "default", "Statement": [statement]}
    assert len(policy["RevisionId"]) == 36


def test_principals_take_the_shapes_aws_gives_them(lambda_client):
    create_function(lambda_client)
    shapes = {
        "account": ("123456789012", {"AWS": "arn:aws:iam::123456789012:root"}),
        "anyone": ("*", "*"),
        "role": ("arn:aws:iam::123456789012:role/r", {"AWS": "arn:aws:iam::123456789012:role/r"}),
    }
    for sid, (principal, _) in shapes.items():
        lambda_client.add_permission(
            FunctionName="fn", StatementId=sid, Action="lambda:*", Principal=principal
        )
    statements = json.loads(lambda_client.get_policy(FunctionName="fn")["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == list(shapes)
    assert [s["Principal"] for s in statements] == [shape for _, shape in shapes.values()]


def test_url_org_and_token_conditions(lambda_client):
    create_function(lambda_client)
    added = lambda_client.add_permission(
        FunctionName="fn",
        StatementId="url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
        PrincipalOrgID="o-abcdefghij",
        EventSourceToken="token",
    )
    condition = json.loads(added["Statement"])["Condition"]
    assert condition == {
        "StringEquals": {
            "aws:PrincipalOrgID": "o-abcdefghij",
            "lambda:EventSourceToken": "token",
            "lambda:FunctionUrlAuthType": "NONE",
        }
    }


def test_duplicate_statement_id_is_a_conflict(lambda_client):
    create_function(lambda_client)
    params = dict(
        FunctionName="fn", StatementId="one", Action="lambda:InvokeFunction", Principal="*"
    )
    lambda_client.add_permission(**params)
    assert refused(lambda_client.add_permission, **params) == (
        "ResourceConflictException",
        409,
        "The statement id (one) provided already exists. Please provide a new statement id, "
        "or remove the existing statement.",
    )


def test_get_policy_without_one_is_not_found(lambda_client):
    create_function(lambda_client)
    assert refused(lambda_client.get_policy, FunctionName="fn") == (
        "ResourceNotFoundException",
        404,
        "The resource you requested does not exist.",
    )


def test_remove_permission_and_the_last_one_takes_the_policy(lambda_client):
    create_function(lambda_client)
    for sid in ("a", "b"):
        lambda_client.add_permission(
            FunctionName="fn", StatementId=sid, Action="lambda:InvokeFunction", Principal="*"
        )
    removed = lambda_client.remove_permission(FunctionName="fn", StatementId="a")
    assert removed["ResponseMetadata"]["HTTPStatusCode"] == 204
    left = json.loads(lambda_client.get_policy(FunctionName="fn")["Policy"])["Statement"]
    assert [s["Sid"] for s in left] == ["b"]
    assert refused(lambda_client.remove_permission, FunctionName="fn", StatementId="a") == (
        "ResourceNotFoundException",
        404,
        "Statement a is not found in resource policy.",
    )
    lambda_client.remove_permission(FunctionName="fn", StatementId="b")
    assert refused(lambda_client.get_policy, FunctionName="fn")[0] == "ResourceNotFoundException"


def test_revision_id_is_a_precondition(lambda_client):
    create_function(lambda_client)
    lambda_client.add_permission(
        FunctionName="fn", StatementId="a", Action="lambda:InvokeFunction", Principal="*"
    )
    revision = lambda_client.get_policy(FunctionName="fn")["RevisionId"]
    code, status, _ = refused(
        lambda_client.add_permission,
        FunctionName="fn",
        StatementId="b",
        Action="lambda:InvokeFunction",
        Principal="*",
        RevisionId="00000000-0000-0000-0000-000000000000",
    )
    assert (code, status) == ("PreconditionFailedException", 412)
    lambda_client.add_permission(
        FunctionName="fn",
        StatementId="b",
        Action="lambda:InvokeFunction",
        Principal="*",
        RevisionId=revision,
    )
    assert lambda_client.get_policy(FunctionName="fn")["RevisionId"] != revision
    code, status, _ = refused(
        lambda_client.remove_permission, FunctionName="fn", StatementId="a", RevisionId=revision
    )
    assert (code, status) == ("PreconditionFailedException", 412)


def test_policy_size_is_limited_to_20_kb(lambda_client):
    create_function(lambda_client)
    arn = "arn:aws:s3:::" + "b" * 200
    code = ""
    for index in range(200):
        try:
            lambda_client.add_permission(
                FunctionName="fn",
                StatementId=f"s{index}",
                Action="lambda:InvokeFunction",
                Principal="s3.amazonaws.com",
                SourceArn=arn,
            )
        except ClientError as error:
            code = error.response["Error"]["Code"]
            message = error.response["Error"]["Message"]
            break
    assert code == "PolicyLengthExceededException"
    assert message.startswith("The final policy size (") and message.endswith("(20480).")
    document = lambda_client.get_policy(FunctionName="fn")["Policy"]
    assert len(document.encode()) <= 20480


def test_missing_function_and_unknown_qualifier_are_not_found(lambda_client):
    code, status, _ = refused(lambda_client.get_policy, FunctionName="nope")
    assert (code, status) == ("ResourceNotFoundException", 404)
    create_function(lambda_client)
    for qualifier in ("live", "7"):  # no such alias, no such version
        code, status, _ = refused(lambda_client.get_policy, FunctionName="fn", Qualifier=qualifier)
        assert (code, status) == ("ResourceNotFoundException", 404)


def test_versions_and_aliases_have_policies_of_their_own(lambda_client):
    create_function(lambda_client)
    lambda_client.publish_version(FunctionName="fn")
    alias = lambda_client.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
    for qualifier in ("1", "live"):
        added = lambda_client.add_permission(
            FunctionName="fn",
            StatementId=f"on-{qualifier}",
            Action="lambda:InvokeFunction",
            Principal="*",
            Qualifier=qualifier,
        )
        assert json.loads(added["Statement"])["Resource"] == f"{ARN}:{qualifier}"
        statements = json.loads(
            lambda_client.get_policy(FunctionName="fn", Qualifier=qualifier)["Policy"]
        )["Statement"]
        assert [s["Sid"] for s in statements] == [f"on-{qualifier}"]
    assert refused(lambda_client.get_policy, FunctionName="fn")[0] == "ResourceNotFoundException"
    # An alias's policy revision is the alias's, renewed by the change.
    renewed = lambda_client.get_alias(FunctionName="fn", Name="live")["RevisionId"]
    assert renewed != alias["RevisionId"]
    assert lambda_client.get_policy(FunctionName="fn", Qualifier="live")["RevisionId"] == renewed
    version = lambda_client.get_function_configuration(FunctionName="fn", Qualifier="1")
    assert (
        lambda_client.get_policy(FunctionName="fn", Qualifier="1")["RevisionId"]
        == (version["RevisionId"])
    )


def test_latest_qualifier_is_refused_as_aws_refuses_it(lambda_client):
    create_function(lambda_client)
    assert refused(
        lambda_client.add_permission,
        FunctionName="fn",
        StatementId="a",
        Action="lambda:InvokeFunction",
        Principal="*",
        Qualifier="$LATEST",
    ) == (
        "InvalidParameterValueException",
        400,
        "We currently do not support adding policies for $LATEST.",
    )
    lambda_client.add_permission(
        FunctionName="fn", StatementId="a", Action="lambda:InvokeFunction", Principal="*"
    )
    # $LATEST's policy is the function's.
    latest = lambda_client.get_policy(FunctionName="fn", Qualifier="$LATEST")
    assert latest["Policy"] == lambda_client.get_policy(FunctionName="fn")["Policy"]


def test_policy_revision_is_the_functions_and_a_change_renews_it(lambda_client):
    before = create_function(lambda_client)["RevisionId"]
    lambda_client.add_permission(
        FunctionName="fn", StatementId="a", Action="lambda:InvokeFunction", Principal="*"
    )
    revision = lambda_client.get_policy(FunctionName="fn")["RevisionId"]
    assert revision != before
    assert lambda_client.get_function(FunctionName="fn")["Configuration"]["RevisionId"] == revision
    # The function's own RevisionId precondition sees the policy change.
    code, status, _ = refused(
        lambda_client.update_function_configuration,
        FunctionName="fn",
        Timeout=5,
        RevisionId=before,
    )
    assert (code, status) == ("PreconditionFailedException", 412)


def test_invalid_principal_is_refused(lambda_client):
    create_function(lambda_client)
    code, status, message = refused(
        lambda_client.add_permission,
        FunctionName="fn",
        StatementId="a",
        Action="lambda:InvokeFunction",
        Principal="nobody",
    )
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "principal" in message


def test_policy_goes_with_its_function(lambda_client):
    create_function(lambda_client)
    lambda_client.add_permission(
        FunctionName="fn", StatementId="a", Action="lambda:InvokeFunction", Principal="*"
    )
    lambda_client.delete_function(FunctionName="fn")
    create_function(lambda_client)
    assert refused(lambda_client.get_policy, FunctionName="fn")[0] == "ResourceNotFoundException"
