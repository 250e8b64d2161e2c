"""Service-linked roles: the name AWS gives each service's role, its trust policy, and the
deletion tasks DeleteServiceLinkedRole starts (done at once here, so they have SUCCEEDED)."""

from __future__ import annotations

import json
import uuid

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.services.iam import ids
from lamina.store.schema import iam_deletion_tasks as tasks

# AWSServiceName -> (role name, AWS managed policy attached to it, when one is shipped)
ROLES: dict[str, tuple[str, str | None]] = {
    "autoscaling.amazonaws.com": ("AWSServiceRoleForAutoScaling", None),
    "ecs.amazonaws.com": ("AWSServiceRoleForECS", None),
    "elasticloadbalancing.amazonaws.com": ("AWSServiceRoleForElasticLoadBalancing", None),
    "elasticbeanstalk.amazonaws.com": ("AWSServiceRoleForElasticBeanstalk", None),
    "rds.amazonaws.com": ("AWSServiceRoleForRDS", None),
    "spot.amazonaws.com": ("AWSServiceRoleForEC2Spot", None),
    "spotfleet.amazonaws.com": ("AWSServiceRoleForEC2SpotFleet", None),
    "ec2scheduled.amazonaws.com": ("AWSServiceRoleForEC2Scheduled", None),
    "dynamodb.application-autoscaling.amazonaws.com": (
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
        None,
    ),
    "ecs.application-autoscaling.amazonaws.com": (
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        None,
    ),
    "lambda.application-autoscaling.amazonaws.com": (
        "AWSServiceRoleForApplicationAutoScaling_LambdaConcurrency",
        None,
    ),
    "replicator.lambda.amazonaws.com": (
        "AWSServiceRoleForLambdaReplicator",
        "arn:aws:iam::aws:policy/aws-service-role/AWSLambdaReplicator",
    ),
    "ops.apigateway.amazonaws.com": ("AWSServiceRoleForAPIGateway", None),
    "events.amazonaws.com": ("AWSServiceRoleForCloudWatchEvents", None),
    "cloudtrail.amazonaws.com": ("AWSServiceRoleForCloudTrail", None),
    "config.amazonaws.com": ("AWSServiceRoleForConfig", None),
    "organizations.amazonaws.com": ("AWSServiceRoleForOrganizations", None),
    "support.amazonaws.com": ("AWSServiceRoleForSupport", None),
    "trustedadvisor.amazonaws.com": ("AWSServiceRoleForTrustedAdvisor", None),
    "eks.amazonaws.com": ("AWSServiceRoleForAmazonEKS", None),
    "eks-nodegroup.amazonaws.com": ("AWSServiceRoleForAmazonEKSNodegroup", None),
    "kafka.amazonaws.com": ("AWSServiceRoleForKafka", None),
    "ssm.amazonaws.com": ("AWSServiceRoleForAmazonSSM", None),
    "guardduty.amazonaws.com": ("AWSServiceRoleForAmazonGuardDuty", None),
    "elasticache.amazonaws.com": ("AWSServiceRoleForElastiCache", None),
    "redshift.amazonaws.com": ("AWSServiceRoleForRedshift", None),
    "batch.amazonaws.com": ("AWSServiceRoleForBatch", None),
    "es.amazonaws.com": ("AWSServiceRoleForAmazonElasticsearchService", None),
    "opensearchservice.amazonaws.com": ("AWSServiceRoleForAmazonOpenSearchService", None),
    "dax.amazonaws.com": ("AWSServiceRoleForDAX", None),
    "replication.dynamodb.amazonaws.com": ("AWSServiceRoleForDynamoDBReplication", None),
    "delivery.logs.amazonaws.com": ("AWSServiceRoleForLogDelivery", None),
    "elasticmapreduce.amazonaws.com": ("AWSServiceRoleForEMRCleanup", None),
    "sso.amazonaws.com": ("AWSServiceRoleForSSO", None),
    "access-analyzer.amazonaws.com": ("AWSServiceRoleForAccessAnalyzer", None),
    "transitgateway.amazonaws.com": ("AWSServiceRoleForVPCTransitGateway", None),
    "globalaccelerator.amazonaws.com": ("AWSServiceRoleForGlobalAccelerator", None),
    "stacksets.cloudformation.amazonaws.com": (
        "AWSServiceRoleForCloudFormationStackSetsOrgAdmin",
        None,
    ),
}

SUCCEEDED = "SUCCEEDED"


def path_for(service: str) -> str:
    return f"/aws-service-role/{service}/"


def trust_policy(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": [service]},
                    "Action": ["sts:AssumeRole"],
                }
            ],
        }
    )


def start_deletion(conn: Connection, account_id: str, path: str, role_name: str) -> str:
    task_id = f"task{path}{role_name}/{uuid.uuid4()}"
    conn.execute(
        tasks.insert().values(
            task_id=task_id, account_id=account_id, status=SUCCEEDED, created_at=ids.now()
        )
    )
    return task_id


def deletion_status(conn: Connection, account_id: str, task_id: str) -> str | None:
    query = sa.select(tasks.c.status).where(
        tasks.c.task_id == task_id, tasks.c.account_id == account_id
    )
    found = conn.execute(query).first()
    return found[0] if found else None
