"""GetAccountAuthorizationDetails, and operations Lamina does not implement."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of
from tests.services.iam.conftest import BASIC, POLICY, make_policy, make_role


def test_account_authorization_details(iam):
    make_role(iam, "r")
    iam.attach_role_policy(RoleName="r", PolicyArn=BASIC)
    iam.put_role_policy(RoleName="r", PolicyName="inline", PolicyDocument=json.dumps(POLICY))
    iam.create_instance_profile(InstanceProfileName="p")
    iam.add_role_to_instance_profile(InstanceProfileName="p", RoleName="r")
    iam.create_user(UserName="u")
    iam.create_group(GroupName="g")
    iam.add_user_to_group(GroupName="g", UserName="u")
    mine = make_policy(iam)["Arn"]
    iam.attach_group_policy(GroupName="g", PolicyArn=mine)

    details = iam.get_account_authorization_details()
    (role,) = details["RoleDetailList"]
    assert role["RoleName"] == "r"
    assert role["RolePolicyList"] == [{"PolicyName": "inline", "PolicyDocument": POLICY}]
    assert role["AttachedManagedPolicies"][0]["PolicyArn"] == BASIC
    assert [p["InstanceProfileName"] for p in role["InstanceProfileList"]] == ["p"]
    assert role["AssumeRolePolicyDocument"]["Version"] == "2012-10-17"
    (user,) = details["UserDetailList"]
    assert user["GroupList"] == ["g"]
    (group,) = details["GroupDetailList"]
    assert group["AttachedManagedPolicies"] == [{"PolicyName": "reader", "PolicyArn": mine}]
    arns = {p["Arn"] for p in details["Policies"]}
    assert arns == {mine, BASIC}  # AWS managed policies only where attached
    local = next(p for p in details["Policies"] if p["Arn"] == mine)
    assert local["PolicyVersionList"][0]["Document"] == POLICY

    roles_only = iam.get_account_authorization_details(Filter=["Role"])
    assert "UserDetailList" not in roles_only and len(roles_only["RoleDetailList"]) == 1


def test_unimplemented_operation_says_so(iam):
    with pytest.raises(ClientError) as excinfo:
        iam.create_login_profile(UserName="u", Password="Secret-123-Password")
    code, status, message = error_of(excinfo)
    assert (code, status) == ("NotImplementedException", 501)
    assert "CreateLoginProfile" in message
