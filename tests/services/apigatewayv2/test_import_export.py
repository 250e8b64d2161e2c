"""HTTP APIs from OpenAPI 3.0 documents: ImportApi (routes, Lambda and HTTP integrations,
authorizers, CORS, the $default route, base paths, warnings), ReimportApi replacing an API's
routes, ExportApi (JSON and YAML, with and without extensions, the API's latest routes or a
stage's deployment) and what each refuses, changing nothing."""

from __future__ import annotations

import json

import pytest
import yaml
from botocore.exceptions import ClientError

from tests.conftest import error_of, make_zip
from tests.services.apigatewayv2.helpers import (
    ARN,
    apigw,
    by_host,
    create_api_function,
    echo_function,
)

INVOCATIONS = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{}/invocations"

# Allows the token "allow", denies any other.
AUTHORIZER = """
def handler(event, context):
    return {"isAuthorized": event["identitySource"][0] == "allow", "context": {"who": "tester"}}
"""


def lambda_integration(arn: str, version: str = "2.0") -> dict:
    return {"type": "aws_proxy", "httpMethod": "POST", "uri": INVOCATIONS.format(arn),
            "payloadFormatVersion": version, "connectionType": "INTERNET"}  # fmt: skip


def shop(arn: str) -> dict:
    """A document with a route of each kind: a method, ANY on a greedy path, the $default
    route, one of payload format 1.0, one to an HTTP backend, one with a Lambda authorizer."""
    return {
        "openapi": "3.0.1",
        "info": {"title": "shop", "version": "v1", "description": "a shop"},
        "paths": {
            "/items/{id}": {
                "get": {
                    "operationId": "getItem",
                    "responses": {"200": {"description": "ok"}},
                    "x-amazon-apigateway-integration": lambda_integration(arn),
                },
                "delete": {"x-amazon-apigateway-integration": lambda_integration(arn, "1.0")},
            },
            "/files/{proxy+}": {
                "x-amazon-apigateway-any-method": {
                    "x-amazon-apigateway-integration": lambda_integration(arn)
                }
            },
            "/guarded": {
                "get": {
                    "security": [{"gate": []}],
                    "x-amazon-apigateway-integration": lambda_integration(arn),
                }
            },
            "/upstream": {
                "post": {
                    "x-amazon-apigateway-integration": {
                        "type": "http_proxy",
                        "httpMethod": "ANY",
                        "uri": "https://example.com/upstream",
                        "payloadFormatVersion": "1.0",
                        "timeoutInMillis": 5000,
                    }
                }
            },
            "/$default": {
                "x-amazon-apigateway-any-method": {
                    "isDefaultRoute": True,
                    "x-amazon-apigateway-integration": lambda_integration(arn),
                }
            },
        },
        "components": {
            "securitySchemes": {
                "gate": {
                    "type": "apiKey",
                    "name": "Authorization",
                    "in": "header",
                    "x-amazon-apigateway-authorizer": {
                        "type": "request",
                        "identitySource": "$request.header.Authorization",
                        "authorizerUri": INVOCATIONS.format(f"{ARN}:gate"),
                        "authorizerPayloadFormatVersion": "2.0",
                        "enableSimpleResponses": True,
                        "authorizerResultTtlInSeconds": 0,
                    },
                },
                "tokens": {
                    "type": "oauth2",
                    "flows": {},
                    "x-amazon-apigateway-authorizer": {
                        "type": "jwt",
                        "identitySource": "$request.header.Authorization",
                        "jwtConfiguration": {
                            "issuer": "https://issuer.example.com",
                            "audience": ["shop"],
                        },
                    },
                },
            }
        },
        "x-amazon-apigateway-cors": {
            "allowOrigins": ["https://www.example.com"],
            "allowMethods": ["GET", "POST"],
            "allowCredentials": True,
            "maxAge": 600,
            "allowHeaders": ["content-type"],
        },
        "x-amazon-apigateway-importexport-version": "1.0",
    }


def routes_of(api, api_id: str) -> dict[str, dict]:
    return {r["RouteKey"]: r for r in api.get_routes(ApiId=api_id)["Items"]}


def integrations_of(api, api_id: str) -> dict[str, dict]:
    return {i["IntegrationId"]: i for i in api.get_integrations(ApiId=api_id)["Items"]}


