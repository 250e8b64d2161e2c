"""ImportRestApi/PutRestApi (OpenAPI 3.0 and Swagger 2.0, JSON and YAML, the
x-amazon-apigateway-* extensions), GetExport and its round trip, served end to end."""

from __future__ import annotations

import json

import pytest
import requests
import yaml
from botocore.exceptions import ClientError

from tests.conftest import client, make_zip
from tests.services.apigateway.conftest import create_api_function, lambda_uri, stage_url

HANDLER = """
import json

def handler(event, context):
    return {"statusCode": 200, "headers": {"X-From": "fn"},
            "body": json.dumps({"path": event["path"], "resource": event["resource"],
                                "pathParameters": event["pathParameters"]})}
"""

SAM_LIKE = """
openapi: 3.0.1
info:
  title: orders
  description: imported
  version: "1.0"
servers:
  - url: https://example.com/{basePath}
    variables:
      basePath: {default: v1}
x-amazon-apigateway-binary-media-types: ["image/png"]
x-amazon-apigateway-api-key-source: HEADER
paths:
  /orders/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: verbose, in: query, schema: {type: string}}
      responses:
        "200": {description: ok}
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: URI
        passthroughBehavior: when_no_match
        timeoutInMillis: 5000
  /files/{proxy+}:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: URI}
  /ping:
    get:
      security: [{sigv4: []}]
      responses:
        "200":
          description: ok
          headers: {X-Pong: {schema: {type: string}}}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          default:
            statusCode: "200"
            responseParameters: {method.response.header.X-Pong: "'yes'"}
            responseTemplates: {application/json: '{"pong": true}'}
components:
  securitySchemes:
    sigv4:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: awsSigv4
    key: {type: apiKey, name: x-api-key, in: header}
"""

SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "pets", "version": "2"},
    "basePath": "/api",
    "x-amazon-apigateway-request-validators": {
        "all": {"validateRequestBody": True, "validateRequestParameters": True}
    },
    "paths": {
        "/pets": {
            "post": {
                "consumes": ["application/json"],
                "parameters": [
                    {"in": "body", "name": "Pet", "schema": {"$ref": "#/definitions/Pet"}},
                    {"in": "header", "name": "X-Tenant", "required": True, "type": "string"},
                ],
                "responses": {"201": {"description": "made"}},
                "x-amazon-apigateway-request-validator": "all",
                "x-amazon-apigateway-integration": {
                    "type": "mock",
                    "requestTemplates": {"application/json": '{"statusCode": 201}'},
                    "responses": {"default": {"statusCode": "201"}},
                },
            },
        },
    },
    "definitions": {
        "Pet": {
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string"}, "tag": {"$ref": "#/definitions/Tag"}},
        },
        "Tag": {"type": "string", "maxLength": 5},
    },
}


@pytest.fixture
def apigw(endpoint):
    return client("apigateway", endpoint)


@pytest.fixture
def function_uri(endpoint):
    lambda_ = client("lambda", endpoint)
    arn = create_api_function(
        lambda_, "orders", Code={"ZipFile": make_zip({"handler.py": HANDLER})}, Timeout=5
    )["FunctionArn"]
    return lambda_uri(arn)


def _paths(apigw, api_id):
    items = apigw.get_resources(restApiId=api_id, embed=["methods"], limit=500)["items"]
    return {r["path"]: r.get("resourceMethods", {}) for r in items}


