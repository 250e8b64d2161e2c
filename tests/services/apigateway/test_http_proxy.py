"""HTTP_PROXY integrations over plain HTTP: the request passed through to an endpoint (method,
path variables and stage variables in the URI, query string, headers, body), its answer passed
back; past timeoutInMillis a 504, an unreachable endpoint a 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from botocore.exceptions import ClientError

from tests.conftest import error_of
from tests.echo_backend import echo_backend
from tests.server import free_port
from tests.services.apigateway.conftest import add_method, root_of, stage_url


@pytest.fixture(scope="module")
def backend() -> Iterator[str]:
    with echo_backend(207, "echo", delay=1.0) as port:
        yield f"127.0.0.1:{port}"


def test_requests_pass_through_to_the_endpoint_and_back(apigw, endpoint, backend):
    api_id = apigw.create_rest_api(name="proxy")["id"]
    root = root_of(apigw, api_id)
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")["id"]
    add_method(
        apigw, api_id, proxy, "ANY",
        type="HTTP_PROXY", integrationHttpMethod="ANY",
        uri="http://${stageVariables.backend}/base/{proxy}", timeoutInMillis=300,
        requestParameters={
            "integration.request.path.proxy": "method.request.path.proxy",
            "integration.request.header.X-Stage": "'prod'",
        },
    )  # fmt: skip
    closed = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="closed")["id"]
    add_method(
        apigw, api_id, closed, "GET",
        type="HTTP_PROXY", integrationHttpMethod="GET", uri=f"http://127.0.0.1:{free_port()}/",
    )  # fmt: skip
    apigw.create_deployment(restApiId=api_id, stageName="prod", variables={"backend": backend})
    url = stage_url(endpoint, api_id, "prod")

    answer = requests.post(
        f"{url}/a/b?x=1&x=2", data="payload", headers={"X-Client": "c"}, timeout=30
    )
    assert answer.status_code == 207 and answer.headers["X-Backend"] == "echo"
    seen = answer.json()
    assert (seen["method"], seen["path"], seen["body"]) == ("POST", "/base/a/b?x=1&x=2", "payload")
    assert seen["headers"]["x-client"] == "c" and seen["headers"]["x-stage"] == "prod"
    assert seen["headers"]["x-forwarded-for"] == "127.0.0.1"
    assert seen["headers"]["host"] == backend

    slow = requests.get(f"{url}/slow", timeout=30)
    assert (slow.status_code, slow.json()) == (504, {"message": "Endpoint request timed out"})
    refused = requests.get(f"{url}/closed", timeout=30)
    assert (refused.status_code, refused.json()) == (500, {"message": "Internal server error"})


def test_http_integration_maps_request_and_response(apigw, endpoint, backend):
    """HTTP (non-proxy): the rendered template is the body, only mapped parameters pass on, the
    endpoint's status selects the integration response."""
    api_id = apigw.create_rest_api(name="mapped-http")["id"]
    root = root_of(apigw, api_id)
    add_method(
        apigw, api_id, root, "POST", type="HTTP", integrationHttpMethod="PUT",
        uri=f"http://{backend}/orders",
        requestParameters={"integration.request.querystring.who": "method.request.querystring.who",
                           "integration.request.header.X-Stage": "stageVariables.tier"},
        requestTemplates={"application/json": '{"wrapped": $input.json(\'$\')}'},
    )  # fmt: skip
    ids = {"restApiId": api_id, "resourceId": root, "httpMethod": "POST"}
    for status in ("200", "500"):
        apigw.put_method_response(**ids, statusCode=status)
    apigw.put_integration_response(
        **ids, statusCode="200", selectionPattern="2\\d\\d",
        responseTemplates={"application/json": '#set($b = $input.path(\'$\'))'
                           '{"method": "$b.method", "path": "$b.path", '
                           '"stage": "$b.headers.get(\'x-stage\')", "sent": $b.body}'},
        responseParameters={
            "method.response.header.X-From": "integration.response.header.X-Backend"
        },
    )  # fmt: skip
    apigw.put_integration_response(**ids, statusCode="500")  # the default
    apigw.create_deployment(restApiId=api_id, stageName="prod", variables={"tier": "gold"})
    answer = requests.post(
        f"{stage_url(endpoint, api_id, 'prod')}/?who=ann&other=1", json={"n": 1},
        headers={"X-Private": "not passed"}, timeout=30,
    )  # fmt: skip
    assert answer.status_code == 200, answer.text  # the endpoint's 207 matched 2\d\d
    assert answer.json() == {
        "method": "PUT", "path": "/orders?who=ann", "stage": "gold", "sent": {"wrapped": {"n": 1}},
    }  # fmt: skip
    assert answer.headers["X-From"] == "echo"


def test_tls_config_and_vpc_links(apigw, endpoint):
    """An https endpoint no CA vouches for fails (500) unless tlsConfig skips the check; VPC
    links are refused, never treated as the internet."""
    with echo_backend(200, "tls", tls=True) as port:
        api_id = apigw.create_rest_api(name="tls")["id"]
        root = root_of(apigw, api_id)
        checked = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="checked")["id"]
        trusting = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="trusting")
        uri = f"https://127.0.0.1:{port}/x"
        add_method(apigw, api_id, checked, "GET", type="HTTP_PROXY",
                   integrationHttpMethod="GET", uri=uri)  # fmt: skip
        add_method(apigw, api_id, trusting["id"], "GET", type="HTTP_PROXY",
                   integrationHttpMethod="GET", uri=uri,
                   tlsConfig={"insecureSkipVerification": True})  # fmt: skip
        got = apigw.get_integration(restApiId=api_id, resourceId=trusting["id"],
                                    httpMethod="GET")  # fmt: skip
        assert got["tlsConfig"] == {"insecureSkipVerification": True}
        apigw.create_deployment(restApiId=api_id, stageName="prod")
        url = stage_url(endpoint, api_id, "prod")
        assert requests.get(f"{url}/checked", timeout=30).status_code == 500
        answer = requests.get(f"{url}/trusting", timeout=30)
        assert (answer.status_code, answer.headers["X-Backend"]) == (200, "tls")
        # and switched back by UpdateIntegration's patch
        apigw.update_integration(
            restApiId=api_id, resourceId=trusting["id"], httpMethod="GET",
            patchOperations=[{"op": "replace", "path": "/tlsConfig/insecureSkipVerification",
                              "value": "false"}],
        )  # fmt: skip
        apigw.create_deployment(restApiId=api_id, stageName="prod")
        assert requests.get(f"{url}/trusting", timeout=30).status_code == 500

    for integration, words in (
        ({"connectionType": "VPC_LINK", "connectionId": "abc"}, "VPC links"),
        ({"connectionId": "abc"}, "VPC links"),
    ):
        with pytest.raises(ClientError) as error:
            apigw.put_integration(restApiId=api_id, resourceId=checked, httpMethod="GET",
                                  type="HTTP_PROXY", integrationHttpMethod="GET", uri=uri,
                                  **integration)  # fmt: skip
        code, status, message = error_of(error)
        assert (code, status) == ("BadRequestException", 400) and words in message, integration