def counts(api) -> tuple[int, ...]:
    """How many APIs there are, and routes, integrations and authorizers across them."""
    ids = [a["ApiId"] for a in api.get_apis()["Items"]]
    return (
        len(ids),
        sum(len(api.get_routes(ApiId=i)["Items"]) for i in ids),
        sum(len(api.get_integrations(ApiId=i)["Items"]) for i in ids),
        sum(len(api.get_authorizers(ApiId=i)["Items"]) for i in ids),
    )


def test_import_makes_the_documented_api_and_it_answers_over_http(endpoint, lambda_client):
    arn = echo_function(lambda_client)
    create_api_function(
        lambda_client, "gate", Code={"ZipFile": make_zip({"handler.py": AUTHORIZER})}
    )
    api = apigw(endpoint)
    made = api.import_api(Body=json.dumps(shop(arn)))
    api_id = made["ApiId"]
    assert (made["Name"], made["Description"], made["Version"]) == ("shop", "a shop", "v1")
    assert made["ProtocolType"] == "HTTP"
    assert "Warnings" not in made, made.get("Warnings")
    assert made["CorsConfiguration"] == {
        "AllowOrigins": ["https://www.example.com"], "AllowMethods": ["GET", "POST"],
        "AllowCredentials": True, "MaxAge": 600, "AllowHeaders": ["content-type"],
    }  # fmt: skip
    assert api.get_api(ApiId=api_id)["CorsConfiguration"]["MaxAge"] == 600

    routes = routes_of(api, api_id)
    assert set(routes) == {"GET /items/{id}", "DELETE /items/{id}", "ANY /files/{proxy+}",
                           "GET /guarded", "POST /upstream", "$default"}  # fmt: skip
    assert routes["GET /items/{id}"]["OperationName"] == "getItem"
    integrations = integrations_of(api, api_id)
    by_route = {k: integrations[r["Target"].split("/")[1]] for k, r in routes.items()}
    assert by_route["GET /items/{id}"]["PayloadFormatVersion"] == "2.0"
    assert by_route["DELETE /items/{id}"]["PayloadFormatVersion"] == "1.0"
    assert by_route["GET /items/{id}"]["IntegrationUri"] == INVOCATIONS.format(arn)
    upstream = by_route["POST /upstream"]
    assert (upstream["IntegrationType"], upstream["IntegrationMethod"]) == ("HTTP_PROXY", "ANY")
    assert (upstream["IntegrationUri"], upstream["TimeoutInMillis"]) == (
        "https://example.com/upstream",
        5000,
    )
    authorizers = {a["Name"]: a for a in api.get_authorizers(ApiId=api_id)["Items"]}
    gate, tokens = authorizers["gate"], authorizers["tokens"]
    assert (gate["AuthorizerType"], gate["AuthorizerPayloadFormatVersion"]) == ("REQUEST", "2.0")
    assert gate["EnableSimpleResponses"] is True
    assert gate["IdentitySource"] == ["$request.header.Authorization"]
    assert tokens["AuthorizerType"] == "JWT"
    assert tokens["JwtConfiguration"] == {
        "Issuer": "https://issuer.example.com",
        "Audience": ["shop"],
    }
    guarded = routes["GET /guarded"]
    assert (guarded["AuthorizationType"], guarded["AuthorizerId"]) == (
        "CUSTOM",
        gate["AuthorizerId"],
    )
    assert routes["GET /items/{id}"]["AuthorizationType"] == "NONE"

    # ImportApi makes no stage; a $default AutoDeploy stage serves the routes
    assert api.get_stages(ApiId=api_id)["Items"] == []
    api.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    event = by_host(endpoint, api_id, "/items/42").json()
    assert (event["version"], event["routeKey"]) == ("2.0", "GET /items/{id}")
    assert event["pathParameters"] == {"id": "42"}
    event = by_host(endpoint, api_id, "/items/42", method="DELETE").json()
    assert (event["version"], event["httpMethod"]) == ("1.0", "DELETE")
    event = by_host(endpoint, api_id, "/files/a/b.txt", method="PUT").json()
    assert event["pathParameters"] == {"proxy": "a/b.txt"}
    assert by_host(endpoint, api_id, "/nowhere").json()["routeKey"] == "$default"
    assert by_host(endpoint, api_id, "/guarded").status_code == 401  # no identity source
    refused = by_host(endpoint, api_id, "/guarded", headers={"Authorization": "no"})
    assert refused.status_code == 403
    allowed = by_host(endpoint, api_id, "/guarded", headers={"Authorization": "allow"})
    assert allowed.status_code == 200
    assert allowed.json()["requestContext"]["authorizer"]["lambda"] == {"who": "tester"}
    # the CORS configuration answers preflights
    preflight = by_host(endpoint, api_id, "/items/1", method="OPTIONS", headers={
        "Origin": "https://www.example.com", "Access-Control-Request-Method": "GET"})  # fmt: skip
    assert preflight.headers["access-control-allow-origin"] == "https://www.example.com"


