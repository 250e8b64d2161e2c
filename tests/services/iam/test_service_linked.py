"""Service-linked roles: AWS's name and path for the service, protected, deleted by a task."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of


def test_service_linked_role_lifecycle(iam):
    role = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForAutoScaling"
    assert role["Path"] == "/aws-service-role/autoscaling.amazonaws.com/"
    assert role["Arn"] == (
        "arn:aws:iam::000000000000:role/aws-service-role/autoscaling.amazonaws.com/"
        "AWSServiceRoleForAutoScaling"
    )
    statement = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"Service": ["autoscaling.amazonaws.com"]}
    with pytest.raises(ClientError) as excinfo:
        iam.delete_role(RoleName="AWSServiceRoleForAutoScaling")
    assert error_of(excinfo)[:2] == ("UnmodifiableEntity", 400)
    with pytest.raises(ClientError) as excinfo:
        iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")
    assert error_of(excinfo)[0] == "InvalidInput"
    suffixed = iam.create_service_linked_role(
        AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="fleet"
    )["Role"]
    assert suffixed["RoleName"] == "AWSServiceRoleForAutoScaling_fleet"
    task = iam.delete_service_linked_role(RoleName="AWSServiceRoleForAutoScaling")
    assert task["DeletionTaskId"].startswith(
        "task/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling/"
    )
    status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task["DeletionTaskId"])
    assert status["Status"] == "SUCCEEDED"
    with pytest.raises(ClientError) as excinfo:
        iam.get_role(RoleName="AWSServiceRoleForAutoScaling")
    assert error_of(excinfo)[0] == "NoSuchEntity"


def test_lambda_replicator_gets_its_managed_policy(iam):
    iam.create_service_linked_role(AWSServiceName="replicator.lambda.amazonaws.com")
    attached = iam.list_attached_role_policies(RoleName="AWSServiceRoleForLambdaReplicator")
    assert [p["PolicyName"] for p in attached["AttachedPolicies"]] == ["AWSLambdaReplicator"]
