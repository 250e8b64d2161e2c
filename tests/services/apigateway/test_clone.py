"""CreateRestApi with cloneFrom, through boto3: the clone has the source's resources, methods,
integrations and their responses, models, request validators, authorizers, gateway responses,
documentation parts and API settings under ids of its own; the two APIs are independent
afterwards; the clone deploys and answers; an unknown source is refused and makes nothing."""

from __future__ import annotations

import json

import pytest
import requests
from botocore.exceptions import ClientError

from tests.services.apigateway.conftest import root_of, stage_url

FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:auth"
AUTHORIZER_URI = (
    f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{FUNCTION}/invocations"
)


def _source(apigw) -> dict:
    """An API with a bit of everything; the ids it was made with."""
    api = apigw.create_rest_api(
        name="source", description="the original", binaryMediaTypes=["image/png"],
        apiKeySource="AUTHORIZER",
        policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
            "Resource": "execute-api:/*"}]}),
    )  # fmt: skip
    api_id = api["id"]
    apigw.create_model(
        restApiId=api_id, name="Pet", contentType="application/json",
        schema=json.dumps({"type": "object", "properties": {"name": {"type": "string"}}}),
    )  # fmt: skip
    pet_url = f"https://apigateway.amazonaws.com/restapis/{api_id}/models/Pet"
    apigw.create_model(
        restApiId=api_id, name="Pets", contentType="application/json",
        schema=json.dumps({"type": "array", "items": {"$ref": pet_url}}),
    )  # fmt: skip
    validator = apigw.create_request_validator(
        restApiId=api_id, name="body", validateRequestBody=True
    )["id"]
    authorizer = apigw.create_authorizer(
        restApiId=api_id, name="tok", type="TOKEN", authorizerUri=AUTHORIZER_URI,
        identitySource="method.request.header.Authorization",
    )["id"]  # fmt: skip
    pets = apigw.create_resource(restApiId=api_id, parentId=api["rootResourceId"],
                                 pathPart="pets")["id"]  # fmt: skip
    pet = apigw.create_resource(restApiId=api_id, parentId=pets, pathPart="{id}")["id"]
    ids = {"restApiId": api_id, "resourceId": pets}
    apigw.put_method(
        **ids,
        httpMethod="POST",
        authorizationType="CUSTOM",
        authorizerId=authorizer,
        requestValidatorId=validator,
        requestModels={"application/json": "Pet"},
    )
    apigw.put_integration(
        **ids,
        httpMethod="POST",
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 200}'},
    )
    apigw.put_method(restApiId=api_id, resourceId=pet, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(
        restApiId=api_id,
        resourceId=pet,
        httpMethod="GET",
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 200}'},
    )
    apigw.put_method_response(
        restApiId=api_id,
        resourceId=pet,
        httpMethod="GET",
        statusCode="200",
        responseModels={"application/json": "Pet"},
    )
    apigw.put_integration_response(
        restApiId=api_id, resourceId=pet, httpMethod="GET", statusCode="200",
        responseTemplates={"application/json": '{"name": "rex"}'},
    )  # fmt: skip
    apigw.put_gateway_response(restApiId=api_id, responseType="UNAUTHORIZED", statusCode="418")
    apigw.create_documentation_part(
        restApiId=api_id, location={"type": "RESOURCE", "path": "/pets"},
        properties='{"description": "the pets"}',
    )  # fmt: skip
    return {"api": api_id, "validator": validator, "authorizer": authorizer, "pets": pets}


def _tree(apigw, api_id: str) -> dict:
    listed = apigw.get_resources(restApiId=api_id, embed=["methods"], limit=500)["items"]
    return {r["path"]: r for r in listed}