def test_import_reads_yaml_base_paths_jwt_scopes_and_iam(endpoint):
    api = apigw(endpoint)
    body = f"""
openapi: 3.0.1
info:
  title: yaml api
  version: 2024-01-01
servers:
  - url: https://api.example.com/{{basePath}}
    variables:
      basePath:
        default: v1/shop
security:
  - tokens: [read]
paths:
  /orders:
    get:
      x-amazon-apigateway-integration:
        type: AWS_PROXY
        uri: {ARN}:fn
        payloadFormatVersion: 2.0
    post:
      security:
        - sigv4: []
      x-amazon-apigateway-integration:
        type: aws_proxy
        uri: arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:fn
        payloadFormatVersion: 1.0
    put:
      security: []
      x-amazon-apigateway-integration:
        type: aws_proxy
        uri: {ARN}:fn
        payloadFormatVersion: 2.0
components:
  securitySchemes:
    sigv4:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: awsSigv4
    tokens:
      type: openIdConnect
      openIdConnectUrl: https://cognito-idp.us-east-1.amazonaws.com/pool/.well-known/openid-configuration
      x-amazon-apigateway-authorizer:
        type: jwt
        jwtConfiguration:
          audience: [client]
"""
    made = api.import_api(Body=body, Basepath="prepend")
    assert made["Version"] == "2024-01-01"
    routes = routes_of(api, made["ApiId"])
    assert set(routes) == {"GET /v1/shop/orders", "POST /v1/shop/orders", "PUT /v1/shop/orders"}
    get = routes["GET /v1/shop/orders"]
    assert (get["AuthorizationType"], get["AuthorizationScopes"]) == ("JWT", ["read"])
    assert routes["POST /v1/shop/orders"]["AuthorizationType"] == "AWS_IAM"
    assert routes["PUT /v1/shop/orders"]["AuthorizationType"] == "NONE"  # security: [] opts out
    (tokens,) = api.get_authorizers(ApiId=made["ApiId"])["Items"]
    # the issuer is the discovery document's base
    assert (
        tokens["JwtConfiguration"]["Issuer"] == "https://cognito-idp.us-east-1.amazonaws.com/pool"
    )
    versions = {
        i["PayloadFormatVersion"] for i in api.get_integrations(ApiId=made["ApiId"])["Items"]
    }
    assert versions == {"1.0", "2.0"}  # YAML's numbers 2.0 and 1.0
    uris = {i["IntegrationUri"] for i in api.get_integrations(ApiId=made["ApiId"])["Items"]}
    assert uris == {f"{ARN}:fn"}  # AWS variables resolved for the importing account

    split = api.import_api(Body=body, Basepath="split")
    assert "GET /shop/orders" in routes_of(api, split["ApiId"])
    ignored = api.import_api(Body=body)
    assert "GET /orders" in routes_of(api, ignored["ApiId"])


