"""Models (JSON Schema draft 4) and request validators through boto3, the data plane refusing
what they refuse (400 as AWS answers), and CORS preflights answered by a MOCK OPTIONS method."""

from __future__ import annotations

import json

import pytest
import requests
from botocore.exceptions import ClientError

from tests.services.apigateway.conftest import add_method, root_of, stage_url

ITEM = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string"}, "qty": {"type": "integer", "minimum": 1}},
}


def test_models_crud_and_defaults(apigw):
    api_id = apigw.create_rest_api(name="m")["id"]
    names = [m["name"] for m in apigw.get_models(restApiId=api_id)["items"]]
    assert names == ["Empty", "Error"]  # AWS's default models
    made = apigw.create_model(
        restApiId=api_id, name="Item", schema=json.dumps(ITEM), contentType="application/json",
        description="an item",
    )  # fmt: skip
    assert len(made["id"]) == 6 and made["description"] == "an item"
    assert apigw.get_model(restApiId=api_id, modelName="Item")["schema"] == json.dumps(ITEM)
    with pytest.raises(ClientError) as twice:
        apigw.create_model(
            restApiId=api_id, name="Item", schema="{}", contentType="application/json"
        )
    assert twice.value.response["Error"]["Code"] == "ConflictException"
    for name, schema in (("Bad", "{not json"), ("Bad", '{"type": 5}'), ("no-dash", "{}")):
        with pytest.raises(ClientError) as bad:
            apigw.create_model(restApiId=api_id, name=name, schema=schema,
                               contentType="application/json")  # fmt: skip
        assert bad.value.response["Error"]["Code"] == "BadRequestException"
    updated = apigw.update_model(
        restApiId=api_id, modelName="Item",
        patchOperations=[{"op": "replace", "path": "/description", "value": "changed"}],
    )  # fmt: skip
    assert updated["description"] == "changed"
    with pytest.raises(ClientError) as invalid:
        apigw.update_model(
            restApiId=api_id, modelName="Item",
            patchOperations=[{"op": "replace", "path": "/schema", "value": '{"type": []}'}],
        )  # fmt: skip
    assert invalid.value.response["Error"]["Code"] == "BadRequestException"
    apigw.delete_model(restApiId=api_id, modelName="Item")
    with pytest.raises(ClientError) as gone:
        apigw.get_model(restApiId=api_id, modelName="Item")
    assert gone.value.response["Error"]["Code"] == "NotFoundException"
    assert "models" not in apigw.get_rest_api(restApiId=api_id)


def test_request_validators_crud(apigw):
    api_id = apigw.create_rest_api(name="v")["id"]
    made = apigw.create_request_validator(restApiId=api_id, name="body", validateRequestBody=True)
    assert made["validateRequestBody"] is True and made["validateRequestParameters"] is False
    updated = apigw.update_request_validator(
        restApiId=api_id, requestValidatorId=made["id"],
        patchOperations=[{"op": "replace", "path": "/validateRequestParameters", "value": "true"}],
    )  # fmt: skip
    assert updated["validateRequestParameters"] is True
    got = apigw.get_request_validator(restApiId=api_id, requestValidatorId=made["id"])
    assert got["name"] == "body" and got["validateRequestParameters"] is True
    assert len(apigw.get_request_validators(restApiId=api_id)["items"]) == 1
    apigw.delete_request_validator(restApiId=api_id, requestValidatorId=made["id"])
    with pytest.raises(ClientError) as gone:
        apigw.get_request_validator(restApiId=api_id, requestValidatorId=made["id"])
    assert gone.value.response["Error"]["Code"] == "NotFoundException"


