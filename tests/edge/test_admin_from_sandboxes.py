"""Lamina's own endpoints (/_lamina/) are not AWS endpoints (issue 14): a function calling them
through AWS_ENDPOINT_URL gets 403 and an AWS-style JSON error, while callers on the node's
port are served as before; code downloads (Code.Location) stay open to functions."""

from __future__ import annotations

import json

import pytest
import requests

from tests.conftest import create_function, make_zip
from tests.execution.sandboxing import needs_sandbox_network

pytestmark = needs_sandbox_network

CALLER = """
import json, os, urllib.error, urllib.request

def said(answer, status):
    headers = {k.lower(): v for k, v in answer.headers.items()}
    return status, headers, answer.read().decode(errors="replace")

def call(method, path):
    request = urllib.request.Request(os.environ["AWS_ENDPOINT_URL"] + path, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return said(answer, answer.status)
    except urllib.error.HTTPError as error:
        return said(error, error.code)

def handler(event, context):
    return [call(method, path) for method, path in event["calls"]]
"""


def ask(client, calls: list[list[str]]) -> list[tuple[int, dict[str, str], str]]:
    answer = client.invoke(FunctionName="caller", Payload=json.dumps({"calls": calls}).encode())
    payload = json.loads(answer["Payload"].read())
    assert "FunctionError" not in answer, payload
    return [tuple(call) for call in payload]


@pytest.fixture
def caller(lambda_client):
    code = {"ZipFile": make_zip({"app.py": CALLER})}
    create_function(lambda_client, "caller", Handler="app.handler", Code=code)
    return lambda_client


def test_reset_from_a_function_is_403_access_denied_and_wipes_nothing(caller, endpoint):
    [(status, headers, body)] = ask(caller, [["POST", "/_lamina/reset"]])
    assert status == 403
    assert headers["x-amzn-errortype"] == "AccessDeniedException"
    assert json.loads(body)["__type"] == "AccessDeniedException"
    assert "execution environments" in json.loads(body)["message"]
    names = [f["FunctionName"] for f in caller.list_functions()["Functions"]]
    assert names == ["caller"]  # the reset did not happen


def test_every_admin_route_refuses_functions_and_still_serves_the_nodes_port(caller, endpoint):
    routes = [["GET", "/_lamina/health"], ["GET", "/_lamina/metrics"], ["GET", "/_lamina/nope"]]
    assert [status for status, _, _ in ask(caller, routes)] == [403, 403, 403]
    assert requests.get(f"{endpoint}/_lamina/health", timeout=10).status_code == 200
    assert requests.get(f"{endpoint}/_lamina/metrics", timeout=10).status_code == 200


def test_a_function_may_download_code_from_code_location(caller, endpoint):
    location = caller.get_function(FunctionName="caller")["Code"]["Location"]
    path = "/_lamina/" + location.split("/_lamina/", 1)[1]
    [(status, headers, _)] = ask(caller, [["GET", path]])
    assert status == 200 and headers["content-type"] == "application/zip"