def test_what_lamina_does_not_read_is_a_warning_and_fail_on_warnings_refuses(endpoint):
    api = apigw(endpoint)
    document = {
        "openapi": "3.0.1",
        "info": {"title": "warned", "version": "1"},
        "x-amazon-apigateway-policy": {"Version": "2012-10-17", "Statement": []},
        "paths": {
            "/a": {
                "get": {
                    "requestBody": {"content": {"application/json": {"schema": {}}}},
                    "x-amazon-apigateway-request-validator": "all",
                    "x-amazon-apigateway-integration": {
                        **lambda_integration(f"{ARN}:fn"),
                        "passthroughBehavior": "when_no_match",
                    },
                }
            }
        },
    }
    made = api.import_api(Body=json.dumps(document))
    warnings = made["Warnings"]
    assert len(warnings) == 3, warnings
    assert any("x-amazon-apigateway-policy" in w for w in warnings)
    assert any("x-amazon-apigateway-request-validator" in w and "GET /a" in w for w in warnings)
    assert any("passthroughBehavior" in w for w in warnings)
    assert made["ImportInfo"] == [
        "HTTP APIs do not validate requests: the requestBody of GET /a is ignored"
    ]
    assert set(routes_of(api, made["ApiId"])) == {"GET /a"}

    before = counts(api)
    with pytest.raises(ClientError) as excinfo:
        api.import_api(Body=json.dumps(document), FailOnWarnings=True)
    code, status, message = error_of(excinfo)
    assert (code, status) == ("BadRequestException", 400)
    assert message.startswith("Warnings found during import:") and "passthroughBehavior" in message
    assert counts(api) == before


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("", "Invalid OpenAPI input"),
        ("[1, 2]", "Invalid OpenAPI input"),
        ('{"swagger": "2.0", "info": {"title": "x"}, "paths": {}}', "Swagger 2.0"),
        ('{"openapi": "3.1.0", "info": {"title": "x"}, "paths": {}}', "OpenAPI 3.0"),
        ('{"openapi": "3.0.1", "info": {"version": "1"}, "paths": {}}', "info.title"),
        (
            '{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {"/a": {"get": '
            '{"x-amazon-apigateway-integration": {"type": "mock"}}}}}',
            "IntegrationType MOCK is not supported for HTTP APIs. (GET /a)",
        ),
        (
            '{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {"/a": {"get": '
            '{"x-amazon-apigateway-integration": {"type": "aws_proxy", "uri": "nope", '
            '"payloadFormatVersion": "2.0"}}}}}',
            "Invalid IntegrationUri: nope",
        ),
        (
            '{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {"/a": {"get": '
            '{"security": [{"missing": []}]}}}}',
            "security scheme missing (GET /a) is not defined",
        ),
        (
            '{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {"/a": {"get": '
            '{"security": ["gate"]}}}}',
            "security of GET /a must be a list of objects",
        ),
        (
            '{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {"/a": {"get": '
            '{"security": [{"one": []}, {"two": []}]}}}}',
            "GET /a names 2 security schemes; a route of an HTTP API takes one authorizer",
        ),
        (
            '{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {"/{a+}/b": {"get": {}}}}',
            "A greedy path variable must be last",
        ),
        (
            '{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {"/$default": {"get": {}}}}',
            "x-amazon-apigateway-any-method",
        ),
        (
            '{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {"/a": {"get": '
            '{"x-amazon-apigateway-integration": {"type": "http_proxy", "httpMethod": "GET", '
            '"uri": "https://example.com", "connectionType": "VPC_LINK", '
            '"connectionId": "abc"}}}}}',
            "VPC links",
        ),
        (
            '{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {}, "components": '
            '{"securitySchemes": {"t": {"type": "apiKey", "x-amazon-apigateway-authorizer": '
            '{"type": "token", "authorizerUri": "x"}}}}}',
            "HTTP APIs take jwt and request",
        ),
        (
            '{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {}, "components": '
            '{"securitySchemes": {"t": {"type": "oauth2", "x-amazon-apigateway-authorizer": '
            '{"type": "jwt", "jwtConfiguration": {"issuer": "https://i"}}}}}}',
            "JwtConfiguration.Audience is required for JWT authorizers. (security scheme t)",
        ),
        (
            '{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {"/a": {"get": '
            '{"x-amazon-apigateway-integration": {"type": "http_proxy", "httpMethod": "GET", '
            '"uri": "https://example.com", "requestParameters": {"append:header.x": 5}}}}}}',
            "requestParameters must be an object of strings. (GET /a)",
        ),
        (
            '{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {}, "components": '
            '{"securitySchemes": {"t": {"type": "oauth2", "x-amazon-apigateway-authorizer": '
            '{"type": "jwt", "jwtConfiguration": {"issuer": 5, "audience": ["a"]}}}}}}',
            "Invalid issuer 5. An issuer is a URL. (security scheme t)",
        ),
        (
            '{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {}, '
            '"x-amazon-apigateway-cors": {"maxAge": "long"}}',
            "maxAge must be a number",
        ),
    ],
)
def test_invalid_documents_are_refused_and_create_nothing(endpoint, body, says):
    api = apigw(endpoint)
    before = counts(api)
    with pytest.raises(ClientError) as excinfo:
        api.import_api(Body=body)
    code, status, message = error_of(excinfo)
    assert (code, status) == ("BadRequestException", 400)
    assert says in message, message
    assert counts(api) == before