def test_validators_refuse_invalid_requests(apigw, endpoint):
    api_id = apigw.create_rest_api(name="checked")["id"]
    root = root_of(apigw, api_id)
    apigw.create_model(restApiId=api_id, name="Item", schema=json.dumps(ITEM),
                       contentType="application/json")  # fmt: skip
    both = apigw.create_request_validator(
        restApiId=api_id, name="both", validateRequestBody=True, validateRequestParameters=True
    )["id"]
    params_only = apigw.create_request_validator(
        restApiId=api_id, name="params", validateRequestParameters=True
    )["id"]
    items = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="items")["id"]
    mock = {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}}
    for verb, validator in (("POST", both), ("PUT", params_only), ("PATCH", None)):
        kwargs = {"requestValidatorId": validator} if validator else {}
        apigw.put_method(
            restApiId=api_id, resourceId=items, httpMethod=verb, authorizationType="NONE",
            requestModels={"application/json": "Item"},
            requestParameters={"method.request.querystring.tenant": True,
                               "method.request.header.X-Trace": False},
            **kwargs,
        )  # fmt: skip
        apigw.put_integration(restApiId=api_id, resourceId=items, httpMethod=verb, **mock)
        ids = {"restApiId": api_id, "resourceId": items, "httpMethod": verb}
        apigw.put_method_response(**ids, statusCode="200")
        apigw.put_integration_response(**ids, statusCode="200", selectionPattern="")
    for wrong in ({"requestModels": {"application/json": "Nope"}},
                  {"requestValidatorId": "nope00"}):  # fmt: skip
        with pytest.raises(ClientError) as unknown:
            apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                             authorizationType="NONE", **wrong)  # fmt: skip
        assert unknown.value.response["Error"]["Code"] in (
            "BadRequestException",
            "NotFoundException",
        )
    with pytest.raises(ClientError) as used:
        apigw.delete_model(restApiId=api_id, modelName="Item")
    assert "is referenced in method request: /items/" in used.value.response["Error"]["Message"]
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    url = stage_url(endpoint, api_id, "prod") + "/items"
    ok = requests.post(url + "?tenant=a", json={"name": "x", "qty": 2}, timeout=30)
    assert ok.status_code == 200, ok.text
    for body in ({"qty": 2}, {"name": "x", "qty": 0}):
        refused = requests.post(url + "?tenant=a", json=body, timeout=30)
        assert (refused.status_code, refused.json()) == (400, {"message": "Invalid request body"})
        assert refused.headers["x-amzn-ErrorType"] == "BadRequestException"
    garbled = requests.post(url + "?tenant=a", data=b"{nope",
                            headers={"Content-Type": "application/json"}, timeout=30)  # fmt: skip
    assert garbled.status_code == 400
    missing = requests.post(url, json={"name": "x"}, timeout=30)
    assert missing.status_code == 400
    assert missing.json() == {"message": "Missing required request parameters: [tenant]"}
    blank = requests.post(url + "?tenant=", json={"name": "x"}, timeout=30)
    assert blank.status_code == 400  # present but blank counts as missing, as on AWS
    # validateRequestParameters only: the body is not checked.
    assert requests.put(url + "?tenant=a", json={"qty": 0}, timeout=30).status_code == 200
    assert requests.put(url, json={}, timeout=30).status_code == 400
    # No validator: neither is checked, as on AWS.
    assert requests.patch(url, json={"qty": 0}, timeout=30).status_code == 200


def test_cors_preflight_from_a_mock_options_method(apigw, endpoint):
    api_id = apigw.create_rest_api(name="cors")["id"]
    root = root_of(apigw, api_id)
    res = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="things")["id"]
    add_method(
        apigw, api_id, res, "OPTIONS",
        type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'},
    )  # fmt: skip
    ids = {"restApiId": api_id, "resourceId": res, "httpMethod": "OPTIONS"}
    allow = {
        "Access-Control-Allow-Origin": "'https://app.example'",
        "Access-Control-Allow-Methods": "'GET,POST,OPTIONS'",
        "Access-Control-Allow-Headers": "'Content-Type,X-Api-Key'",
    }
    apigw.put_method_response(
        **ids, statusCode="200",
        responseParameters={f"method.response.header.{h}": False for h in allow},
    )  # fmt: skip
    apigw.put_integration_response(
        **ids, statusCode="200", selectionPattern="",
        responseParameters={f"method.response.header.{h}": v for h, v in allow.items()},
        responseTemplates={"application/json": ""},
    )  # fmt: skip
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    preflight = requests.options(
        stage_url(endpoint, api_id, "prod") + "/things",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"},
        timeout=30,
    )
    assert preflight.status_code == 200, preflight.text
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET,POST,OPTIONS"
    assert preflight.headers["Access-Control-Allow-Headers"] == "Content-Type,X-Api-Key"
    assert preflight.content == b""


def test_get_model_template_reads_the_schema_and_its_refs(apigw):
    api_id = apigw.create_rest_api(name="templates")["id"]
    apigw.create_model(restApiId=api_id, name="Address", contentType="application/json",
                       schema=json.dumps({"type": "object",
                                          "properties": {"city": {"type": "string"}}}))  # fmt: skip
    ref = f"https://apigateway.amazonaws.com/restapis/{api_id}/models/Address"
    apigw.create_model(restApiId=api_id, name="Person", contentType="application/json",
                       schema=json.dumps({"type": "object", "properties": {
                           "name": {"type": "string"}, "age": {"type": "integer"},
                           "home": {"$ref": ref},
                           "pets": {"type": "array", "items": {"type": "string"}}}}))  # fmt: skip
    template = apigw.get_model_template(restApiId=api_id, modelName="Person")["value"]
    assert template.startswith("#set($inputRoot = $input.path('$'))\n{")
    assert '"name" : "$inputRoot.name"' in template and '"age" : $inputRoot.age' in template
    assert '"city" : "$inputRoot.home.city"' in template  # the other model, read in place
    assert "#foreach($elem in $inputRoot.pets)" in template
    with pytest.raises(ClientError) as error:
        apigw.get_model_template(restApiId=api_id, modelName="Nobody")
    assert error.value.response["Error"]["Code"] == "NotFoundException"
