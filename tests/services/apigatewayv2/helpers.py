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
    create_function(lambda_client, name, Code={"ZipFile": make_zip({"handler.py": HANDLER})})
    return f"{ARN}:{name}"


def by_host(endpoint: str, api_id: str, path: str, method: str = "GET", **kwargs):
    headers = {"Host": f"{api_id}.execute-api.localhost", **kwargs.pop("headers", {})}
    return requests.request(method, endpoint + path, headers=headers, timeout=60, **kwargs)


def by_path(endpoint: str, api_id: str, path: str, method: str = "GET", **kwargs):
    url = f"{endpoint}/_aws/execute-api/{api_id}{path}"
    return requests.request(method, url, timeout=60, **kwargs)
