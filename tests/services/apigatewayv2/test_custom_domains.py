"""Custom domain names, shared by both API Gateway APIs: their control planes through boto3
(apigateway's base path mappings, apigatewayv2's API mappings, AWS's errors and the
combinations AWS refuses), and the data plane through plain HTTP: a request whose Host is the
domain reaches the API and stage its longest matching mapping names, the event showing the
path as sent and the domain."""

from __future__ import annotations

import http.client
import json
import socket

import pytest
import requests
from botocore.exceptions import ClientError
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.conftest import ENGINES, client, own_server
from tests.services.apigateway.conftest import add_method, lambda_uri, root_of
from tests.services.apigatewayv2.helpers import apigw, echo_function
from tests.services.apigatewayv2.test_resources import integration
from tests.services.apigatewayv2.test_websocket import _api, _events

CERT = "arn:aws:acm:us-east-1:000000000000:certificate/1234"
REGIONAL = {"types": ["REGIONAL"]}


def error(call, **params) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as raised:
        call(**params)
    answer = raised.value.response
    return (
        answer["Error"]["Code"],
        answer["Error"]["Message"],
        answer["ResponseMetadata"]["HTTPStatusCode"],
    )


def on_domain(endpoint: str, domain: str, path: str, method: str = "GET", **kwargs):
    """A request to Lamina's port with the custom domain as its Host (curl --resolve's way)."""
    headers = {"Host": domain, **kwargs.pop("headers", {})}
    return requests.request(method, endpoint + path, headers=headers, timeout=60, **kwargs)


def http_api(endpoint: str, lambda_client, stage: str = "prod") -> str:
    api = apigw(endpoint)
    api_id = api.create_api(Name="orders", ProtocolType="HTTP")["ApiId"]
    target = f"integrations/{integration(api, api_id, IntegrationUri=echo_function(lambda_client))}"
    api.create_route(ApiId=api_id, RouteKey="ANY /{proxy+}", Target=target)
    api.create_stage(ApiId=api_id, StageName=stage, AutoDeploy=True)
    return api_id


def rest_api(endpoint: str, function_arn: str, stage: str = "live") -> str:
    rest = client("apigateway", endpoint)
    api_id = rest.create_rest_api(name="shop")["id"]
    proxy = rest.create_resource(
        restApiId=api_id, parentId=root_of(rest, api_id), pathPart="{proxy+}"
    )["id"]
    add_method(rest, api_id, proxy, "ANY", type="AWS_PROXY", integrationHttpMethod="POST",
               uri=lambda_uri(function_arn))  # fmt: skip
    rest.create_deployment(restApiId=api_id, stageName=stage)
    return api_id


