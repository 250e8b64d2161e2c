"""GetSessionToken: for an account's root and IAM users, never with session credentials."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError

from tests.conftest import client, error_of
from tests.services.sts.conftest import make_role, make_user_key, sts_with, trust


def _left(answer) -> dt.timedelta:
    return answer["Credentials"]["Expiration"] - dt.datetime.now(dt.UTC)


def test_a_users_session_is_the_user_and_lasts_twelve_hours_by_default(endpoint):
    made = make_user_key(endpoint, "frank")
    key = made["key"]
    sts = sts_with(endpoint, aws_access_key_id=key["AccessKeyId"],
                   aws_secret_access_key=key["SecretAccessKey"])  # fmt: skip
    answer = sts.get_session_token()
    assert answer["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert dt.timedelta(hours=11, minutes=59) < _left(answer) <= dt.timedelta(hours=12)
    identity = sts_with(endpoint, answer["Credentials"]).get_caller_identity()
    assert identity["Arn"] == made["user"]["Arn"]
    assert identity["UserId"] == made["user"]["UserId"]


def test_duration_limits(endpoint):
    sts = client("sts", endpoint, validate=False)
    with pytest.raises(ClientError) as excinfo:
        sts.get_session_token(DurationSeconds=129601)
    assert error_of(excinfo)[:2] == ("ValidationError", 400)
    assert "less than or equal to 129600" in error_of(excinfo)[2]
    made = make_user_key(endpoint, "gina")
    user = sts_with(endpoint, aws_access_key_id=made["key"]["AccessKeyId"],
                    aws_secret_access_key=made["key"]["SecretAccessKey"])  # fmt: skip
    assert _left(user.get_session_token(DurationSeconds=129600)) > dt.timedelta(hours=35)


def test_a_root_session_is_at_most_one_hour(endpoint):
    answer = client("sts", endpoint).get_session_token(DurationSeconds=7200)
    assert _left(answer) <= dt.timedelta(hours=1)
    identity = sts_with(endpoint, answer["Credentials"]).get_caller_identity()
    assert identity["Arn"] == "arn:aws:iam::000000000000:root"


def test_session_credentials_cannot_get_a_session_token(endpoint):
    role = make_role(endpoint, "r", trust({"AWS": "000000000000"}))
    assumed = client("sts", endpoint).assume_role(RoleArn=role["Arn"], RoleSessionName="s1")
    with pytest.raises(ClientError) as excinfo:
        sts_with(endpoint, assumed["Credentials"]).get_session_token()
    assert error_of(excinfo) == (
        "AccessDenied",
        403,
        "Cannot call GetSessionToken with session credentials",
    )


def test_session_credentials_work_against_other_services(endpoint):
    role = make_role(endpoint, "r", trust({"AWS": "121212121212"}), access_key="121212121212")
    caller = client("sts", endpoint, access_key="121212121212")
    creds = caller.assume_role(RoleArn=role["Arn"], RoleSessionName="s1")["Credentials"]
    import boto3

    logs = boto3.client(
        "logs", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )  # fmt: skip
    logs.create_log_group(logGroupName="g")
    # The group is in the role's account, where the root of that account sees it.
    listed = client("logs", endpoint, access_key="121212121212").describe_log_groups()
    assert [g["logGroupName"] for g in listed["logGroups"]] == ["g"]