def test_import_sam_like_openapi3_yaml_and_call_it(apigw, endpoint, function_uri):
    # AWS variables, as SAM and AWS's own examples write the function's ARN
    templated = (
        function_uri.replace("arn:aws:", "arn:${AWS::Partition}:")
        .replace("us-east-1", "${AWS::Region}")
        .replace("000000000000", "${AWS::AccountId}")
    )
    made = apigw.import_rest_api(
        body=SAM_LIKE.replace("URI", json.dumps(templated)).encode(),
        parameters={"basepath": "prepend"},
    )
    api_id = made["id"]
    assert made["name"] == "orders" and made["version"] == "1.0"
    assert made["binaryMediaTypes"] == ["image/png"]
    paths = _paths(apigw, api_id)
    made_paths = {"/", "/v1", "/v1/orders", "/v1/orders/{id}", "/v1/files", "/v1/files/{proxy+}"}
    assert set(paths) == made_paths | {"/v1/ping"}
    get = paths["/v1/orders/{id}"]["GET"]
    assert get["requestParameters"] == {
        "method.request.path.id": True,
        "method.request.querystring.verbose": False,
    }
    assert get["methodIntegration"]["type"] == "AWS_PROXY"
    assert get["methodIntegration"]["uri"] == function_uri  # resolved for the importer
    assert get["methodIntegration"]["timeoutInMillis"] == 5000
    assert get["methodResponses"] == {"200": {"statusCode": "200"}}
    assert set(paths["/v1/files/{proxy+}"]) == {"ANY"}
    assert paths["/v1/ping"]["GET"]["authorizationType"] == "AWS_IAM"
    ping = paths["/v1/ping"]["GET"]["methodIntegration"]["integrationResponses"]["200"]
    assert ping["responseParameters"] == {"method.response.header.X-Pong": "'yes'"}
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    url = stage_url(endpoint, api_id, "prod")
    answer = requests.get(f"{url}/v1/orders/42", timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["resource"] == "/v1/orders/{id}"
    assert answer.json()["pathParameters"] == {"id": "42"}
    assert answer.headers["X-From"] == "fn"
    files = requests.delete(f"{url}/v1/files/a/b.txt", timeout=30)
    assert files.json()["pathParameters"] == {"proxy": "a/b.txt"}
    # An unsigned call to the AWS_IAM method is refused, as AWS refuses it.
    assert requests.get(f"{url}/v1/ping", timeout=30).status_code == 403


def test_import_swagger2_json_models_and_validator(apigw, endpoint):
    made = apigw.import_rest_api(body=json.dumps(SWAGGER).encode())
    api_id = made["id"]
    paths = _paths(apigw, api_id)
    assert set(paths) == {"/", "/pets"}  # basepath ignored by default
    post = paths["/pets"]["POST"]
    assert post["requestModels"] == {"application/json": "Pet"}
    assert post["requestParameters"] == {"method.request.header.X-Tenant": True}
    validators = apigw.get_request_validators(restApiId=api_id)["items"]
    assert [(v["name"], v["validateRequestBody"]) for v in validators] == [("all", True)]
    assert post["requestValidatorId"] == validators[0]["id"]
    names = {m["name"] for m in apigw.get_models(restApiId=api_id)["items"]}
    assert names == {"Empty", "Error", "Pet", "Tag"}
    pet = json.loads(apigw.get_model(restApiId=api_id, modelName="Pet")["schema"])
    assert pet["properties"]["tag"]["$ref"].endswith(f"/restapis/{api_id}/models/Tag")
    apigw.create_deployment(restApiId=api_id, stageName="s")
    url = stage_url(endpoint, api_id, "s") + "/pets"
    headers = {"X-Tenant": "t1", "Content-Type": "application/json"}
    ok = requests.post(url, json={"name": "rex", "tag": "dog"}, headers=headers, timeout=30)
    assert ok.status_code == 201, ok.text
    bad = requests.post(url, json={"name": "rex", "tag": "toolong"}, headers=headers, timeout=30)
    assert (bad.status_code, bad.json()) == (400, {"message": "Invalid request body"})
    no_name = requests.post(url, json={}, headers=headers, timeout=30)
    assert no_name.status_code == 400
    missing = requests.post(url, json={"name": "rex"}, timeout=30)
    assert missing.status_code == 400
    assert missing.json() == {"message": "Missing required request parameters: [X-Tenant]"}


def test_invalid_documents_and_warnings(apigw):
    for body in (b"[1, 2]", b"openapi: 3.0.1\ninfo: {}\n", b"{not: valid: yaml", b"a: b"):
        with pytest.raises(ClientError) as bad:
            apigw.import_rest_api(body=body)
        assert bad.value.response["Error"]["Code"] == "BadRequestException"
    wrong = {**SWAGGER, "swagger": "1.2"}
    with pytest.raises(ClientError) as old:
        apigw.import_rest_api(body=json.dumps(wrong).encode())
    assert "Swagger 2.0" in old.value.response["Error"]["Message"]
    broken = {
        "openapi": "3.0.1",
        "info": {"title": "b"},
        "paths": {"/x": {"get": {"x-amazon-apigateway-integration": {"type": "aws_proxy"}}}},
    }
    with pytest.raises(ClientError) as bad_integration:
        apigw.import_rest_api(body=json.dumps(broken).encode())
    assert bad_integration.value.response["Error"]["Code"] == "BadRequestException"
    odd = {
        "openapi": "3.0.1",
        "info": {"title": "w"},
        "x-amazon-apigateway-importexport-version": "1.0",
        "paths": {"/x": {"get": {"x-amazon-apigateway-integration": {"type": "mock"}}}},
    }
    made = apigw.import_rest_api(body=json.dumps(odd).encode())
    assert any("x-amazon-apigateway-importexport-version" in w for w in made["warnings"])
    with pytest.raises(ClientError) as strict:
        apigw.import_rest_api(body=json.dumps(odd).encode(), failOnWarnings=True)
    assert "x-amazon-apigateway-importexport-version" in strict.value.response["Error"]["Message"]


def test_export_round_trip(apigw, function_uri):
    source = apigw.import_rest_api(body=SAM_LIKE.replace("URI", function_uri).encode())["id"]
    swagger_source = apigw.import_rest_api(body=json.dumps(SWAGGER).encode())["id"]
    for api_id in (source, swagger_source):
        apigw.create_deployment(restApiId=api_id, stageName="prod")
    exported = apigw.get_export(
        restApiId=source, stageName="prod", exportType="oas30",
        parameters={"extensions": "integrations"}, accepts="application/yaml",
    )  # fmt: skip
    body = exported["body"].read()
    document = yaml.safe_load(body)
    assert document["openapi"].startswith("3.0")
    assert document["servers"][0]["variables"]["basePath"]["default"] == "prod"
    get = document["paths"]["/orders/{id}"]["get"]
    assert get["x-amazon-apigateway-integration"]["uri"] == function_uri
    assert "x-amazon-apigateway-any-method" in document["paths"]["/files/{proxy+}"]
    plain = apigw.get_export(restApiId=source, stageName="prod", exportType="swagger")
    plain_doc = json.loads(plain["body"].read())
    assert plain_doc["swagger"] == "2.0" and plain_doc["basePath"] == "/prod"
    assert "x-amazon-apigateway-integration" not in plain_doc["paths"]["/orders/{id}"]["get"]
    copy = apigw.import_rest_api(body=body)["id"]
    assert _same(apigw, source, copy)
    swagger_doc = apigw.get_export(
        restApiId=swagger_source, stageName="prod", exportType="swagger",
        parameters={"extensions": "apigateway"},
    )["body"].read()  # fmt: skip
    swagger_copy = apigw.import_rest_api(body=swagger_doc)["id"]
    assert _same(apigw, swagger_source, swagger_copy)
    with pytest.raises(ClientError) as bad:
        apigw.get_export(restApiId=source, stageName="prod", exportType="raml")
    assert bad.value.response["Error"]["Code"] == "BadRequestException"
    with pytest.raises(ClientError) as missing:
        apigw.get_export(restApiId=source, stageName="nope", exportType="oas30")
    assert missing.value.response["Error"]["Code"] == "NotFoundException"


def _same(apigw, left, right):
    """The two APIs have the same paths, methods and integrations (ids aside)."""

    def shape(api_id):
        out = {}
        for path, methods in _paths(apigw, api_id).items():
            for verb, method in methods.items():
                integration = dict(method.get("methodIntegration") or {})
                integration.pop("cacheNamespace", None)
                kept = {
                    k: v
                    for k, v in method.items()
                    if k not in ("methodIntegration", "requestValidatorId")
                }
                out[(path, verb)] = (kept, integration)
        return out

    assert shape(left) == shape(right)
    return True


def test_put_rest_api_overwrite_and_merge(apigw):
    api_id = apigw.import_rest_api(body=json.dumps(SWAGGER).encode())["id"]
    extra = {
        "openapi": "3.0.1",
        "info": {"title": "more"},
        "paths": {"/toys": {"get": {"x-amazon-apigateway-integration": {"type": "mock"}}}},
    }
    merged = apigw.put_rest_api(restApiId=api_id, mode="merge", body=json.dumps(extra).encode())
    assert merged["name"] == "pets"
    assert set(_paths(apigw, api_id)) == {"/", "/pets", "/toys"}
    replaced = apigw.put_rest_api(
        restApiId=api_id, mode="overwrite", body=json.dumps(extra).encode()
    )
    assert replaced["name"] == "more"
    assert set(_paths(apigw, api_id)) == {"/", "/toys"}
    assert apigw.get_request_validators(restApiId=api_id)["items"] == []
    with pytest.raises(ClientError) as bad:
        apigw.put_rest_api(restApiId=api_id, mode="replace", body=json.dumps(extra).encode())
    assert bad.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400  # the model's enum