def test_domain_names_and_base_path_mappings_of_rest_apis(endpoint, lambda_client):
    rest = client("apigateway", endpoint)
    made = rest.create_domain_name(
        domainName="api.example.com", regionalCertificateArn=CERT, endpointConfiguration=REGIONAL
    )
    target = made["regionalDomainName"]
    assert target.startswith("d-") and target.endswith(".execute-api.localhost")
    assert made["regionalCertificateArn"] == CERT and made["domainNameStatus"] == "AVAILABLE"
    assert made["endpointConfiguration"]["types"] == ["REGIONAL"]
    assert "distributionDomainName" not in made
    got = rest.get_domain_name(domainName="api.example.com")
    assert got["regionalDomainName"] == target
    assert [d["domainName"] for d in rest.get_domain_names()["items"]] == ["api.example.com"]
    edge = rest.create_domain_name(domainName="edge.example.com", certificateArn=CERT)
    assert edge["distributionDomainName"].endswith(".execute-api.localhost")
    assert edge["distributionHostedZoneId"] == "Z2FDTNDATAQYW2"

    assert error(rest.create_domain_name, domainName="API.example.com") == (
        "BadRequestException", "The domain name you provided already exists.", 400)  # fmt: skip
    assert error(rest.get_domain_name, domainName="nope.example.com") == (
        "NotFoundException", "Invalid domain name identifier specified", 404)  # fmt: skip
    for taken in ("localhost", "sqs.localhost", "127.0.0.1"):
        assert error(rest.create_domain_name, domainName=taken)[0] == "BadRequestException"
    assert error(rest.create_domain_name, domainName="x.example.com",
                 certificateBody="PEM")[0] == "BadRequestException"  # fmt: skip

    api_id = rest_api(endpoint, echo_function(lambda_client))
    root = rest.create_base_path_mapping(
        domainName="api.example.com", restApiId=api_id, stage="live"
    )
    assert root == {"basePath": "(none)", "restApiId": api_id, "stage": "live",
                    "ResponseMetadata": root["ResponseMetadata"]}  # fmt: skip
    rest.create_base_path_mapping(domainName="api.example.com", restApiId=api_id, basePath="shop")
    listed = rest.get_base_path_mappings(domainName="api.example.com")["items"]
    assert [(m["basePath"], m.get("stage")) for m in listed] == [("(none)", "live"), ("shop", None)]
    assert (
        rest.get_base_path_mapping(domainName="api.example.com", basePath="(none)")["stage"]
        == "live"
    )
    assert error(rest.create_base_path_mapping, domainName="api.example.com", restApiId=api_id,
                 basePath="shop") == (
        "ConflictException", "Base path already exists for this domain name", 409)  # fmt: skip
    assert error(rest.create_base_path_mapping, domainName="api.example.com",
                 restApiId="abcde12345", basePath="x") == (
        "BadRequestException", "Invalid REST API identifier specified", 400)  # fmt: skip
    assert error(rest.create_base_path_mapping, domainName="api.example.com", restApiId=api_id,
                 basePath="x", stage="nope") == (
        "BadRequestException", "Invalid stage identifier specified", 400)  # fmt: skip
    assert error(rest.get_base_path_mapping, domainName="api.example.com", basePath="nope") == (
        "NotFoundException", "Invalid base path mapping identifier specified", 404)  # fmt: skip
    updated = rest.update_base_path_mapping(
        domainName="api.example.com", basePath="shop",
        patchOperations=[{"op": "replace", "path": "/basePath", "value": "store"},
                         {"op": "replace", "path": "/stage", "value": "live"}],
    )  # fmt: skip
    assert (updated["basePath"], updated["stage"]) == ("store", "live")
    rest.delete_base_path_mapping(domainName="api.example.com", basePath="store")
    assert len(rest.get_base_path_mappings(domainName="api.example.com")["items"]) == 1

    # apigatewayv2 shows the same domain and mapping
    v2 = apigw(endpoint)
    shown = v2.get_domain_name(DomainName="api.example.com")
    assert shown["DomainNameConfigurations"][0]["ApiGatewayDomainName"] == target
    assert shown["DomainNameConfigurations"][0]["CertificateArn"] == CERT
    mappings = v2.get_api_mappings(DomainName="api.example.com")["Items"]
    assert [(m["ApiId"], m["ApiMappingKey"], m["Stage"]) for m in mappings] == [
        (api_id, "", "live")
    ]

    rest.delete_domain_name(domainName="api.example.com")
    assert (
        error(rest.get_base_path_mappings, domainName="api.example.com")[0] == "NotFoundException"
    )


