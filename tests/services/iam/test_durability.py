"""What IAM acknowledged survives a killed server (SIGKILL), on both engines."""

from __future__ import annotations

import json
import signal

import pytest

from tests.conftest import ENGINES, client, own_server
from tests.services.iam.conftest import BASIC, POLICY, TRUST


@pytest.mark.parametrize("engine", ENGINES)
def test_iam_survives_sigkill(tmp_path, engine):
    with own_server(tmp_path / "data", engine, "iam_durability") as lamina:
        iam = client("iam", lamina.url)
        iam.create_role(
            RoleName="durable",
            AssumeRolePolicyDocument=json.dumps(TRUST),
            Tags=[{"Key": "k", "Value": "v"}],
        )
        arn = iam.create_policy(PolicyName="p", PolicyDocument=json.dumps(POLICY))["Policy"]["Arn"]
        iam.attach_role_policy(RoleName="durable", PolicyArn=arn)
        iam.attach_role_policy(RoleName="durable", PolicyArn=BASIC)
        iam.put_role_policy(RoleName="durable", PolicyName="i", PolicyDocument=json.dumps(POLICY))
        iam.create_user(UserName="u")
        key = iam.create_access_key(UserName="u")["AccessKey"]
        iam.create_group(GroupName="g")
        iam.add_user_to_group(GroupName="g", UserName="u")
        lamina.stop(signal.SIGKILL)  # right after the answers: nothing may be lost
        lamina.start()

        role = iam.get_role(RoleName="durable")["Role"]
        assert role["AssumeRolePolicyDocument"] == TRUST
        assert role["Tags"] == [{"Key": "k", "Value": "v"}]
        attached = iam.list_attached_role_policies(RoleName="durable")["AttachedPolicies"]
        assert [p["PolicyArn"] for p in attached] == [arn, BASIC]
        assert iam.get_role_policy(RoleName="durable", PolicyName="i")["PolicyDocument"] == POLICY
        keys = iam.list_access_keys(UserName="u")["AccessKeyMetadata"]
        assert [k["AccessKeyId"] for k in keys] == [key["AccessKeyId"]]
        assert [u["UserName"] for u in iam.get_group(GroupName="g")["Users"]] == ["u"]
        as_user = client("iam", lamina.url, access_key=key["AccessKeyId"])
        assert as_user.get_user()["User"]["UserName"] == "u"
