"""HTTP APIs' parameter mapping beyond HTTP proxies: RequestParameters mapping what a Lambda
integration's function sees, and ResponseParameters mapping the answer of Lambda and HTTP
integrations by its status code (headers appended, overwritten, removed; the status code
overwritten), through boto3 and plain HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.echo_backend import echo_backend
from tests.services.apigatewayv2.helpers import apigw, by_host, echo_function


@pytest.fixture
def backend() -> Iterator[str]:
    with echo_backend(201, "yes") as port:
        yield f"http://127.0.0.1:{port}"


def test_request_parameters_map_what_the_function_sees(endpoint, lambda_client):
    api = apigw(endpoint)
    arn = echo_function(lambda_client)
    api_id = api.create_api(Name="lm", ProtocolType="HTTP")["ApiId"]
    integration = api.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=arn, PayloadFormatVersion="2.0",
        RequestParameters={
            "append:header.x-user": "$request.querystring.user",
            "remove:header.x-drop": "''",
            "overwrite:querystring.user": "hidden",
            "overwrite:path": "/mapped/${request.path.id}",
        },
    )["IntegrationId"]  # fmt: skip
    api.create_route(ApiId=api_id, RouteKey="GET /items/{id}",
                     Target=f"integrations/{integration}")  # fmt: skip
    api.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    answer = by_host(endpoint, api_id, "/items/7?user=ann", headers={"X-Drop": "d"})
    assert answer.status_code == 200, answer.text
    event = answer.json()
    assert event["headers"]["x-user"] == "ann" and "x-drop" not in event["headers"]
    assert event["queryStringParameters"] == {"user": "hidden"}
    assert event["rawPath"] == "/mapped/7"
    assert event["pathParameters"] == {"id": "7"}  # the route's, as matched


def test_response_parameters_by_status_code(endpoint, lambda_client, backend):
    api = apigw(endpoint)
    arn = echo_function(lambda_client)
    api_id = api.create_api(Name="rm", ProtocolType="HTTP")["ApiId"]
    mapped = {
        "200": {
            "append:header.x-copied": "$response.header.x-from",
            "overwrite:header.content-type": "text/plain",
            "remove:header.x-from": "''",
            "append:header.x-route": "${context.routeKey} in ${stageVariables.color}",
            "append:header.x-version": "$response.body.version",
            "overwrite:statuscode": "202",
        },
        "404": {"overwrite:statuscode": "410"},  # not this answer's status: untouched
    }
    function = api.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=arn,
        PayloadFormatVersion="2.0", ResponseParameters=mapped,
    )["IntegrationId"]  # fmt: skip
    assert api.get_integration(ApiId=api_id, IntegrationId=function)["ResponseParameters"] == mapped
    proxy = api.create_integration(
        ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="GET",
        IntegrationUri=backend, PayloadFormatVersion="1.0",
        ResponseParameters={"201": {"overwrite:header.x-backend": "mapped",
                                    "overwrite:statuscode": "200"}},
    )["IntegrationId"]  # fmt: skip
    api.create_route(ApiId=api_id, RouteKey="GET /fn", Target=f"integrations/{function}")
    api.create_route(ApiId=api_id, RouteKey="GET /http", Target=f"integrations/{proxy}")
    api.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True,
                     StageVariables={"color": "blue"})  # fmt: skip

    answer = by_host(endpoint, api_id, "/fn")
    assert answer.status_code == 202
    assert answer.headers["x-copied"] == "fn" and "x-from" not in answer.headers
    assert answer.headers["content-type"] == "text/plain"
    assert answer.headers["x-route"] == "GET /fn in blue"
    assert answer.headers["x-version"] == "2.0"  # the event's, echoed as the body
    proxied = by_host(endpoint, api_id, "/http")
    assert (proxied.status_code, proxied.headers["x-backend"]) == (200, "mapped")

    api.update_integration(ApiId=api_id, IntegrationId=function, ResponseParameters={})
    assert "ResponseParameters" not in api.get_integration(ApiId=api_id, IntegrationId=function)
    assert by_host(endpoint, api_id, "/fn").status_code == 200