def test_api_mappings_and_what_aws_refuses(endpoint, lambda_client):
    v2 = apigw(endpoint)
    made = v2.create_domain_name(
        DomainName="api.example.com", DomainNameConfigurations=[{"CertificateArn": CERT}]
    )
    configuration = made["DomainNameConfigurations"][0]
    assert configuration["EndpointType"] == "REGIONAL" and configuration["CertificateArn"] == CERT
    assert configuration["ApiGatewayDomainName"].endswith(".execute-api.localhost")
    assert made["ApiMappingSelectionExpression"] == "$request.basepath"
    assert error(v2.create_domain_name, DomainName="api.example.com") == (
        "ConflictException", "The domain name you provided already exists.", 409)  # fmt: skip
    assert error(v2.get_domain_name, DomainName="nope.example.com") == (
        "NotFoundException", "The domain name resource specified in the request was not found.",
        404)  # fmt: skip

    api_id = http_api(endpoint, lambda_client)
    mapping = v2.create_api_mapping(
        DomainName="api.example.com", ApiId=api_id, Stage="prod", ApiMappingKey="v1/orders"
    )
    assert (mapping["ApiId"], mapping["ApiMappingKey"], mapping["Stage"]) == (
        api_id, "v1/orders", "prod")  # fmt: skip
    got = v2.get_api_mapping(DomainName="api.example.com", ApiMappingId=mapping["ApiMappingId"])
    assert got["ApiMappingKey"] == "v1/orders"
    assert error(v2.create_api_mapping, DomainName="api.example.com", ApiId=api_id,
                 Stage="prod", ApiMappingKey="v1/orders") == (
        "ConflictException", "ApiMapping key already exists for this domain name", 409)  # fmt: skip
    assert error(v2.create_api_mapping, DomainName="api.example.com", ApiId=api_id,
                 Stage="nope") == (
        "BadRequestException", "Invalid stage identifier specified", 400)  # fmt: skip
    code, message, _ = error(v2.create_api_mapping, DomainName="api.example.com", ApiId=api_id,
                             Stage="prod", ApiMappingKey="a~b")  # fmt: skip
    assert (code, message) == ("BadRequestException",
                               "An ApiMapping key may contain only letters, numbers and one of "
                               "$-_.+!*'(),")  # fmt: skip
    assert error(v2.get_api_mapping, DomainName="api.example.com", ApiMappingId="zzzzzz") == (
        "NotFoundException", "The api mapping resource specified in the request was not found.",
        404)  # fmt: skip
    # a WebSocket API cannot share a domain with HTTP or REST APIs
    ws = v2.create_api(Name="ws", ProtocolType="WEBSOCKET",
                       RouteSelectionExpression="$request.body.action")["ApiId"]  # fmt: skip
    v2.create_stage(ApiId=ws, StageName="live")
    assert error(v2.create_api_mapping, DomainName="api.example.com", ApiId=ws, Stage="live",
                 ApiMappingKey="chat")[0] == "BadRequestException"  # fmt: skip
    # HTTP APIs need a REGIONAL domain
    v2.create_domain_name(DomainName="edge.example.com",
                          DomainNameConfigurations=[{"EndpointType": "EDGE"}])  # fmt: skip
    assert error(v2.create_api_mapping, DomainName="edge.example.com", ApiId=api_id,
                 Stage="prod")[0] == "BadRequestException"  # fmt: skip
    # the mapping moves to another key
    moved = v2.update_api_mapping(
        DomainName="api.example.com", ApiId=api_id, ApiMappingId=mapping["ApiMappingId"],
        ApiMappingKey="v2",
    )  # fmt: skip
    assert moved["ApiMappingKey"] == "v2"
    v2.delete_api_mapping(DomainName="api.example.com", ApiMappingId=mapping["ApiMappingId"])
    assert v2.get_api_mappings(DomainName="api.example.com")["Items"] == []
    v2.delete_domain_name(DomainName="edge.example.com")
    assert [d["DomainName"] for d in v2.get_domain_names()["Items"]] == ["api.example.com"]


