"""What the HTTP API tests share: a function that answers by its path, and requests to an API
by its execute-api Host or by the /_aws/execute-api/ path."""

from __future__ import annotations

import requests

from tests.conftest import client, create_function, make_zip

ARN = "arn:aws:lambda:us-east-1:000000000000:function"

# Echoes its event; other answers by the last path segment.
HANDLER = """
import json, time
def handler(event, context):
    path = event.get("rawPath") or event.get("path") or ""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    if last == "bare":
        return {"bare": True}
    if last == "fail":
        raise ValueError("boom")
    if last == "slow":
        time.sleep(2)
    if last == "garbled":
        return {"statusCode": "many"}
    return {"statusCode": 200, "headers": {"content-type": "application/json", "x-from": "fn"},
            "body": json.dumps(event)}
"""


def apigw(endpoint: str):
    return client("apigatewayv2", endpoint)


def echo_function(lambda_client, name: str = "echo") -> str:
    create_api_function(lambda_client, name, Code={"ZipFile": make_zip({"handler.py": HANDLER})})
    return f"{ARN}:{name}"


def allow_apigateway(
    lambda_client, function: str, account: str = "000000000000", region: str = "us-east-1"
) -> None:
    """The function's permission for API Gateway to invoke it from any API of the account, as
    SAM and CDK add it (they name the one API: `…:{api-id}/*`)."""
    lambda_client.add_permission(
        FunctionName=function, StatementId="apigateway", Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{region}:{account}:*",
    )  # fmt: skip


def create_api_function(lambda_client, name: str = "fn", **overrides):
    """create_function, with the permission API Gateway needs to invoke it."""
    made = create_function(lambda_client, name, **overrides)
    region, account = made["FunctionArn"].split(":")[3:5]
    allow_apigateway(lambda_client, name, account, region)
    return made


def by_host(endpoint: str, api_id: str, path: str, method: str = "GET", **kwargs):
    headers = {"Host": f"{api_id}.execute-api.localhost", **kwargs.pop("headers", {})}
    return requests.request(method, endpoint + path, headers=headers, timeout=60, **kwargs)


def by_path(endpoint: str, api_id: str, path: str, method: str = "GET", **kwargs):
    url = f"{endpoint}/_aws/execute-api/{api_id}{path}"
    return requests.request(method, url, timeout=60, **kwargs)
