"""HTTP APIs' data plane through plain HTTP: stage and route selection, the Lambda proxy events
(payload format 2.0 and 1.0) as AWS builds them, the function's answer as the response, the
gateway's own answers (404, 500, 503, 403), and CORS answered by the gateway."""

from __future__ import annotations

import base64
import http.client
import json

import requests

from tests.services.apigatewayv2.helpers import apigw, by_host, by_path, echo_function
from tests.services.apigatewayv2.test_resources import integration


def test_quick_create_serves_every_request_with_the_2_0_event_aws_builds(endpoint, lambda_client):
    arn = echo_function(lambda_client)
    api_id = apigw(endpoint).create_api(Name="q", ProtocolType="HTTP", Target=arn)["ApiId"]
    answer = by_host(
        endpoint, api_id, "/shop/cart?a=1&a=2&b=x%20y", method="POST",
        headers={"X-Many": "1", "Cookie": "c=1; d=2", "Content-Type": "application/json",
                 "User-Agent": "tester/1"},
        data=b'{"n": 1}',
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-from"] == "fn"
    event = answer.json()
    assert event["version"] == "2.0" and event["routeKey"] == "$default"
    assert (event["rawPath"], event["rawQueryString"]) == ("/shop/cart", "a=1&a=2&b=x%20y")
    assert event["cookies"] == ["c=1", "d=2"]
    assert event["headers"]["x-many"] == "1" and "cookie" not in event["headers"]
    assert event["headers"]["content-type"] == "application/json"
    assert event["queryStringParameters"] == {"a": "1,2", "b": "x y"}
    assert (event["body"], event["isBase64Encoded"]) == ('{"n": 1}', False)
    assert "pathParameters" not in event and "stageVariables" not in event
    context = event["requestContext"]
    assert context["accountId"] == "000000000000" and context["apiId"] == api_id
    assert context["domainName"] == f"{api_id}.execute-api.localhost"
    assert context["domainPrefix"] == api_id
    assert context["http"] == {
        "method": "POST", "path": "/shop/cart", "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1", "userAgent": "tester/1",
    }  # fmt: skip
    assert (context["routeKey"], context["stage"]) == ("$default", "$default")
    assert isinstance(context["timeEpoch"], int) and context["time"].endswith("+0000")
    assert answer.headers["apigw-requestid"] == context["requestId"]

    # by the path form, and with a binary body
    answer = by_path(endpoint, api_id, "/bin", method="PUT", data=b"\x00\x01",
                     headers={"Content-Type": "application/octet-stream"})  # fmt: skip
    event = answer.json()
    assert event["rawPath"] == "/bin"
    assert (event["body"], event["isBase64Encoded"]) == (
        base64.b64encode(b"\x00\x01").decode(),
        True,
    )
    assert event["requestContext"]["domainName"] == f"{api_id}.execute-api.localhost"
    # a header sent on two lines reaches the function once, its values joined with commas
    connection = http.client.HTTPConnection("127.0.0.1", int(endpoint.rsplit(":", 1)[1]))
    connection.putrequest("GET", "/twice", skip_host=True)
    for name, value in (("Host", f"{api_id}.execute-api.localhost"), ("X-Twice", "a"),
                        ("X-Twice", "b")):  # fmt: skip
        connection.putheader(name, value)
    connection.endheaders()
    event = json.loads(connection.getresponse().read())
    connection.close()
    assert event["headers"]["x-twice"] == "a,b"
    # a bare value is a 200 application/json
    answer = by_host(endpoint, api_id, "/bare")
    assert (answer.status_code, answer.json()) == (200, {"bare": True})
    assert answer.headers["content-type"] == "application/json"


def test_routes_and_stages_pick_what_a_request_reaches(endpoint, lambda_client):
    arn = echo_function(lambda_client)
    api = apigw(endpoint)
    api_id = api.create_api(Name="r", ProtocolType="HTTP")["ApiId"]
    target = f"integrations/{integration(api, api_id, IntegrationUri=arn)}"
    for key in ("GET /items/{id}", "ANY /{proxy+}"):
        api.create_route(ApiId=api_id, RouteKey=key, Target=target)
    api.create_route(ApiId=api_id, RouteKey="GET /loose")  # no integration
    api.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True,
                     StageVariables={"color": "blue"})  # fmt: skip

    answer = by_host(endpoint, api_id, "/prod/items/a%20b")
    event = answer.json()
    assert event["routeKey"] == "GET /items/{id}"
    assert event["pathParameters"] == {"id": "a b"}
    assert event["rawPath"] == "/prod/items/a%20b"  # a named stage's segment stays, as on AWS
    assert event["requestContext"]["stage"] == "prod"
    assert event["stageVariables"] == {"color": "blue"}
    event = by_host(endpoint, api_id, "/prod/items/7/parts", method="DELETE").json()
    assert event["routeKey"] == "ANY /{proxy+}"
    assert event["pathParameters"] == {"proxy": "items/7/parts"}
    event = requests.get(f"{endpoint}/restapis/{api_id}/prod/_user_request_/items/3", timeout=30)
    assert event.json()["pathParameters"] == {"id": "3"}

    for path in ("/items/1", "/nostage/items/1"):  # no $default stage: nothing answers there
        answer = by_host(endpoint, api_id, path)
        assert (answer.status_code, answer.json()) == (404, {"message": "Not Found"}), path
        assert answer.headers["apigw-requestid"]
    assert by_host(endpoint, api_id, "/prod").status_code == 404  # {proxy+} takes a segment
    assert by_host(endpoint, api_id, "/prod/loose").status_code == 404

    # a stage without AutoDeploy serves its deployment until the next one
    api.create_stage(ApiId=api_id, StageName="$default")
    assert by_host(endpoint, api_id, "/items/1").status_code == 404  # not deployed yet
    api.create_deployment(ApiId=api_id, StageName="$default")
    assert by_host(endpoint, api_id, "/items/1").json()["requestContext"]["stage"] == "$default"
    api.create_route(ApiId=api_id, RouteKey="POST /new", Target=target)
    assert by_host(endpoint, api_id, "/new", method="POST").json()["routeKey"] == "ANY /{proxy+}"
    assert by_host(endpoint, api_id, "/prod/new", method="POST").json()["routeKey"] == "POST /new"