def test_a_custom_domain_routes_by_its_longest_mapping(endpoint, lambda_client):
    orders = http_api(endpoint, lambda_client)
    fn = "arn:aws:lambda:us-east-1:000000000000:function:echo"
    shop = rest_api(endpoint, fn)
    v2 = apigw(endpoint)
    made = v2.create_domain_name(DomainName="api.example.com")
    target = made["DomainNameConfigurations"][0]["ApiGatewayDomainName"]
    v2.create_api_mapping(DomainName="api.example.com", ApiId=orders, Stage="prod",
                          ApiMappingKey="v1/orders")  # fmt: skip
    v2.create_api_mapping(DomainName="api.example.com", ApiId=shop, Stage="live",
                          ApiMappingKey="v1")  # fmt: skip

    # the HTTP API at v1/orders: routes see the rest; rawPath keeps the key, as on AWS
    answer = on_domain(endpoint, "api.example.com:4566", "/v1/orders/7?x=1")
    assert answer.status_code == 200, answer.text
    event = answer.json()
    assert event["rawPath"] == "/v1/orders/7" and event["pathParameters"] == {"proxy": "7"}
    context = event["requestContext"]
    assert (context["domainName"], context["domainPrefix"]) == ("api.example.com", "api")
    assert (context["apiId"], context["stage"]) == (orders, "prod")

    # the REST API at v1 (the shorter key): its resources see the rest
    event = on_domain(endpoint, "api.example.com", "/v1/cart/3").json()
    assert event["resource"] == "/{proxy+}" and event["pathParameters"] == {"proxy": "cart/3"}
    assert event["path"] == "/v1/cart/3"
    context = event["requestContext"]
    assert (context["path"], context["stage"]) == ("/v1/cart/3", "live")
    assert (context["domainName"], context["domainPrefix"]) == ("api.example.com", "api")

    # a key matches whole segments only; no root mapping: API Gateway's Forbidden
    answer = on_domain(endpoint, "api.example.com", "/v1x/orders")
    assert (answer.status_code, answer.json()) == (403, {"message": "Forbidden"})
    # the domain's target hostname reaches the same mappings, by plain http.client
    connection = http.client.HTTPConnection("127.0.0.1", int(endpoint.rsplit(":", 1)[1]))
    connection.request("GET", "/v1/orders/8", headers={"Host": target})
    reply = connection.getresponse()
    body = reply.read()
    connection.close()
    assert reply.status == 200, body
    assert b'"rawPath":"/v1/orders/8"' in body.replace(b" ", b"")

    # a REST API mapped without a stage takes it from the path; the root mapping takes the rest
    rest = client("apigateway", endpoint)
    rest.create_base_path_mapping(domainName="api.example.com", restApiId=shop)
    event = on_domain(endpoint, "api.example.com", "/live/any/thing").json()
    assert event["pathParameters"] == {"proxy": "any/thing"}
    assert event["requestContext"]["stage"] == "live" and event["path"] == "/live/any/thing"

    # the execute-api endpoint of an API that disables it still answers on its domain
    v2.update_api(ApiId=orders, DisableExecuteApiEndpoint=True)
    assert on_domain(endpoint, "api.example.com", "/v1/orders/9").status_code == 200
    hidden = requests.get(f"{endpoint}/prod/x", headers={"Host": f"{orders}.execute-api.localhost"},
                          timeout=60)  # fmt: skip
    assert hidden.status_code == 403
    # AWS API calls keep working beside them, and a deleted domain no longer routes
    v2.delete_domain_name(DomainName="api.example.com")
    answer = on_domain(endpoint, "api.example.com", "/v1/orders/7")
    assert answer.status_code != 200