def test_a_clone_copies_the_definition_under_new_ids(apigw):
    made = _source(apigw)
    source = made["api"]
    clone = apigw.create_rest_api(name="copy", cloneFrom=source)
    clone_id = clone["id"]
    assert clone_id != source and clone["name"] == "copy"
    assert clone["description"] == "the original"
    assert clone["binaryMediaTypes"] == ["image/png"]
    assert clone["apiKeySource"] == "AUTHORIZER"
    assert f":{clone_id}" in clone["policy"] and source not in clone["policy"]
    tree, original = _tree(apigw, clone_id), _tree(apigw, source)
    assert set(tree) == {"/", "/pets", "/pets/{id}"}
    assert {r["id"] for r in tree.values()}.isdisjoint(r["id"] for r in original.values())
    assert tree["/pets/{id}"]["parentId"] == tree["/pets"]["id"]
    post = tree["/pets"]["resourceMethods"]["POST"]
    validators = apigw.get_request_validators(restApiId=clone_id)["items"]
    assert [v["name"] for v in validators] == ["body"]
    assert post["requestValidatorId"] == validators[0]["id"] != made["validator"]
    authorizers = apigw.get_authorizers(restApiId=clone_id)["items"]
    assert [a["name"] for a in authorizers] == ["tok"]
    assert post["authorizerId"] == authorizers[0]["id"] != made["authorizer"]
    assert authorizers[0]["authorizerUri"] == AUTHORIZER_URI
    assert post["methodIntegration"]["cacheNamespace"] == tree["/pets"]["id"]
    get = tree["/pets/{id}"]["resourceMethods"]["GET"]
    assert get["methodResponses"]["200"]["responseModels"] == {"application/json": "Pet"}
    assert get["methodIntegration"]["integrationResponses"]["200"]["responseTemplates"] == {
        "application/json": '{"name": "rex"}'
    }
    models = {m["name"]: m for m in apigw.get_models(restApiId=clone_id)["items"]}
    assert set(models) == {"Empty", "Error", "Pet", "Pets"}
    assert f"/restapis/{clone_id}/models/Pet" in models["Pets"]["schema"]
    source_pet = apigw.get_model(restApiId=source, modelName="Pet")
    assert models["Pet"]["id"] != source_pet["id"]
    response = apigw.get_gateway_response(restApiId=clone_id, responseType="UNAUTHORIZED")
    assert response["statusCode"] == "418"
    parts = apigw.get_documentation_parts(restApiId=clone_id)["items"]
    source_parts = apigw.get_documentation_parts(restApiId=source)["items"]
    assert [p["location"] for p in parts] == [{"type": "RESOURCE", "path": "/pets"}]
    assert parts[0]["id"] != source_parts[0]["id"]


def test_the_request_s_settings_win_and_the_two_apis_are_independent(apigw, endpoint):
    made = _source(apigw)
    source = made["api"]
    clone_id = apigw.create_rest_api(
        name="copy", cloneFrom=source, description="mine", apiKeySource="HEADER"
    )["id"]
    got = apigw.get_rest_api(restApiId=clone_id)
    assert (got["description"], got["apiKeySource"]) == ("mine", "HEADER")
    tree = _tree(apigw, clone_id)
    apigw.delete_resource(restApiId=clone_id, resourceId=tree["/pets"]["id"])
    assert set(_tree(apigw, source)) == {"/", "/pets", "/pets/{id}"}
    apigw.delete_rest_api(restApiId=source)
    assert len(apigw.get_authorizers(restApiId=clone_id)["items"]) == 1
    # the clone deploys and answers on its own
    root = root_of(apigw, clone_id)
    apigw.put_method(
        restApiId=clone_id, resourceId=root, httpMethod="GET", authorizationType="NONE"
    )
    apigw.put_integration(
        restApiId=clone_id,
        resourceId=root,
        httpMethod="GET",
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 200}'},
    )
    apigw.put_method_response(
        restApiId=clone_id, resourceId=root, httpMethod="GET", statusCode="200"
    )
    apigw.put_integration_response(
        restApiId=clone_id,
        resourceId=root,
        httpMethod="GET",
        statusCode="200",
        responseTemplates={"application/json": '{"ok": 1}'},
    )
    apigw.create_deployment(restApiId=clone_id, stageName="prod")
    answer = requests.get(stage_url(endpoint, clone_id, "prod") + "/", timeout=10)
    assert (answer.status_code, answer.json()) == (200, {"ok": 1})


def test_an_unknown_source_is_refused_and_makes_nothing(apigw):
    before = {a["id"] for a in apigw.get_rest_apis(limit=500)["items"]}
    with pytest.raises(ClientError) as excinfo:
        apigw.create_rest_api(name="copy", cloneFrom="nosuchapi")
    error = excinfo.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "NotFoundException", "Invalid API identifier specified 000000000000:nosuchapi"
    )  # fmt: skip
    assert {a["id"] for a in apigw.get_rest_apis(limit=500)["items"]} == before
