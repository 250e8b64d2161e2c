"""REST APIs' data plane over plain HTTP: a deployed stage's routes (exact parts, {param},
greedy {proxy+}, ANY), the Lambda proxy integration's 1.0 event and answer, MOCK integrations,
the gateway's own answers (403 Missing Authentication Token, 502, 504, 500), the URL forms,
and deployments as snapshots."""

from __future__ import annotations

import base64
from urllib.parse import urlsplit

import pytest
import requests

from tests.conftest import client, make_zip
from tests.server import free_port
from tests.services.apigateway.conftest import (
    add_method,
    create_api_function,
    lambda_uri,
    root_of,
    stage_url,
)

HANDLER = """
import base64, json, time

def handler(event, context):
    mode = (event.get("queryStringParameters") or {}).get("mode")
    if mode == "malformed":
        return {"statusCode": 200, "body": {"not": "a string"}}
    if mode == "raise":
        raise RuntimeError("boom")
    if mode == "sleep":
        time.sleep(1.5)
    if mode == "binary":
        return {"statusCode": 201, "isBase64Encoded": True,
                "body": base64.b64encode(b"\\x00\\x01png").decode(),
                "headers": {"Content-Type": "image/png"},
                "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]}}
    return {"statusCode": 200, "headers": {"X-From": "fn"}, "body": json.dumps(event)}
"""


@pytest.fixture
def api(apigw, endpoint):
    """A deployed API (stage `prod`, variable fn=echo): GET /items/{id} and ANY /{proxy+} to the
    function, GET / to a MOCK, POST /locked with AWS_IAM, GET /http to an HTTP integration (nothing
    listening)."""
    lambda_ = client("lambda", endpoint)
    arn = create_api_function(
        lambda_, "echo", Code={"ZipFile": make_zip({"handler.py": HANDLER})}, Timeout=5
    )["FunctionArn"]
    api_id = apigw.create_rest_api(name="shop", binaryMediaTypes=["image/*"])["id"]
    root = root_of(apigw, api_id)
    items = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="items")["id"]
    item = apigw.create_resource(restApiId=api_id, parentId=items, pathPart="{id}")["id"]
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")["id"]
    fn = arn.replace(":echo", ":${stageVariables.fn}")  # resolved per stage
    proxied = {"type": "AWS_PROXY", "integrationHttpMethod": "POST", "uri": lambda_uri(fn)}
    add_method(apigw, api_id, item, "GET", **proxied)
    add_method(apigw, api_id, proxy, "ANY", **proxied, timeoutInMillis=500)
    add_method(
        apigw, api_id, root, "GET",
        type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'},
    )  # fmt: skip
    ids = {"restApiId": api_id, "resourceId": root, "httpMethod": "GET"}
    apigw.put_method_response(**ids, statusCode="200")
    apigw.put_integration_response(
        **ids, statusCode="200", selectionPattern="",
        responseTemplates={"application/json": '{"mocked": true}'},
        responseParameters={"method.response.header.X-Mock": "'yes'"},
    )  # fmt: skip
    locked = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="locked")["id"]
    apigw.put_method(
        restApiId=api_id, resourceId=locked, httpMethod="POST", authorizationType="AWS_IAM"
    )
    apigw.put_integration(restApiId=api_id, resourceId=locked, httpMethod="POST", type="MOCK")
    http = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="http")["id"]
    add_method(
        apigw, api_id, http, "GET",
        type="HTTP", integrationHttpMethod="GET", uri=f"http://127.0.0.1:{free_port()}",
    )  # fmt: skip
    apigw.create_deployment(restApiId=api_id, stageName="prod", variables={"fn": "echo"})
    return {"id": api_id, "url": stage_url(endpoint, api_id, "prod"), "lambda": lambda_}