def test_a_rest_api_that_disables_its_default_endpoint_answers_only_on_its_domain(
    endpoint, lambda_client
):
    rest = client("apigateway", endpoint)
    shop = rest_api(endpoint, echo_function(lambda_client))
    rest.create_domain_name(domainName="shop.example.com", regionalCertificateArn=CERT,
                            endpointConfiguration=REGIONAL)  # fmt: skip
    rest.create_base_path_mapping(domainName="shop.example.com", restApiId=shop, stage="live")
    default = f"{endpoint}/_aws/execute-api/{shop}/live/items"
    by_host = {"Host": f"{shop}.execute-api.localhost"}

    updated = rest.update_rest_api(
        restApiId=shop,
        patchOperations=[{"op": "replace", "path": "/disableExecuteApiEndpoint", "value": "True"}],
    )
    assert updated["disableExecuteApiEndpoint"] is True
    assert rest.get_rest_api(restApiId=shop)["disableExecuteApiEndpoint"] is True
    # it takes effect with the next deployment, as AWS documents
    assert requests.get(default, timeout=60).status_code == 200
    rest.create_deployment(restApiId=shop, stageName="live")
    for answer in (
        requests.get(default, timeout=60),
        requests.get(f"{endpoint}/live/items", headers=by_host, timeout=60),
    ):
        assert (answer.status_code, answer.json()) == (403, {"message": "Forbidden"})
    assert on_domain(endpoint, "shop.example.com", "/items").json()["path"] == "/items"

    assert error(rest.update_rest_api, restApiId=shop, patchOperations=[
        {"op": "replace", "path": "/disableExecuteApiEndpoint", "value": "maybe"}],
    )[::2] == ("BadRequestException", 400)  # fmt: skip
    rest.update_rest_api(restApiId=shop, patchOperations=[
        {"op": "replace", "path": "/disableExecuteApiEndpoint", "value": "false"}])  # fmt: skip
    rest.create_deployment(restApiId=shop, stageName="live")
    assert requests.get(default, timeout=60).status_code == 200
    made = rest.create_rest_api(name="hidden", disableExecuteApiEndpoint=True)
    assert made["disableExecuteApiEndpoint"] is True


def test_a_websocket_api_answers_on_its_domain(endpoint, lambda_client):
    api_id, queue = _api(endpoint, lambda_client)
    v2 = apigw(endpoint)
    v2.create_domain_name(DomainName="chat.example.com")
    v2.create_api_mapping(DomainName="chat.example.com", ApiId=api_id, Stage="dev",
                          ApiMappingKey="rooms")  # fmt: skip
    port = int(endpoint.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port))  # the domain resolved to Lamina
    with connect(f"ws://chat.example.com:{port}/rooms", sock=sock, open_timeout=60) as ws:
        (event,) = _events(endpoint, queue, 1)
        context = event["requestContext"]
        assert (context["apiId"], context["stage"]) == (api_id, "dev")
        assert context["domainName"] == "chat.example.com"
        ws.send(json.dumps({"action": "shout", "text": "hi"}))
        assert ws.recv(timeout=60) == "HI"
    # a path no mapping serves is refused at the upgrade
    with pytest.raises(InvalidStatus):
        connect(f"ws://chat.example.com:{port}/lobby",
                sock=socket.create_connection(("127.0.0.1", port)), open_timeout=60)  # fmt: skip


@pytest.mark.parametrize("engine", ENGINES)
def test_domains_and_mappings_survive_a_sigkill_and_restart(tmp_path, engine: str):
    with own_server(tmp_path / "data", engine, "lamina_domains_durability") as lamina:
        functions = client("lambda", lamina.url)
        orders = http_api(lamina.url, functions)
        v2 = apigw(lamina.url)
        v2.create_domain_name(DomainName="api.example.com",
                              DomainNameConfigurations=[{"CertificateArn": CERT}])  # fmt: skip
        v2.create_api_mapping(DomainName="api.example.com", ApiId=orders, Stage="prod",
                              ApiMappingKey="orders")  # fmt: skip
        before = (v2.get_domain_name(DomainName="api.example.com"),
                  v2.get_api_mappings(DomainName="api.example.com")["Items"])  # fmt: skip
        assert on_domain(lamina.url, "api.example.com", "/orders/1").status_code == 200

        lamina.kill()
        lamina.start()

        v2 = apigw(lamina.url)
        after = (v2.get_domain_name(DomainName="api.example.com"),
                 v2.get_api_mappings(DomainName="api.example.com")["Items"])  # fmt: skip
        for answer in (before[0], after[0]):
            answer.pop("ResponseMetadata")
        assert after == before
        event = on_domain(lamina.url, "api.example.com", "/orders/2").json()
        assert event["rawPath"] == "/orders/2" and event["requestContext"]["stage"] == "prod"
