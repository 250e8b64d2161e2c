"""boto3's apigateway client against the session's live Lamina, and a deployed REST API's URL."""

from __future__ import annotations

import contextlib
import json

import pytest

from tests.conftest import ROLE, client


@pytest.fixture
def apigw(endpoint: str):
    return client("apigateway", endpoint)


def root_of(apigw, api_id: str) -> str:
    return next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/")


def add_method(apigw, api_id: str, resource_id: str, verb: str = "GET", **integration) -> None:
    """A method with authorization NONE and its integration (MOCK unless told)."""
    apigw.put_method(
        restApiId=api_id, resourceId=resource_id, httpMethod=verb, authorizationType="NONE"
    )
    apigw.put_integration(
        restApiId=api_id, resourceId=resource_id, httpMethod=verb,
        **(integration or {"type": "MOCK"}),
    )  # fmt: skip


def stage_url(endpoint: str, api_id: str, stage: str) -> str:
    """The path form of a stage's URL on Lamina's main port (README: API Gateway)."""
    return f"{endpoint}/_aws/execute-api/{api_id}/{stage}"


def lambda_uri(function_arn: str, region: str = "us-east-1") -> str:
    return (
        f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    )


def allow_apigateway(lambda_, function: str, api_id: str, account: str = "000000000000",
                     region: str = "us-east-1") -> None:  # fmt: skip
    """The function's permission for the API to invoke it, as SAM and CDK add it."""
    lambda_.add_permission(
        FunctionName=function, StatementId=f"apigateway-{api_id}",
        Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{region}:{account}:{api_id}/*",
    )  # fmt: skip


def create_api_function(lambda_client, name: str = "fn", **overrides):
    """create_function, with the permission API Gateway needs to invoke it from any API of the
    account (SAM and CDK name the one API: `…:{api-id}/*`)."""
    from tests.conftest import create_function

    made = create_function(lambda_client, name, **overrides)
    region, account = made["FunctionArn"].split(":")[3:5]
    lambda_client.add_permission(
        FunctionName=name, StatementId="apigateway", Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com", SourceArn=f"arn:aws:execute-api:{region}:{account}:*",
    )  # fmt: skip
    return made


LOGGING_ROLE_TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
})  # fmt: skip
PUSH_TO_LOGS = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"


def allow_logging(endpoint: str, region: str = "us-east-1") -> str:
    """The account's CloudWatch Logs role, as AWS wants it before a REST or WebSocket API stage
    logs (the role CDK and Terraform users make): made if missing, set with UpdateAccount.
    Once an account has a role Lambda wants functions' roles to exist: the tests' lambda-role
    is made too."""
    iam = client("iam", endpoint)
    lambda_trust = LOGGING_ROLE_TRUST.replace("apigateway.amazonaws.com", "lambda.amazonaws.com")
    with contextlib.suppress(iam.exceptions.EntityAlreadyExistsException):
        iam.create_role(RoleName=ROLE.rsplit("/", 1)[1], AssumeRolePolicyDocument=lambda_trust)
    name = "apigateway-cloudwatch"
    try:
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=LOGGING_ROLE_TRUST)
        arn = arn["Role"]["Arn"]
        iam.attach_role_policy(RoleName=name, PolicyArn=PUSH_TO_LOGS)
    except iam.exceptions.EntityAlreadyExistsException:
        arn = iam.get_role(RoleName=name)["Role"]["Arn"]
    client("apigateway", endpoint, region=region).update_account(
        patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": arn}]
    )
    return str(arn)
