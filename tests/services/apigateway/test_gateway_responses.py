"""Gateway responses of REST APIs: the control plane through boto3 (AWS's defaults listed,
customizations put, patched, deleted), and over HTTP the gateway's own answers taking a
deployment's customizations: headers, status code, templates with $context.error.*."""

from __future__ import annotations

import pytest
import requests
from botocore.exceptions import ClientError

from tests.conftest import error_of
from tests.services.apigateway.conftest import add_method, root_of, stage_url


def test_defaults_put_update_delete(apigw):
    api_id = apigw.create_rest_api(name="responses")["id"]
    listed = apigw.get_gateway_responses(restApiId=api_id, limit=500)["items"]
    by_type = {r["responseType"]: r for r in listed}
    assert len(listed) >= 20 and all(r["defaultResponse"] for r in listed)
    assert by_type["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "403"
    assert by_type["UNAUTHORIZED"]["statusCode"] == "401"
    assert "statusCode" not in by_type["DEFAULT_4XX"]
    assert by_type["THROTTLED"]["responseTemplates"] == {
        "application/json": '{"message":$context.error.messageString}'
    }

    put = apigw.put_gateway_response(
        restApiId=api_id, responseType="UNAUTHORIZED", statusCode="418",
        responseParameters={"gatewayresponse.header.X-Why": "'no token'"},
        responseTemplates={"application/json": '{"oops":"$context.error.message"}'},
    )  # fmt: skip
    assert put["defaultResponse"] is False and put["statusCode"] == "418"
    got = apigw.get_gateway_response(restApiId=api_id, responseType="UNAUTHORIZED")
    assert got["responseParameters"] == {"gatewayresponse.header.X-Why": "'no token'"}
    updated = apigw.update_gateway_response(
        restApiId=api_id, responseType="UNAUTHORIZED",
        patchOperations=[{"op": "replace", "path": "/statusCode", "value": "401"},
                         {"op": "add", "path": "/responseParameters/gatewayresponse.header.X-B",
                          "value": "'b'"}],
    )  # fmt: skip
    assert updated["statusCode"] == "401"
    assert updated["responseParameters"]["gatewayresponse.header.X-B"] == "'b'"
    apigw.delete_gateway_response(restApiId=api_id, responseType="UNAUTHORIZED")
    assert apigw.get_gateway_response(restApiId=api_id, responseType="UNAUTHORIZED")[
        "defaultResponse"
    ]
    with pytest.raises(ClientError) as raised:
        apigw.put_gateway_response(restApiId=api_id, responseType="NO_SUCH_TYPE")
    assert error_of(raised)[1] == 400  # the model's enum refuses it
    with pytest.raises(ClientError) as raised:
        apigw.put_gateway_response(
            restApiId=api_id, responseType="DEFAULT_4XX",
            responseParameters={"gatewayresponse.header.X": "context.requestId"},
        )  # fmt: skip
    assert error_of(raised)[0] == "BadRequestException"


def test_customized_answers_on_the_data_plane(apigw, endpoint):
    api_id = apigw.create_rest_api(name="cors")["id"]
    add_method(apigw, api_id, root_of(apigw, api_id))
    apigw.put_method_response(restApiId=api_id, resourceId=root_of(apigw, api_id),
                              httpMethod="GET", statusCode="200")  # fmt: skip
    apigw.put_integration_response(restApiId=api_id, resourceId=root_of(apigw, api_id),
                                   httpMethod="GET", statusCode="200")  # fmt: skip
    apigw.put_gateway_response(
        restApiId=api_id, responseType="DEFAULT_4XX",
        responseParameters={
            "gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
            "gatewayresponse.header.X-Asked": "method.request.header.X-Ask",
        },
    )  # fmt: skip
    apigw.put_gateway_response(
        restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN", statusCode="404",
        responseTemplates={"application/json": '{"error":$context.error.messageString,'
                                               '"type":"$context.error.responseType"}'},
    )  # fmt: skip
    url = stage_url(endpoint, api_id, "prod")
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    missing = requests.get(f"{url}/nowhere", headers={"X-Ask": "42"}, timeout=30)
    assert missing.status_code == 404
    assert missing.headers["Access-Control-Allow-Origin"] == "*"
    assert missing.headers["X-Asked"] == "42"
    assert missing.json() == {"error": "Missing Authentication Token",
                              "type": "MISSING_AUTHENTICATION_TOKEN"}  # fmt: skip
    assert missing.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    # a type not customized itself takes DEFAULT_4XX's headers, keeping its status and body
    wrong_verb = requests.post(url + "/", timeout=30)
    assert wrong_verb.status_code == 404  # MISSING_AUTHENTICATION_TOKEN too, customized
    assert requests.get(url + "/", timeout=30).status_code == 200
    # a later change is not live until the next deployment
    apigw.delete_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN")
    assert requests.get(f"{url}/nowhere", timeout=30).status_code == 404
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    again = requests.get(f"{url}/nowhere", timeout=30)
    assert again.status_code == 403
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    assert again.json() == {"message": "Missing Authentication Token"}
