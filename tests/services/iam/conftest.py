"""IAM clients for the live server, and helpers the tests share."""

from __future__ import annotations

import json

import pytest

from tests.conftest import client

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}
BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


@pytest.fixture
def iam(endpoint: str):
    return client("iam", endpoint)


@pytest.fixture
def unvalidated_iam(endpoint: str):
    return client("iam", endpoint, validate=False)


def make_role(iam, name: str = "fn-role", **extra):
    return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST), **extra)


def make_policy(iam, name: str = "reader", document=None, **extra):
    body = json.dumps(document or POLICY)
    return iam.create_policy(PolicyName=name, PolicyDocument=body, **extra)["Policy"]
