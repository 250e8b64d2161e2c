"""AssumeRole: the role must exist and trust the caller; names, durations, tags, ExternalId."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from botocore.exceptions import ClientError

from tests.conftest import client, error_of
from tests.services.sts.conftest import make_role, make_user_key, sts_with, trust

ACCOUNT_ROOT = {"AWS": "arn:aws:iam::000000000000:root"}


def test_assume_role_returns_temporary_credentials(endpoint):
    role = make_role(endpoint, "app", trust(ACCOUNT_ROOT))
    answer = client("sts", endpoint).assume_role(RoleArn=role["Arn"], RoleSessionName="me")
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert len(credentials["AccessKeyId"]) == 20
    assert len(credentials["SecretAccessKey"]) == 40
    assert credentials["SessionToken"]
    left = credentials["Expiration"] - dt.datetime.now(dt.UTC)
    assert dt.timedelta(minutes=59) < left <= dt.timedelta(hours=1)  # the default: one hour
    assert answer["AssumedRoleUser"] == {
        "AssumedRoleId": f"{role['RoleId']}:me",
        "Arn": "arn:aws:sts::000000000000:assumed-role/app/me",
    }


def test_a_missing_role_is_access_denied(endpoint):
    with pytest.raises(ClientError) as excinfo:
        client("sts", endpoint).assume_role(
            RoleArn="arn:aws:iam::000000000000:role/nope", RoleSessionName="s1"
        )
    assert error_of(excinfo) == (
        "AccessDenied",
        403,
        "User: arn:aws:iam::000000000000:root is not authorized to perform: sts:AssumeRole "
        "on resource: arn:aws:iam::000000000000:role/nope",
    )


def test_a_trust_policy_naming_another_principal_denies(endpoint):
    role = make_role(endpoint, "theirs", trust({"AWS": "arn:aws:iam::999999999999:root"}))
    with pytest.raises(ClientError) as excinfo:
        client("sts", endpoint).assume_role(RoleArn=role["Arn"], RoleSessionName="s1")
    code, status, message = error_of(excinfo)
    assert (code, status) == ("AccessDenied", 403)
    assert "is not authorized to perform: sts:AssumeRole" in message


def test_a_service_principal_alone_does_not_let_a_user_in(endpoint):
    role = make_role(endpoint, "fn-role", trust({"Service": "lambda.amazonaws.com"}))
    with pytest.raises(ClientError) as excinfo:
        client("sts", endpoint).assume_role(RoleArn=role["Arn"], RoleSessionName="s1")
    assert error_of(excinfo)[0] == "AccessDenied"


def test_principals_by_bare_account_star_and_user_arn(endpoint):
    made = make_user_key(endpoint, "dave")
    key = made["key"]
    user_sts = sts_with(endpoint, aws_access_key_id=key["AccessKeyId"],
                        aws_secret_access_key=key["SecretAccessKey"])  # fmt: skip
    for name, principal in (
        ("by-account", {"AWS": "000000000000"}),
        ("by-star", "*"),
        ("by-aws-star", {"AWS": "*"}),
        ("by-user", {"AWS": [made["user"]["Arn"]]}),
    ):
        role = make_role(endpoint, name, trust(principal))
        answer = user_sts.assume_role(RoleArn=role["Arn"], RoleSessionName="dave")
        assert answer["AssumedRoleUser"]["Arn"].endswith(f"assumed-role/{name}/dave")
    other = make_role(endpoint, "only-erin", trust({"AWS": "arn:aws:iam::000000000000:user/erin"}))
    with pytest.raises(ClientError) as excinfo:
        user_sts.assume_role(RoleArn=other["Arn"], RoleSessionName="dave")
    assert error_of(excinfo)[2].startswith("User: arn:aws:iam::000000000000:user/dave is not")


def test_cross_account_assume_role_lands_in_the_roles_account(endpoint):
    role = make_role(endpoint, "shared", trust({"AWS": "111111111111"}), access_key="222222222222")
    caller = client("sts", endpoint, access_key="111111111111")
    answer = caller.assume_role(RoleArn=role["Arn"], RoleSessionName="visit")
    identity = sts_with(endpoint, answer["Credentials"]).get_caller_identity()
    assert identity["Account"] == "222222222222"
    assert identity["Arn"] == "arn:aws:sts::222222222222:assumed-role/shared/visit"


def test_a_deny_statement_wins(endpoint):
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
        {"Effect": "Deny", "Principal": {"AWS": "000000000000"}, "Action": "sts:*"},
    ]})  # fmt: skip
    role = make_role(endpoint, "denied", policy)
    with pytest.raises(ClientError) as excinfo:
        client("sts", endpoint).assume_role(RoleArn=role["Arn"], RoleSessionName="s1")
    assert error_of(excinfo)[0] == "AccessDenied"


@pytest.mark.parametrize("name", ["a", "has space", "x" * 65, "slash/no"])
def test_role_session_name_follows_the_models_pattern_and_length(endpoint, name):
    role = make_role(endpoint, "named", trust(ACCOUNT_ROOT))
    sts = client("sts", endpoint, validate=False)
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName=name)
    code, status, message = error_of(excinfo)
    assert (code, status) == ("ValidationError", 400)
    assert "roleSessionName" in message


def test_duration_seconds_limits(endpoint):
    role = make_role(endpoint, "short", trust(ACCOUNT_ROOT))
    sts = client("sts", endpoint, validate=False)
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", DurationSeconds=899)
    assert error_of(excinfo) == (
        "ValidationError",
        400,
        "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy "
        "constraint: Member must have value greater than or equal to 900",
    )
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", DurationSeconds=3601)
    assert error_of(excinfo) == (
        "ValidationError",
        400,
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    )
    long = make_role(endpoint, "long", trust(ACCOUNT_ROOT), MaxSessionDuration=43200)
    answer = sts.assume_role(RoleArn=long["Arn"], RoleSessionName="s1", DurationSeconds=43200)
    left = answer["Credentials"]["Expiration"] - dt.datetime.now(dt.UTC)
    assert left > dt.timedelta(hours=11, minutes=59)


def test_role_chaining_is_limited_to_one_hour(endpoint):
    first = make_role(endpoint, "first", trust(ACCOUNT_ROOT))
    second = make_role(endpoint, "second", trust({"AWS": first["Arn"]}), MaxSessionDuration=7200)
    session = client("sts", endpoint).assume_role(RoleArn=first["Arn"], RoleSessionName="a1")
    chained = sts_with(endpoint, session["Credentials"])
    with pytest.raises(ClientError) as excinfo:
        chained.assume_role(RoleArn=second["Arn"], RoleSessionName="b1", DurationSeconds=7200)
    assert error_of(excinfo) == (
        "ValidationError",
        400,
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
        "role chaining.",
    )
    answer = chained.assume_role(RoleArn=second["Arn"], RoleSessionName="b1")
    assert answer["AssumedRoleUser"]["Arn"] == "arn:aws:sts::000000000000:assumed-role/second/b1"


def test_external_id_is_required_when_the_trust_policy_demands_it(endpoint):
    condition = {"StringEquals": {"sts:ExternalId": "s3cr3t"}}
    role = make_role(endpoint, "vendor", trust(ACCOUNT_ROOT, condition=condition))
    sts = client("sts", endpoint)
    for external in (None, "wrong"):
        extra = {"ExternalId": external} if external else {}
        with pytest.raises(ClientError) as excinfo:
            sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", **extra)
        assert error_of(excinfo)[0] == "AccessDenied"
    assert sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", ExternalId="s3cr3t")


def test_string_like_on_external_id(endpoint):
    condition = {"StringLike": {"sts:ExternalId": "team-*"}}
    role = make_role(endpoint, "like", trust(ACCOUNT_ROOT, condition=condition))
    sts = client("sts", endpoint)
    assert sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", ExternalId="team-42")


def test_a_condition_lamina_does_not_evaluate_is_refused_loudly(endpoint):
    condition = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    role = make_role(endpoint, "mfa", trust(ACCOUNT_ROOT, condition=condition))
    with pytest.raises(ClientError) as excinfo:
        client("sts", endpoint).assume_role(RoleArn=role["Arn"], RoleSessionName="s1")
    code, status, message = error_of(excinfo)
    assert (code, status) == ("NotImplementedException", 501)
    assert "Bool" in message


def test_session_tags_need_sts_tag_session_in_the_trust_policy(endpoint):
    role = make_role(endpoint, "untagged", trust(ACCOUNT_ROOT))
    sts = client("sts", endpoint)
    tags = [{"Key": "team", "Value": "blue"}]
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", Tags=tags)
    assert "sts:TagSession" in error_of(excinfo)[2]
    tagged = make_role(
        endpoint, "tagged", trust(ACCOUNT_ROOT, ["sts:AssumeRole", "sts:TagSession"])
    )
    answer = sts.assume_role(RoleArn=tagged["Arn"], RoleSessionName="s1", Tags=tags)
    assert 0 < answer["PackedPolicySize"] <= 100


def test_source_identity_is_returned(endpoint):
    actions = ["sts:AssumeRole", "sts:SetSourceIdentity"]
    role = make_role(endpoint, "sourced", trust(ACCOUNT_ROOT, actions))
    answer = client("sts", endpoint).assume_role(
        RoleArn=role["Arn"], RoleSessionName="s1", SourceIdentity="alice"
    )
    assert answer["SourceIdentity"] == "alice"


def test_mfa_is_refused_rather_than_ignored(endpoint):
    role = make_role(endpoint, "m", trust(ACCOUNT_ROOT))
    with pytest.raises(ClientError) as excinfo:
        client("sts", endpoint).assume_role(
            RoleArn=role["Arn"], RoleSessionName="s1",
            SerialNumber="arn:aws:iam::000000000000:mfa/me", TokenCode="123456",
        )  # fmt: skip
    assert error_of(excinfo)[:2] == ("NotImplementedException", 501)