def test_a_route_naming_an_authorizer_of_the_wrong_kind_refuses_the_whole_import(endpoint):
    """The check that fails last, when the routes are written, still leaves nothing behind."""
    api = apigw(endpoint)
    document = {
        "openapi": "3.0.1", "info": {"title": "x"},
        "paths": {"/a": {"get": {"security": [{"gate": ["scope"]}]}}},
        "components": {"securitySchemes": {"gate": {
            "type": "apiKey", "name": "Authorization", "in": "header",
            "x-amazon-apigateway-authorizer": {
                "type": "request", "authorizerUri": INVOCATIONS.format(f"{ARN}:gate"),
                "authorizerPayloadFormatVersion": "2.0",
            }}}},
    }  # fmt: skip
    before = counts(api)
    with pytest.raises(ClientError) as excinfo:
        api.import_api(Body=json.dumps(document))
    assert error_of(excinfo)[2] == (
        "AuthorizationScopes are supported only for JWT authorizers. (GET /a)"
    )
    assert counts(api) == before
    with pytest.raises(ClientError) as excinfo:
        api.import_api(Body=json.dumps(document), Basepath="sideways")
    assert "Invalid basepath parameter: sideways" in error_of(excinfo)[2]


def test_reimport_replaces_the_routes_and_keeps_the_stages(endpoint, lambda_client):
    arn = echo_function(lambda_client)
    api = apigw(endpoint)
    api_id = api.import_api(Body=json.dumps(shop(arn)))["ApiId"]
    api.tag_resource(ResourceArn=f"arn:aws:apigateway:us-east-1::/apis/{api_id}",
                     Tags={"team": "a"})  # fmt: skip
    api.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    assert by_host(endpoint, api_id, "/items/1").json()["routeKey"] == "GET /items/{id}"
    replacement = {
        "openapi": "3.0.1",
        "info": {"title": "shop v2", "version": "v2"},
        "paths": {
            "/orders": {"post": {"x-amazon-apigateway-integration": lambda_integration(arn)}}
        },
    }
    made = api.reimport_api(ApiId=api_id, Body=json.dumps(replacement))
    assert (made["ApiId"], made["Name"], made["Version"]) == (api_id, "shop v2", "v2")
    assert "Description" not in made and "CorsConfiguration" not in made  # overwritten
    assert made["Tags"] == {"team": "a"}
    assert set(routes_of(api, api_id)) == {"POST /orders"}
    assert len(api.get_integrations(ApiId=api_id)["Items"]) == 1
    assert api.get_authorizers(ApiId=api_id)["Items"] == []
    assert [s["StageName"] for s in api.get_stages(ApiId=api_id)["Items"]] == ["$default"]
    # the AutoDeploy stage serves the new routes at once
    assert by_host(endpoint, api_id, "/orders", method="POST").json()["routeKey"] == "POST /orders"
    assert by_host(endpoint, api_id, "/items/1").status_code == 404

    # an invalid document changes nothing; an unknown API is not found
    with pytest.raises(ClientError) as excinfo:
        api.reimport_api(ApiId=api_id, Body='{"openapi": "3.0.1", "info": {}}')
    assert error_of(excinfo)[:2] == ("BadRequestException", 400)
    assert set(routes_of(api, api_id)) == {"POST /orders"}
    assert api.get_api(ApiId=api_id)["Name"] == "shop v2"
    with pytest.raises(ClientError) as excinfo:
        api.reimport_api(ApiId="nosuchapi1", Body=json.dumps(replacement))
    assert error_of(excinfo) == (
        "NotFoundException",
        404,
        "Invalid API identifier specified 000000000000:nosuchapi1",
    )
    websocket = api.create_api(Name="ws", ProtocolType="WEBSOCKET",
                               RouteSelectionExpression="$request.body.action")  # fmt: skip
    with pytest.raises(ClientError) as excinfo:
        api.reimport_api(ApiId=websocket["ApiId"], Body=json.dumps(replacement))
    assert error_of(excinfo)[:2] == ("BadRequestException", 400)
    assert api.get_routes(ApiId=websocket["ApiId"])["Items"] == []