def test_lambda_proxy_event_as_aws_builds_it(api):
    answer = requests.get(
        f"{api['url']}/items/a%20b?tag=x&tag=y&one=1",
        headers={"X-Custom": "v", "User-Agent": "tester"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["X-From"] == "fn"
    assert answer.headers["x-amzn-RequestId"] and answer.headers["x-amz-apigw-id"]
    event = answer.json()
    assert (event["resource"], event["path"], event["httpMethod"]) == (
        "/items/{id}", "/items/a b", "GET",
    )  # fmt: skip
    assert event["headers"]["X-Custom"] == "v"  # the names in the form most clients send
    assert event["multiValueHeaders"]["X-Custom"] == ["v"]
    assert event["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert event["headers"]["Host"] == urlsplit(api["url"]).netloc
    assert event["queryStringParameters"] == {"tag": "y", "one": "1"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["x", "y"], "one": ["1"]}
    assert event["pathParameters"] == {"id": "a b"}
    assert event["stageVariables"] == {"fn": "echo"}
    assert (event["body"], event["isBase64Encoded"]) == (None, False)
    context = event["requestContext"]
    assert context["accountId"] == "000000000000" and context["apiId"] == api["id"]
    assert (context["stage"], context["resourcePath"], context["httpMethod"]) == (
        "prod", "/items/{id}", "GET",
    )  # fmt: skip
    assert context["path"] == "/prod/items/a b"
    assert context["requestId"] == answer.headers["x-amzn-RequestId"]
    assert context["extendedRequestId"] == answer.headers["x-amz-apigw-id"]
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["identity"]["userAgent"] == "tester"
    assert context["protocol"] == "HTTP/1.1" and context["requestTimeEpoch"] > 0
    assert context["domainName"] == f"{api['id']}.execute-api.localhost"

    # Greedy {proxy+} under ANY; a text body as text, a binaryMediaTypes one as base64.
    posted = requests.post(f"{api['url']}/a/b/c", data="hello", timeout=30).json()
    assert (posted["resource"], posted["pathParameters"]) == ("/{proxy+}", {"proxy": "a/b/c"})
    assert (posted["body"], posted["isBase64Encoded"]) == ("hello", False)
    assert posted["queryStringParameters"] is None and posted["pathParameters"]
    png = requests.put(
        f"{api['url']}/pic", data=b"\x89PNG", headers={"Content-Type": "image/png"}, timeout=30
    ).json()
    assert png["isBase64Encoded"] and base64.b64decode(png["body"]) == b"\x89PNG"


def test_function_answers_and_failures_become_the_http_answer(api):
    url = f"{api['url']}/items/1"
    binary = requests.get(url, params={"mode": "binary"}, timeout=30)
    assert binary.status_code == 201 and binary.content == b"\x00\x01png"
    assert binary.headers["Content-Type"] == "image/png"
    assert binary.raw.headers.getlist("Set-Cookie") == ["a=1", "b=2"]
    for mode in ("malformed", "raise"):
        failed = requests.get(url, params={"mode": mode}, timeout=30)
        assert (failed.status_code, failed.json()) == (502, {"message": "Internal server error"})
    slow = requests.get(f"{api['url']}/slow", params={"mode": "sleep"}, timeout=30)  # 500 ms
    assert (slow.status_code, slow.json()) == (504, {"message": "Endpoint request timed out"})
    api["lambda"].delete_function(FunctionName="echo")
    gone = requests.get(url, timeout=30)
    assert (gone.status_code, gone.json()) == (500, {"message": "Internal server error"})


def test_unknown_routes_mock_and_what_is_not_served_yet(api, endpoint):
    missing = {"message": "Missing Authentication Token"}
    for method, path in (
        ("GET", f"{endpoint}/_aws/execute-api/{api['id']}/nostage/items/1"),
        ("DELETE", f"{api['url']}/items/1"),  # no such method on the resource
        ("GET", f"{api['url']}/items"),  # a resource without methods
    ):
        answer = requests.request(method, path, timeout=30)
        assert (answer.status_code, answer.json()) == (403, missing), path
        assert answer.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"

    too_large = requests.post(f"{api['url']}/big", data=b"x" * (10 * 1024 * 1024 + 1), timeout=30)
    assert (too_large.status_code, too_large.json()) == (413, {"message": "Request Too Long"})

    mocked = requests.get(f"{api['url']}/", timeout=30)  # the root's MOCK
    assert (mocked.status_code, mocked.json()) == (200, {"mocked": True})
    assert mocked.headers["X-Mock"] == "yes"

    unsigned = requests.post(f"{api['url']}/locked", timeout=30)  # AWS_IAM: as AWS refuses it
    assert (unsigned.status_code, unsigned.json()) == (403, missing)
    signed = requests.post(
        f"{api['url']}/locked",
        headers={"Authorization": "AWS4-HMAC-SHA256 Credential=x"},
        timeout=30,
    )  # a signature that does not hold (test_aws_iam.py signs properly)
    assert signed.status_code == 403 and signed.headers["x-amzn-ErrorType"]
    http = requests.get(f"{api['url']}/http", timeout=30)
    assert (http.status_code, http.json()) == (500, {"message": "Internal server error"})

    # The other URL forms: the execute-api Host, and LocalStack's _user_request_ path.
    port = urlsplit(endpoint).port
    by_host = requests.get(
        f"{endpoint}/prod/items/7", headers={"Host": f"{api['id']}.execute-api.localhost:{port}"},
        timeout=30,
    )  # fmt: skip
    assert by_host.json()["pathParameters"] == {"id": "7"}
    user_request = requests.get(
        f"{endpoint}/restapis/{api['id']}/prod/_user_request_/items/8", timeout=30
    )
    assert user_request.json()["pathParameters"] == {"id": "8"}


def test_changes_are_live_only_after_the_next_deployment(api, apigw):
    root = root_of(apigw, api["id"])
    new = apigw.create_resource(restApiId=api["id"], parentId=root, pathPart="new")["id"]
    add_method(apigw, api["id"], new, "GET", type="MOCK")
    ids = {"restApiId": api["id"], "resourceId": new, "httpMethod": "GET"}
    apigw.put_method_response(**ids, statusCode="204")
    apigw.put_integration_response(**ids, statusCode="204")
    before = requests.get(f"{api['url']}/new", timeout=30)
    # Not deployed: the greedy /{proxy+} of the deployed snapshot answers it.
    assert before.json()["resource"] == "/{proxy+}"
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    after = requests.get(f"{api['url']}/new", timeout=30)
    assert after.status_code == 204
