"""HTTP_PROXY integrations: the request passed on to a URL (path variables in the URI, the
whole path behind `$default`, the query string, headers, body) and the answer passed back;
an endpoint that does not answer in time is 503, one that cannot be reached 500."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of
from tests.echo_backend import echo_backend
from tests.services.apigatewayv2.helpers import apigw, by_host


@pytest.fixture
def backend() -> Iterator[str]:
    with echo_backend(201, "yes", delay=1.5) as port:
        yield f"http://127.0.0.1:{port}"


def test_requests_are_passed_on_and_answers_passed_back(endpoint, backend):
    api = apigw(endpoint)
    api_id = api.create_api(Name="p", ProtocolType="HTTP", Target=backend)["ApiId"]  # $default
    answer = by_host(endpoint, api_id, "/store/checkout?x=1&x=2", method="POST",
                     data=b"hi", headers={"X-Mine": "m"})  # fmt: skip
    assert answer.status_code == 201 and answer.headers["X-Backend"] == "yes"
    assert answer.headers["apigw-requestid"]
    seen = answer.json()
    assert (seen["method"], seen["path"], seen["body"]) == ("POST", "/store/checkout?x=1&x=2", "hi")
    assert seen["headers"]["x-mine"] == "m"
    assert seen["headers"]["host"] == backend.split("//")[1]
    assert seen["headers"]["x-forwarded-for"] == "127.0.0.1"

    integration_id = api.create_integration(
        ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="GET",
        IntegrationUri=f"{backend}/pets/extended/{{proxy}}",
    )["IntegrationId"]  # fmt: skip
    api.create_route(ApiId=api_id, RouteKey="ANY /pets/{proxy+}",
                     Target=f"integrations/{integration_id}")  # fmt: skip
    seen = by_host(endpoint, api_id, "/pets/dogs/7", method="PUT").json()
    assert (seen["method"], seen["path"]) == ("GET", "/pets/extended/dogs/7")


def test_an_endpoint_too_slow_or_not_there_is_the_gateways_answer(endpoint, backend):
    api = apigw(endpoint)
    api_id = api.create_api(Name="p", ProtocolType="HTTP", Target=backend)["ApiId"]
    (found,) = api.get_integrations(ApiId=api_id)["Items"]
    api.update_integration(ApiId=api_id, IntegrationId=found["IntegrationId"], TimeoutInMillis=300)
    answer = by_host(endpoint, api_id, "/slow")
    assert (answer.status_code, answer.json()) == (503, {"message": "Service Unavailable"})
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    api.update_integration(ApiId=api_id, IntegrationId=found["IntegrationId"],
                           IntegrationUri=f"http://127.0.0.1:{port}")  # fmt: skip
    answer = by_host(endpoint, api_id, "/x")
    assert (answer.status_code, answer.json()) == (500, {"message": "Internal Server Error"})


def test_request_parameters_map_headers_query_and_path_before_passing_on(endpoint, backend):
    api = apigw(endpoint)
    api_id = api.create_api(Name="m", ProtocolType="HTTP")["ApiId"]
    mapping = {
        "append:header.x-user": "$request.querystring.user",
        "overwrite:header.x-mine": "was ${request.header.x-mine} on ${request.path.id}",
        "remove:header.x-drop": "''",
        "overwrite:header.x-stage": "$stageVariables.color",
        "overwrite:header.x-api": "$context.apiId",
        "append:querystring.added": "static",
        "overwrite:querystring.user": "${request.path}",
        "remove:querystring.gone": "''",
        "overwrite:path": "/rewritten/${request.path.id}",
        "overwrite:header.x-order": "$request.body.order.id",
    }
    integration_id = api.create_integration(
        ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="GET",
        IntegrationUri=backend + "/orig", PayloadFormatVersion="1.0", RequestParameters=mapping,
    )["IntegrationId"]  # fmt: skip
    got = api.get_integration(ApiId=api_id, IntegrationId=integration_id)
    assert got["RequestParameters"] == mapping
    api.create_route(ApiId=api_id, RouteKey="GET /items/{id}",
                     Target=f"integrations/{integration_id}")  # fmt: skip
    api.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True,
                     StageVariables={"color": "blue"})  # fmt: skip

    answer = by_host(endpoint, api_id, "/items/7?user=ann&gone=1&keep=k",
                     headers={"X-Mine": "m", "X-Drop": "d"},
                     json={"order": {"id": "o-9"}})  # fmt: skip
    assert answer.status_code == 201, answer.text
    seen = answer.json()
    assert seen["path"] == "/rewritten/7?keep=k&added=static&user=%2Fitems%2F7"
    headers = seen["headers"]
    assert headers["x-user"] == "ann" and headers["x-mine"] == "was m on 7"
    assert "x-drop" not in headers
    assert (headers["x-stage"], headers["x-api"]) == ("blue", api_id)
    assert headers["x-order"] == "o-9"  # a member of the JSON body

    for wrong, words in (
        ({"rename:header.a": "b"}, "Invalid mapping expression"),
        ({"overwrite:header.host": "b"}, "reserved"),
        ({"overwrite:header.a": "${request.nothing}"}, "Invalid mapping expression"),
    ):
        with pytest.raises(ClientError) as excinfo:
            api.update_integration(ApiId=api_id, IntegrationId=integration_id,
                                   RequestParameters=wrong)  # fmt: skip
        code, status, message = error_of(excinfo)
        assert (code, status) == ("BadRequestException", 400) and words in message, wrong