def test_export_writes_what_import_reads_back(endpoint, lambda_client):
    arn = echo_function(lambda_client)
    api = apigw(endpoint)
    api_id = api.import_api(Body=json.dumps(shop(arn)))["ApiId"]
    exported = api.export_api(ApiId=api_id, Specification="OAS30", OutputType="JSON")
    document = json.loads(exported["body"].read())
    assert document["openapi"] == "3.0.1"
    assert document["info"] == {"title": "shop", "version": "v1", "description": "a shop"}
    assert document["x-amazon-apigateway-importexport-version"] == "1.0"
    assert document["x-amazon-apigateway-cors"]["allowOrigins"] == ["https://www.example.com"]
    paths = document["paths"]
    assert set(paths) == {"/items/{id}", "/files/{proxy+}", "/guarded", "/upstream", "/$default"}
    get = paths["/items/{id}"]["get"]
    assert get["operationId"] == "getItem"
    assert get["parameters"] == [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    ]
    assert get["x-amazon-apigateway-integration"] == {
        "type": "aws_proxy", "httpMethod": "POST", "uri": INVOCATIONS.format(arn),
        "payloadFormatVersion": "2.0", "connectionType": "INTERNET", "timeoutInMillis": 30000,
    }  # fmt: skip
    default = paths["/$default"]["x-amazon-apigateway-any-method"]
    assert default["isDefaultRoute"] is True
    assert paths["/guarded"]["get"]["security"] == [{"gate": []}]
    schemes = document["components"]["securitySchemes"]
    assert schemes["tokens"]["x-amazon-apigateway-authorizer"]["jwtConfiguration"] == {
        "issuer": "https://issuer.example.com",
        "audience": ["shop"],
    }
    assert schemes["gate"]["x-amazon-apigateway-authorizer"]["type"] == "request"

    # imported back, the copy has the same routes, integrations and authorizers
    copy = api.import_api(Body=json.dumps(document))
    assert "Warnings" not in copy
    originals, copies = routes_of(api, api_id), routes_of(api, copy["ApiId"])
    assert set(copies) == set(originals)
    same = ("IntegrationType", "IntegrationUri", "IntegrationMethod", "PayloadFormatVersion",
            "TimeoutInMillis")  # fmt: skip
    for client_api, found in ((api_id, originals), (copy["ApiId"], copies)):
        integrations = integrations_of(api, client_api)
        for route in found.values():
            route["integration"] = {
                n: integrations[route["Target"].split("/")[1]].get(n) for n in same
            }
    for key, route in originals.items():
        assert copies[key]["integration"] == route["integration"], key
        assert copies[key]["AuthorizationType"] == route["AuthorizationType"], key
    assert copy["CorsConfiguration"] == api.get_api(ApiId=api_id)["CorsConfiguration"]
    names = lambda i: sorted(a["Name"] for a in api.get_authorizers(ApiId=i)["Items"])  # noqa: E731
    assert names(copy["ApiId"]) == names(api_id) == ["gate", "tokens"]


def test_export_yaml_without_extensions_and_of_a_stage(endpoint, lambda_client):
    arn = echo_function(lambda_client)
    api = apigw(endpoint)
    api_id = api.import_api(Body=json.dumps(shop(arn)))["ApiId"]
    api.create_stage(ApiId=api_id, StageName="prod")
    api.create_deployment(ApiId=api_id, StageName="prod")
    api.delete_route(ApiId=api_id, RouteId=routes_of(api, api_id)["GET /guarded"]["RouteId"])

    latest = yaml.safe_load(api.export_api(
        ApiId=api_id, Specification="OAS30", OutputType="YAML", IncludeExtensions=False,
    )["body"].read())  # fmt: skip
    assert "/guarded" not in latest["paths"]
    assert "x-amazon-apigateway-integration" not in latest["paths"]["/items/{id}"]["get"]
    assert "x-amazon-apigateway-importexport-version" not in latest
    assert "x-amazon-apigateway-authorizer" not in latest["components"]["securitySchemes"]["gate"]
    assert latest["servers"][0]["variables"]["basePath"]["default"] == ""

    staged = yaml.safe_load(api.export_api(
        ApiId=api_id, Specification="OAS30", OutputType="YAML", StageName="prod",
    )["body"].read())  # fmt: skip
    assert "/guarded" in staged["paths"]  # the deployment's routes, made before the delete
    assert staged["servers"][0]["variables"]["basePath"]["default"] == "prod"
    assert staged["paths"]["/guarded"]["get"]["x-amazon-apigateway-integration"]["type"] == (
        "aws_proxy"
    )


