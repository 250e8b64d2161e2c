"""The AWS CLI against IAM, as a user would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.services.iam.conftest import TRUST

AWS = str(Path(sys.executable).parent / "aws")


def aws(endpoint: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "eu-central-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    return subprocess.run(
        [AWS, "--endpoint-url", endpoint, "--output", "json", "iam", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_role_lifecycle(endpoint):
    created = aws(
        endpoint,
        "create-role",
        "--role-name", "cli-role",
        "--assume-role-policy-document", json.dumps(TRUST),
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    role = json.loads(created.stdout)["Role"]
    assert role["Arn"] == "arn:aws:iam::000000000000:role/cli-role"
    assert role["AssumeRolePolicyDocument"] == TRUST
    attached = aws(
        endpoint,
        "attach-role-policy",
        "--role-name", "cli-role",
        "--policy-arn", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    )  # fmt: skip
    assert attached.returncode == 0, attached.stderr
    listed = json.loads(
        aws(endpoint, "list-attached-role-policies", "--role-name", "cli-role").stdout
    )
    assert listed["AttachedPolicies"][0]["PolicyName"] == "AWSLambdaBasicExecutionRole"
    refused = aws(endpoint, "delete-role", "--role-name", "cli-role")
    assert refused.returncode != 0  # 255 from CLI v1, 254 from v2
    assert "DeleteConflict" in refused.stderr


def test_cli_missing_role(endpoint):
    result = aws(endpoint, "get-role", "--role-name", "nope")
    assert result.returncode != 0
    assert "(NoSuchEntity)" in result.stderr
    assert "The role with name nope cannot be found." in result.stderr
