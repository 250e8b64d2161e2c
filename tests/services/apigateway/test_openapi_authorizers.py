"""Authorizers an OpenAPI document declares (x-amazon-apigateway-authorizer security schemes):
ImportRestApi makes them real authorizers, its methods CUSTOM with them, the data plane calls
them; API key schemes and -api-key-source make apiKeyRequired; GetExport writes them back."""

from __future__ import annotations

import json

import requests

from tests.conftest import client, make_zip
from tests.services.apigateway.conftest import create_api_function, lambda_uri, stage_url

ECHO = """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event["requestContext"].get("authorizer"))}
"""

AUTHORIZER = """
def handler(event, context):
    token = event["authorizationToken"]
    if token != "Bearer good":
        raise Exception("Unauthorized")
    return {"principalId": "alice",
            "policyDocument": {"Version": "2012-10-17", "Statement": [{
                "Action": "execute-api:Invoke", "Effect": "Allow",
                "Resource": event["methodArn"]}]}}
"""


def _document(echo_uri: str, auth_uri: str) -> dict:
    integration = {"type": "aws_proxy", "httpMethod": "POST", "uri": echo_uri}
    return {
        "openapi": "3.0.1",
        "info": {"title": "guarded", "version": "1"},
        "x-amazon-apigateway-api-key-source": "HEADER",
        "x-amazon-apigateway-gateway-responses": {
            "UNAUTHORIZED": {
                "statusCode": "401",
                "responseParameters": {"gatewayresponse.header.WWW-Authenticate": "'Bearer'"},
                "responseTemplates": {"application/json": '{"why":$context.error.messageString}'},
            },
        },
        "paths": {
            "/secret": {"get": {"security": [{"tokenAuth": []}],
                                "x-amazon-apigateway-integration": integration}},
            "/keyed": {"get": {"security": [{"api_key": []}],
                               "x-amazon-apigateway-integration": integration}},
        },
        "components": {"securitySchemes": {
            "tokenAuth": {
                "type": "apiKey", "name": "Authorization", "in": "header",
                "x-amazon-apigateway-authtype": "custom",
                "x-amazon-apigateway-authorizer": {
                    "type": "token", "authorizerUri": auth_uri,
                    "identityValidationExpression": "^Bearer .+$",
                    "authorizerResultTtlInSeconds": 0,
                },
            },
            "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
        }},
    }  # fmt: skip


def test_imported_token_authorizer_is_real_and_exported(endpoint):
    lambda_ = client("lambda", endpoint)
    apigw = client("apigateway", endpoint)
    echo = create_api_function(lambda_, "echo", Code={"ZipFile": make_zip({"handler.py": ECHO})})
    auth = create_api_function(
        lambda_, "auth", Code={"ZipFile": make_zip({"handler.py": AUTHORIZER})}
    )
    document = _document(lambda_uri(echo["FunctionArn"]), lambda_uri(auth["FunctionArn"]))
    made = apigw.import_rest_api(body=json.dumps(document).encode())
    api_id = made["id"]
    assert "importedAuthorizers" not in made
    listed = apigw.get_authorizers(restApiId=api_id)["items"]
    assert len(listed) == 1
    authorizer = listed[0]
    assert authorizer["name"] == "tokenAuth" and authorizer["type"] == "TOKEN"
    assert authorizer["identitySource"] == "method.request.header.Authorization"
    assert authorizer["identityValidationExpression"] == "^Bearer .+$"
    assert authorizer["authorizerResultTtlInSeconds"] == 0
    found = apigw.get_resources(restApiId=api_id, embed=["methods"])["items"]
    methods = {r["path"]: r.get("resourceMethods", {}) for r in found}
    assert methods["/secret"]["GET"]["authorizationType"] == "CUSTOM"
    assert methods["/secret"]["GET"]["authorizerId"] == authorizer["id"]
    assert methods["/keyed"]["GET"]["apiKeyRequired"] is True
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    url = stage_url(endpoint, api_id, "prod")

    refused = requests.get(f"{url}/secret", timeout=30)
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == "Bearer"  # the document's gateway response
    assert refused.json() == {"why": "Unauthorized"}
    assert requests.get(f"{url}/secret", headers={"Authorization": "nope"},
                        timeout=30).status_code == 401  # fmt: skip
    assert requests.get(f"{url}/secret", headers={"Authorization": "Bearer bad"},
                        timeout=30).status_code == 401  # fmt: skip
    allowed = requests.get(f"{url}/secret", headers={"Authorization": "Bearer good"}, timeout=30)
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["principalId"] == "alice"
    assert requests.get(f"{url}/keyed", timeout=30).status_code == 403

    exported = json.loads(apigw.get_export(
        restApiId=api_id, stageName="prod", exportType="oas30",
        parameters={"extensions": "authorizers,integrations"},
    )["body"].read())  # fmt: skip
    scheme = exported["components"]["securitySchemes"]["tokenAuth"]
    assert scheme["name"] == "Authorization"
    assert scheme["x-amazon-apigateway-authorizer"]["type"] == "token"
    assert scheme["x-amazon-apigateway-authorizer"]["authorizerUri"] == lambda_uri(
        auth["FunctionArn"]
    )
    assert exported["paths"]["/secret"]["get"]["security"] == [{"tokenAuth": []}]
    assert exported["paths"]["/keyed"]["get"]["security"] == [{"api_key": []}]
    responses = exported["x-amazon-apigateway-gateway-responses"]
    assert responses["UNAUTHORIZED"]["responseParameters"] == {
        "gatewayresponse.header.WWW-Authenticate": "'Bearer'"
    }

    # The export imports again; PutRestApi keeps the authorizer's id by its name.
    apigw.put_rest_api(restApiId=api_id, mode="overwrite", body=json.dumps(exported).encode())
    again = apigw.get_authorizers(restApiId=api_id)["items"]
    assert [a["id"] for a in again] == [authorizer["id"]]
    kept = apigw.get_gateway_response(restApiId=api_id, responseType="UNAUTHORIZED")
    assert kept["defaultResponse"] is False
    copy = apigw.import_rest_api(body=json.dumps(exported).encode())["id"]
    assert apigw.get_authorizers(restApiId=copy)["items"][0]["type"] == "TOKEN"


def test_api_key_source_authorizer_and_invalid_authorizer(endpoint):
    apigw = client("apigateway", endpoint)
    document = _document("arn:x", "arn:y")
    document["x-amazon-apigateway-api-key-source"] = "AUTHORIZER"
    del document["paths"]["/secret"]
    document["paths"]["/keyed"]["get"]["x-amazon-apigateway-integration"] = {"type": "mock"}
    made = apigw.import_rest_api(body=json.dumps(document).encode())
    assert made["apiKeySource"] == "AUTHORIZER"
    # an authorizer whose URI is not a Lambda function's invocation URI is refused, as
    # CreateAuthorizer refuses it
    document["paths"]["/keyed"]["get"]["security"] = [{"tokenAuth": []}]
    try:
        apigw.import_rest_api(body=json.dumps(document).encode())
    except apigw.exceptions.BadRequestException as error:
        assert "Authorizer URI" in str(error)
    else:
        raise AssertionError("an invalid authorizerUri was accepted")