def test_payload_format_1_0_is_the_rest_proxy_event_and_needs_a_status_code(
    endpoint, lambda_client
):
    arn = echo_function(lambda_client)
    api = apigw(endpoint)
    api_id = api.create_api(Name="v1", ProtocolType="HTTP")["ApiId"]
    target = (
        f"integrations/{integration(api, api_id, IntegrationUri=arn, PayloadFormatVersion='1.0')}"
    )
    api.create_route(ApiId=api_id, RouteKey="GET /pets/{name}", Target=target)
    api.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True,
                     StageVariables={"v": "1"})  # fmt: skip
    # two lines of one header, as requests cannot send them
    port = int(endpoint.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.putrequest("GET", "/pets/rex?q=1&q=2", skip_host=True)
    for name, value in (("Host", f"{api_id}.execute-api.localhost"), ("X-Two", "a"),
                        ("X-Two", "b")):  # fmt: skip
        connection.putheader(name, value)
    connection.endheaders()
    answer = connection.getresponse()
    assert answer.status == 200
    event = json.loads(answer.read())
    connection.close()
    assert event["version"] == "1.0"
    assert (event["resource"], event["path"], event["httpMethod"]) == (
        "/pets/{name}",
        "/pets/rex",
        "GET",
    )
    assert event["headers"]["x-two"] == "b"  # the last, as REST APIs' proxy event has it
    assert event["multiValueHeaders"]["x-two"] == ["a", "b"]
    assert event["queryStringParameters"] == {"q": "2"}
    assert event["multiValueQueryStringParameters"] == {"q": ["1", "2"]}
    assert event["pathParameters"] == {"name": "rex"}
    assert event["stageVariables"] == {"v": "1"}
    assert (event["body"], event["isBase64Encoded"]) == (None, False)
    context = event["requestContext"]
    assert context["resourcePath"] == "/pets/{name}"
    assert context["resourceId"] == "GET /pets/{name}"
    assert (context["httpMethod"], context["stage"], context["path"]) == ("GET", "$default",
                                                                          "/pets/rex")  # fmt: skip
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert isinstance(context["requestTimeEpoch"], int)
    answer = by_host(endpoint, api_id, "/pets/bare")  # 1.0 infers no response from a bare value
    assert (answer.status_code, answer.json()) == (500, {"message": "Internal Server Error"})


def test_failures_are_the_gateways_own_answers(endpoint, lambda_client):
    arn = echo_function(lambda_client)
    api = apigw(endpoint)
    api_id = api.create_api(Name="f", ProtocolType="HTTP", Target=arn)["ApiId"]
    for path in ("/fail", "/garbled"):
        answer = by_host(endpoint, api_id, path)
        assert (answer.status_code, answer.json()) == (500, {"message": "Internal Server Error"})
    (found,) = api.get_integrations(ApiId=api_id)["Items"]
    api.update_integration(ApiId=api_id, IntegrationId=found["IntegrationId"], TimeoutInMillis=300)
    answer = by_host(endpoint, api_id, "/slow")
    assert (answer.status_code, answer.json()) == (503, {"message": "Service Unavailable"})
    lambda_client.delete_function(FunctionName="echo")
    answer = by_host(endpoint, api_id, "/anything")
    assert (answer.status_code, answer.json()) == (500, {"message": "Internal Server Error"})
    api.update_api(ApiId=api_id, DisableExecuteApiEndpoint=True)
    answer = by_host(endpoint, api_id, "/anything")
    assert (answer.status_code, answer.json()) == (403, {"message": "Forbidden"})
    api.delete_api(ApiId=api_id)
    assert by_host(endpoint, api_id, "/anything").status_code == 403  # no API: the edge's 403


def test_cors_preflights_are_answered_by_the_gateway_and_answers_get_its_headers(
    endpoint, lambda_client
):
    arn = echo_function(lambda_client)
    cors = {"AllowOrigins": ["https://app.example"], "AllowMethods": ["GET", "POST"],
            "AllowHeaders": ["x-token"], "ExposeHeaders": ["x-from"], "MaxAge": 300}  # fmt: skip
    api_id = apigw(endpoint).create_api(
        Name="c", ProtocolType="HTTP", Target=arn, RouteKey="GET /data", CorsConfiguration=cors
    )["ApiId"]
    answer = by_host(
        endpoint, api_id, "/data", method="OPTIONS",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"},
    )  # fmt: skip
    assert answer.status_code == 204 and answer.content == b""
    assert answer.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert answer.headers["Access-Control-Allow-Methods"] == "GET,POST"
    assert answer.headers["Access-Control-Allow-Headers"] == "x-token"
    assert answer.headers["Access-Control-Max-Age"] == "300"
    answer = by_host(endpoint, api_id, "/data", headers={"Origin": "https://app.example"})
    assert answer.status_code == 200 and json.loads(answer.text)["routeKey"] == "GET /data"
    assert answer.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert answer.headers["Access-Control-Expose-Headers"] == "x-from"
    answer = by_host(endpoint, api_id, "/data", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in answer.headers
