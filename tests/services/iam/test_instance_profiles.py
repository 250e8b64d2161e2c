"""Instance profiles and the role each holds."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of
from tests.services.iam.conftest import make_role


def test_instance_profile_lifecycle(iam):
    created = iam.create_instance_profile(
        InstanceProfileName="web", Path="/srv/", Tags=[{"Key": "k", "Value": "v"}]
    )["InstanceProfile"]
    assert created["Arn"] == "arn:aws:iam::000000000000:instance-profile/srv/web"
    assert created["InstanceProfileId"].startswith("AIPA")
    assert len(created["InstanceProfileId"]) == 21
    assert created["Roles"] == []
    with pytest.raises(ClientError) as excinfo:
        iam.create_instance_profile(InstanceProfileName="WEB")
    assert error_of(excinfo) == (
        "EntityAlreadyExists",
        409,
        "Instance Profile WEB already exists.",
    )
    make_role(iam, "r1")
    make_role(iam, "r2")
    iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="r1")
    with pytest.raises(ClientError) as excinfo:
        iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="r2")
    assert error_of(excinfo) == (
        "LimitExceeded",
        409,
        "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
    )
    got = iam.get_instance_profile(InstanceProfileName="web")["InstanceProfile"]
    assert [r["RoleName"] for r in got["Roles"]] == ["r1"]
    assert got["Roles"][0]["AssumeRolePolicyDocument"]["Version"] == "2012-10-17"
    assert got["Tags"] == [{"Key": "k", "Value": "v"}]
    for_role = iam.list_instance_profiles_for_role(RoleName="r1")["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in for_role] == ["web"]
    assert iam.list_instance_profiles_for_role(RoleName="r2")["InstanceProfiles"] == []
    listed = iam.list_instance_profiles(PathPrefix="/srv/")["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in listed] == ["web"]
    with pytest.raises(ClientError) as excinfo:
        iam.delete_instance_profile(InstanceProfileName="web")
    assert error_of(excinfo) == (
        "DeleteConflict",
        409,
        "Cannot delete entity, must remove roles from instance profile first.",
    )
    iam.remove_role_from_instance_profile(InstanceProfileName="web", RoleName="r1")
    iam.tag_instance_profile(InstanceProfileName="web", Tags=[{"Key": "j", "Value": "w"}])
    iam.untag_instance_profile(InstanceProfileName="web", TagKeys=["k"])
    assert iam.list_instance_profile_tags(InstanceProfileName="web")["Tags"] == [
        {"Key": "j", "Value": "w"}
    ]
    iam.delete_instance_profile(InstanceProfileName="web")
    with pytest.raises(ClientError) as excinfo:
        iam.get_instance_profile(InstanceProfileName="web")
    assert error_of(excinfo) == ("NoSuchEntity", 404, "Instance Profile web cannot be found.")
