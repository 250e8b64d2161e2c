"""Execution roles: checked at CreateFunction, assumed for each environment, seen from inside."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.conftest import client, create_function, error_of, make_zip
from tests.services.sts.conftest import make_role, trust

WHO_AM_I = """
import os, boto3
def handler(event, context):
    sts = boto3.client("sts")
    identity = sts.get_caller_identity()
    return {"identity": identity["Arn"], "user_id": identity["UserId"],
            "key": os.environ["AWS_ACCESS_KEY_ID"][:4]}
"""
LAMBDA_TRUST = trust({"Service": "lambda.amazonaws.com"})


def invoke(lambda_, name: str) -> dict:
    answer = lambda_.invoke(FunctionName=name, Payload=b"{}")
    return {"error": answer.get("FunctionError"), **json.loads(answer["Payload"].read())}


def test_a_function_calls_lamina_as_its_execution_role(endpoint):
    role = make_role(endpoint, "fn-exec", LAMBDA_TRUST, access_key="101010101010")
    lambda_ = client("lambda", endpoint, access_key="101010101010")
    create_function(
        lambda_, "whoami", Role=role["Arn"], Code={"ZipFile": make_zip({"handler.py": WHO_AM_I})},
        Timeout=30,
    )  # fmt: skip
    answer = invoke(lambda_, "whoami")
    assert answer["error"] is None, answer
    assert answer["identity"] == "arn:aws:sts::101010101010:assumed-role/fn-exec/whoami"
    assert answer["user_id"] == f"{role['RoleId']}:whoami"
    assert answer["key"] == "ASIA"


def test_without_roles_in_the_account_a_function_keeps_the_roots_identity(endpoint):
    lambda_ = client("lambda", endpoint, access_key="202020202020")
    create_function(
        lambda_, "rooted", Role="arn:aws:iam::202020202020:role/not-in-iam",
        Code={"ZipFile": make_zip({"handler.py": WHO_AM_I})}, Timeout=30,
    )  # fmt: skip
    answer = invoke(lambda_, "rooted")
    assert answer["identity"] == "arn:aws:iam::202020202020:root"


def test_once_the_account_has_roles_the_role_must_exist_and_trust_lambda(endpoint):
    make_role(endpoint, "someone-elses", trust({"AWS": "303030303030"}), access_key="303030303030")
    lambda_ = client("lambda", endpoint, access_key="303030303030")
    for role in (
        "arn:aws:iam::303030303030:role/missing",  # no such role
        "arn:aws:iam::303030303030:role/someone-elses",  # does not trust Lambda
    ):
        with pytest.raises(ClientError) as excinfo:
            create_function(lambda_, "f", Role=role)
        assert error_of(excinfo) == (
            "InvalidParameterValueException",
            400,
            "The role defined for the function cannot be assumed by Lambda.",
        )
    good = make_role(endpoint, "good", LAMBDA_TRUST, access_key="303030303030")
    create_function(lambda_, "f", Role=good["Arn"])
    with pytest.raises(ClientError) as excinfo:
        lambda_.update_function_configuration(
            FunctionName="f", Role="arn:aws:iam::303030303030:role/someone-elses"
        )
    assert error_of(excinfo)[0] == "InvalidParameterValueException"


def test_a_deleted_role_fails_the_next_cold_start(endpoint):
    role = make_role(endpoint, "doomed", LAMBDA_TRUST, access_key="404040404040")
    make_role(endpoint, "keeper", LAMBDA_TRUST, access_key="404040404040")  # roles remain
    lambda_ = client("lambda", endpoint, access_key="404040404040")
    create_function(lambda_, "orphan", Role=role["Arn"])
    client("iam", endpoint, access_key="404040404040").delete_role(RoleName="doomed")
    # A change of configuration retires the warm environment: the next invoke is cold.
    lambda_.update_function_configuration(FunctionName="orphan", Description="cold again")
    answer = invoke(lambda_, "orphan")
    assert answer["error"] == "Unhandled"
    assert answer["errorType"] == "InvalidParameterValueException"
    assert answer["errorMessage"].startswith(
        "The role defined for the function cannot be assumed by Lambda."
    )
