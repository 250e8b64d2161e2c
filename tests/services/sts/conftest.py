"""STS tests: boto3 clients for STS and IAM, roles to assume, users with keys."""

from __future__ import annotations

import json

import boto3
from botocore.config import Config

from tests.conftest import client


def sts_with(endpoint: str, credentials: dict | None = None, region: str = "us-east-1", **keys):
    """An STS client signing with `credentials` (an STS Credentials member) or `keys`."""
    if credentials is not None:
        keys = {
            "aws_access_key_id": credentials["AccessKeyId"],
            "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials["SessionToken"],
        }
    return boto3.client(
        "sts", endpoint_url=endpoint, region_name=region,
        config=Config(retries={"total_max_attempts": 1}), **keys,
    )  # fmt: skip


def trust(principal, action: str = "sts:AssumeRole", condition: dict | None = None) -> str:
    statement: dict = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def make_role(endpoint: str, name: str, policy: str, access_key: str = "test", **extra):
    iam = client("iam", endpoint, access_key=access_key)
    return iam.create_role(RoleName=name, AssumeRolePolicyDocument=policy, **extra)["Role"]


def make_user_key(endpoint: str, name: str, access_key: str = "test") -> dict:
    iam = client("iam", endpoint, access_key=access_key)
    user = iam.create_user(UserName=name)["User"]
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"user": user, "key": key}