def test_export_refuses_what_it_cannot_write(endpoint):
    api = apigw(endpoint)
    api_id = api.create_api(Name="plain", ProtocolType="HTTP")["ApiId"]
    api.create_stage(ApiId=api_id, StageName="empty")
    missing = f"Invalid stage identifier specified 000000000000:{api_id}:nostage"
    undeployed = (
        "Stage empty has no deployment to export; deploy it, or export without StageName for "
        "the API's latest configuration."
    )
    cases = [
        ({"StageName": "nostage"}, ("NotFoundException", 404, missing)),
        ({"StageName": "empty"}, ("BadRequestException", 400, undeployed)),
        ({"OutputType": "XML"}, ("BadRequestException", 400,
                                 "Invalid OutputType: XML. Choose JSON or YAML.")),
        ({"Specification": "OAS20"}, ("BadRequestException", 400,
                                      "Invalid Specification: OAS20. HTTP APIs export OAS30.")),
        ({"ExportVersion": "2.0"}, ("BadRequestException", 400,
                                    "Invalid ExportVersion: 2.0. Only 1.0.")),
    ]  # fmt: skip
    for given, expected in cases:
        params = {"ApiId": api_id, "Specification": "OAS30", "OutputType": "JSON", **given}
        with pytest.raises(ClientError) as excinfo:
            api.export_api(**params)
        assert error_of(excinfo) == expected, given
    with pytest.raises(ClientError) as excinfo:
        api.export_api(ApiId="nosuchapi1", Specification="OAS30", OutputType="JSON")
    assert error_of(excinfo)[:2] == ("NotFoundException", 404)
    empty = json.loads(api.export_api(ApiId=api_id, Specification="OAS30",
                                      OutputType="JSON")["body"].read())  # fmt: skip
    assert (empty["info"]["title"], empty["paths"]) == ("plain", {})
    assert empty["info"]["version"].endswith("UTC")  # no Version: when it was made


def test_service_and_mapped_http_integrations_import_and_export(endpoint):
    api = apigw(endpoint)
    role = "arn:aws:iam::000000000000:role/gateway"
    send = {"QueueUrl": "$stageVariables.queue", "MessageBody": "$request.body.message"}
    mapping = {"append:header.x-from": "gateway", "overwrite:path": "/v2/$request.path.id"}
    document = {
        "openapi": "3.0.1",
        "info": {"title": "mapped", "version": "1"},
        "paths": {
            "/send": {"post": {"x-amazon-apigateway-integration": {
                "type": "aws_proxy", "integrationSubtype": "SQS-SendMessage",
                "credentials": role, "requestParameters": send, "payloadFormatVersion": "1.0",
            }}},
            "/things/{id}": {"get": {"x-amazon-apigateway-integration": {
                "type": "http_proxy", "httpMethod": "GET", "uri": "https://example.com/things",
                "requestParameters": mapping, "payloadFormatVersion": "1.0",
            }}},
        },
    }  # fmt: skip
    made = api.import_api(Body=json.dumps(document))
    assert "Warnings" not in made, made.get("Warnings")
    routes = routes_of(api, made["ApiId"])
    integrations = integrations_of(api, made["ApiId"])
    queue = integrations[routes["POST /send"]["Target"].split("/")[1]]
    assert (queue["IntegrationSubtype"], queue["CredentialsArn"]) == ("SQS-SendMessage", role)
    assert queue["RequestParameters"] == send
    things = integrations[routes["GET /things/{id}"]["Target"].split("/")[1]]
    assert things["RequestParameters"] == mapping

    exported = json.loads(api.export_api(
        ApiId=made["ApiId"], Specification="OAS30", OutputType="JSON"
    )["body"].read())  # fmt: skip
    written = exported["paths"]["/send"]["post"]["x-amazon-apigateway-integration"]
    assert (written["integrationSubtype"], written["credentials"]) == ("SQS-SendMessage", role)
    assert written["requestParameters"] == send
    assert "uri" not in written
    copy = api.import_api(Body=json.dumps(exported))
    copied = integrations_of(api, copy["ApiId"])
    assert sorted(i.get("IntegrationSubtype", "") for i in copied.values()) == [
        "",
        "SQS-SendMessage",
    ]
    assert {json.dumps(i["RequestParameters"], sort_keys=True) for i in copied.values()} == {
        json.dumps(send, sort_keys=True),
        json.dumps(mapping, sort_keys=True),
    }
