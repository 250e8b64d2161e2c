"""GetCallerIdentity and GetAccessKeyInfo: root, IAM user, assumed role; the AWS CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import client
from tests.services.sts.conftest import make_role, make_user_key, sts_with, trust


def test_an_unknown_key_is_the_root_of_the_default_account(endpoint):
    answer = client("sts", endpoint).get_caller_identity()
    assert answer["Account"] == "000000000000"
    assert answer["Arn"] == "arn:aws:iam::000000000000:root"
    assert answer["UserId"] == "000000000000"


def test_a_twelve_digit_key_is_the_root_of_that_account(endpoint):
    answer = client("sts", endpoint, access_key="123456789012").get_caller_identity()
    assert answer["Arn"] == "arn:aws:iam::123456789012:root"
    assert answer["Account"] == answer["UserId"] == "123456789012"


def test_an_iam_users_key_is_that_user(endpoint):
    made = make_user_key(endpoint, "alice", access_key="111111111111")
    key = made["key"]
    sts = sts_with(endpoint, aws_access_key_id=key["AccessKeyId"],
                   aws_secret_access_key=key["SecretAccessKey"])  # fmt: skip
    answer = sts.get_caller_identity()
    assert answer["Account"] == "111111111111"
    assert answer["Arn"] == "arn:aws:iam::111111111111:user/alice"
    assert answer["UserId"] == made["user"]["UserId"]
    assert answer["UserId"].startswith("AIDA")


def test_a_user_on_a_path_has_the_path_in_its_arn(endpoint):
    iam = client("iam", endpoint)
    iam.create_user(UserName="bob", Path="/team/ops/")
    key = iam.create_access_key(UserName="bob")["AccessKey"]
    sts = sts_with(endpoint, aws_access_key_id=key["AccessKeyId"],
                   aws_secret_access_key=key["SecretAccessKey"])  # fmt: skip
    assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:user/team/ops/bob"


def test_an_assumed_role_session_is_that_session(endpoint):
    role = make_role(endpoint, "reader", trust({"AWS": "arn:aws:iam::000000000000:root"}))
    assumed = client("sts", endpoint).assume_role(RoleArn=role["Arn"], RoleSessionName="s-1")
    answer = sts_with(endpoint, assumed["Credentials"]).get_caller_identity()
    assert answer["Arn"] == "arn:aws:sts::000000000000:assumed-role/reader/s-1"
    assert answer["UserId"] == f"{role['RoleId']}:s-1"
    assert answer["Account"] == "000000000000"


def test_regional_and_global_endpoints_answer_alike(endpoint):
    role = make_role(endpoint, "r", trust({"AWS": "000000000000"}))
    west = client("sts", endpoint, region="eu-west-1")
    assumed = west.assume_role(RoleArn=role["Arn"], RoleSessionName="west")
    # A session issued by a regional endpoint is good at the global one (us-east-1).
    answer = sts_with(endpoint, assumed["Credentials"]).get_caller_identity()
    assert answer["Arn"].endswith("assumed-role/r/west")


def test_get_access_key_info_names_the_keys_account(endpoint):
    made = make_user_key(endpoint, "carol", access_key="222222222222")
    sts = client("sts", endpoint)
    assert sts.get_access_key_info(AccessKeyId=made["key"]["AccessKeyId"])["Account"] == (
        "222222222222"
    )
    session = client("sts", endpoint, access_key="333333333333").get_session_token()
    key = session["Credentials"]["AccessKeyId"]
    assert sts.get_access_key_info(AccessKeyId=key)["Account"] == "333333333333"


def test_an_operation_not_implemented_says_so(endpoint):
    import pytest
    from botocore.exceptions import ClientError

    from tests.conftest import error_of

    with pytest.raises(ClientError) as excinfo:
        client("sts", endpoint).get_federation_token(Name="someone")
    assert error_of(excinfo)[:2] == ("NotImplementedException", 501)


def test_the_aws_cli_gets_the_caller_identity(endpoint, tmp_path: Path):
    aws = Path(sys.executable).parent / "aws"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_ACCESS_KEY_ID": "555555555555", "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
    }  # fmt: skip
    out = subprocess.run(
        [str(aws), "--endpoint-url", endpoint, "sts", "get-caller-identity"],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    answer = json.loads(out)
    assert answer == {
        "UserId": "555555555555",
        "Account": "555555555555",
        "Arn": "arn:aws:iam::555555555555:root",
    }
    assert re.fullmatch(r"\d{12}", answer["Account"])
