"""Sessions STS issued survive a killed server (SIGKILL) and a restart, on both engines:
their secrets still sign (verification on) and they still resolve to their identities."""

from __future__ import annotations

import signal

import boto3
import pytest
from botocore.config import Config

from tests.conftest import ENGINES, own_server
from tests.services.sts.conftest import sts_with, trust

ROOT = {"aws_access_key_id": "AKIDDUR", "aws_secret_access_key": "durable-secret"}


@pytest.mark.parametrize("engine", ENGINES)
def test_sessions_survive_sigkill(tmp_path, engine):
    env = {"LAMINA_VERIFY_SIGNATURES": "1", "LAMINA_CREDENTIALS": "AKIDDUR:durable-secret"}
    with own_server(tmp_path / "data", engine, "sts_durability", env) as lamina:
        config = Config(retries={"total_max_attempts": 1})
        iam = boto3.client("iam", endpoint_url=lamina.url, region_name="us-east-1",
                           config=config, **ROOT)  # fmt: skip
        sts = sts_with(lamina.url, **ROOT)
        arn = iam.create_role(RoleName="kept", AssumeRolePolicyDocument=trust({"AWS": "*"}))[
            "Role"
        ]["Arn"]
        assumed = sts.assume_role(RoleArn=arn, RoleSessionName="before")["Credentials"]
        token = sts.get_session_token()["Credentials"]
        lamina.stop(signal.SIGKILL)  # right after the answers: nothing may be lost
        lamina.start()

        identity = sts_with(lamina.url, assumed).get_caller_identity()
        assert identity["Arn"] == "arn:aws:sts::000000000000:assumed-role/kept/before"
        assert sts_with(lamina.url, token).get_caller_identity()["Arn"] == (
            "arn:aws:iam::000000000000:root"
        )
