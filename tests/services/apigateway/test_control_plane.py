"""REST APIs' control plane through boto3: APIs, resources, methods, integrations and their
responses, deployments and stages; errors as AWS answers them."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import client, error_of
from tests.services.apigateway.conftest import add_method, root_of


def test_rest_api_lifecycle_with_root_resource_update_and_errors(apigw, endpoint):
    made = apigw.create_rest_api(name="shop", description="d", binaryMediaTypes=["image/png"])
    api_id = made["id"]
    assert len(api_id) == 10 and api_id.isalnum() and api_id.islower()
    assert made["rootResourceId"] == root_of(apigw, api_id)
    assert made["endpointConfiguration"] == {"ipAddressType": "ipv4", "types": ["EDGE"]}
    assert made["apiKeySource"] == "HEADER"
    got = apigw.get_rest_api(restApiId=api_id)
    assert (got["name"], got["description"], got["binaryMediaTypes"]) == (
        "shop",
        "d",
        ["image/png"],
    )
    assert got["createdDate"].year >= 2024

    updated = apigw.update_rest_api(
        restApiId=api_id,
        patchOperations=[
            {"op": "replace", "path": "/name", "value": "store"},
            {"op": "replace", "path": "/description", "value": "e"},
            {"op": "add", "path": "/binaryMediaTypes/application~1octet-stream"},
            {"op": "remove", "path": "/binaryMediaTypes/image~1png"},
        ],
    )
    assert (updated["name"], updated["description"]) == ("store", "e")
    assert updated["binaryMediaTypes"] == ["application/octet-stream"]
    with pytest.raises(ClientError) as bad:
        apigw.update_rest_api(
            restApiId=api_id, patchOperations=[{"op": "replace", "path": "/nope", "value": "x"}]
        )
    assert error_of(bad)[:2] == ("BadRequestException", 400)

    second = apigw.create_rest_api(name="other")["id"]
    assert [a["id"] for a in apigw.get_rest_apis()["items"]] == [api_id, second]
    page = apigw.get_rest_apis(limit=1)
    assert [a["id"] for a in page["items"]] == [api_id]
    assert [a["id"] for a in apigw.get_rest_apis(position=page["position"])["items"]] == [second]
    # Another account sees none of them.
    assert client("apigateway", endpoint, access_key="111111111111").get_rest_apis()["items"] == []

    apigw.delete_rest_api(restApiId=api_id)
    with pytest.raises(ClientError) as gone:
        apigw.get_rest_api(restApiId=api_id)
    assert error_of(gone) == (
        "NotFoundException",
        404,
        f"Invalid API identifier specified 000000000000:{api_id}",
    )


def test_resources_paths_parameters_and_their_errors(apigw):
    api_id = apigw.create_rest_api(name="paths")["id"]
    root = root_of(apigw, api_id)
    items = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="items")
    assert (items["path"], items["pathPart"], items["parentId"]) == ("/items", "items", root)
    item = apigw.create_resource(restApiId=api_id, parentId=items["id"], pathPart="{id}")
    assert item["path"] == "/items/{id}"
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")

    def refused(part: str, parent: str = root) -> tuple[str, int, str]:
        with pytest.raises(ClientError) as error:
            apigw.create_resource(restApiId=api_id, parentId=parent, pathPart=part)
        return error_of(error)

    assert refused("items")[:2] == ("ConflictException", 409)
    assert refused("bad part")[:2] == ("BadRequestException", 400)
    assert refused("{other}")[:2] == ("BadRequestException", 400)  # one variable a level
    assert refused("child", proxy["id"])[:2] == ("BadRequestException", 400)  # greedy: a leaf
    assert refused("x", "nosuchres1")[:2] == ("NotFoundException", 404)

    add_method(apigw, api_id, item["id"], "GET")
    listed = {r["path"]: r for r in apigw.get_resources(restApiId=api_id)["items"]}
    assert set(listed) == {"/", "/items", "/items/{id}", "/{proxy+}"}
    assert listed["/items/{id}"]["resourceMethods"] == {"GET": {}}
    embedded = apigw.get_resources(restApiId=api_id, embed=["methods"])["items"]
    method = next(r for r in embedded if r["path"] == "/items/{id}")["resourceMethods"]["GET"]
    assert method["methodIntegration"]["type"] == "MOCK"
    assert apigw.get_resource(restApiId=api_id, resourceId=item["id"])["path"] == "/items/{id}"

    apigw.delete_resource(restApiId=api_id, resourceId=items["id"])  # and /items/{id} below
    assert {r["path"] for r in apigw.get_resources(restApiId=api_id)["items"]} == {"/", "/{proxy+}"}
    with pytest.raises(ClientError) as gone:
        apigw.get_resource(restApiId=api_id, resourceId=item["id"])
    assert error_of(gone) == ("NotFoundException", 404, "Invalid Resource identifier specified")


def test_methods_integrations_and_responses(apigw):
    api_id = apigw.create_rest_api(name="methods")["id"]
    root = root_of(apigw, api_id)
    ids = {"restApiId": api_id, "resourceId": root, "httpMethod": "POST"}
    method = apigw.put_method(**ids, authorizationType="AWS_IAM", apiKeyRequired=False)
    assert (method["httpMethod"], method["authorizationType"]) == ("POST", "AWS_IAM")
    with pytest.raises(ClientError) as twice:
        apigw.put_method(**ids, authorizationType="NONE")
    assert error_of(twice) == ("ConflictException", 409, "Method already exists for this resource")
    with pytest.raises(ClientError) as no_integration:
        apigw.get_integration(**ids)
    assert error_of(no_integration)[:2] == ("NotFoundException", 404)

    uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f/invocations"  # noqa: E501
    integration = apigw.put_integration(
        **ids, type="AWS_PROXY", integrationHttpMethod="POST", uri=uri, timeoutInMillis=1000
    )
    assert (integration["type"], integration["uri"], integration["httpMethod"]) == (
        "AWS_PROXY", uri, "POST",
    )  # fmt: skip
    assert integration["timeoutInMillis"] == 1000
    assert integration["passthroughBehavior"] == "WHEN_NO_MATCH"
    with pytest.raises(ClientError) as bad_uri:
        apigw.put_integration(**ids, type="AWS_PROXY", integrationHttpMethod="POST", uri="x")
    assert error_of(bad_uri)[:2] == ("BadRequestException", 400)

    apigw.put_method_response(**ids, statusCode="200")
    with pytest.raises(ClientError) as no_method_response:
        apigw.put_integration_response(**ids, statusCode="404")
    assert error_of(no_method_response)[:2] == ("NotFoundException", 404)
    response = apigw.put_integration_response(
        **ids, statusCode="200", selectionPattern="", responseTemplates={"application/json": "{}"}
    )
    assert response["statusCode"] == "200"
    got = apigw.get_method(**ids)
    assert got["methodResponses"] == {"200": {"statusCode": "200"}}
    assert got["methodIntegration"]["integrationResponses"]["200"]["responseTemplates"] == {
        "application/json": "{}"
    }
    assert apigw.get_integration_response(**ids, statusCode="200")["statusCode"] == "200"
    apigw.delete_integration_response(**ids, statusCode="200")
    apigw.delete_method_response(**ids, statusCode="200")
    with pytest.raises(ClientError) as gone:
        apigw.get_method_response(**ids, statusCode="200")
    assert error_of(gone) == ("NotFoundException", 404, "Invalid Response status code specified")
    apigw.delete_integration(**ids)
    apigw.delete_method(**ids)
    with pytest.raises(ClientError) as no_method:
        apigw.get_method(**ids)
    assert error_of(no_method) == ("NotFoundException", 404, "Invalid Method identifier specified")


def test_deployments_and_stages(apigw):
    api_id = apigw.create_rest_api(name="deploy")["id"]
    root = root_of(apigw, api_id)
    with pytest.raises(ClientError) as empty:
        apigw.create_deployment(restApiId=api_id)
    assert error_of(empty) == (
        "BadRequestException", 400, "The REST API doesn't contain any methods"
    )  # fmt: skip
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    with pytest.raises(ClientError) as no_integration:
        apigw.create_deployment(restApiId=api_id)
    assert error_of(no_integration) == (
        "BadRequestException", 400, "No integration defined for method"
    )  # fmt: skip
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")

    first = apigw.create_deployment(restApiId=api_id, stageName="dev", description="one")
    assert first["description"] == "one" and len(first["id"]) == 6
    stage = apigw.get_stage(restApiId=api_id, stageName="dev")
    assert (stage["deploymentId"], stage["stageName"]) == (first["id"], "dev")
    second = apigw.create_deployment(restApiId=api_id)
    assert {d["id"] for d in apigw.get_deployments(restApiId=api_id)["items"]} == {
        first["id"], second["id"],
    }  # fmt: skip

    made = apigw.create_stage(
        restApiId=api_id, stageName="prod", deploymentId=second["id"], variables={"alias": "live"}
    )
    assert made["variables"] == {"alias": "live"}
    with pytest.raises(ClientError) as twice:
        apigw.create_stage(restApiId=api_id, stageName="prod", deploymentId=second["id"])
    assert error_of(twice) == ("ConflictException", 409, "Stage already exists")
    with pytest.raises(ClientError) as no_deployment:
        apigw.create_stage(restApiId=api_id, stageName="qa", deploymentId="nope12")
    assert error_of(no_deployment) == (
        "NotFoundException", 404, "Invalid Deployment identifier specified"
    )  # fmt: skip
    with pytest.raises(ClientError) as cache:
        apigw.create_stage(
            restApiId=api_id, stageName="qa", deploymentId=second["id"], cacheClusterEnabled=True
        )
    assert error_of(cache)[:2] == ("BadRequestException", 400)

    updated = apigw.update_stage(
        restApiId=api_id,
        stageName="prod",
        patchOperations=[
            {"op": "replace", "path": "/variables/alias", "value": "canary"},
            {"op": "replace", "path": "/variables/extra", "value": "1"},
            {"op": "replace", "path": "/deploymentId", "value": first["id"]},
            {"op": "replace", "path": "/description", "value": "production"},
        ],
    )
    assert updated["variables"] == {"alias": "canary", "extra": "1"}
    assert (updated["deploymentId"], updated["description"]) == (first["id"], "production")
    removed = apigw.update_stage(
        restApiId=api_id, stageName="prod",
        patchOperations=[{"op": "remove", "path": "/variables/extra"}],
    )  # fmt: skip
    assert removed["variables"] == {"alias": "canary"}
    assert {s["stageName"] for s in apigw.get_stages(restApiId=api_id)["item"]} == {"dev", "prod"}

    with pytest.raises(ClientError) as in_use:
        apigw.delete_deployment(restApiId=api_id, deploymentId=first["id"])
    assert error_of(in_use)[:2] == ("BadRequestException", 400)
    apigw.delete_deployment(restApiId=api_id, deploymentId=second["id"])
    apigw.delete_stage(restApiId=api_id, stageName="prod")
    with pytest.raises(ClientError) as gone:
        apigw.get_stage(restApiId=api_id, stageName="prod")
    assert error_of(gone) == ("NotFoundException", 404, "Invalid Stage identifier specified")


def test_operations_not_served_yet_say_so(apigw):
    api_id = apigw.create_rest_api(name="x")["id"]
    with pytest.raises(ClientError) as error:
        apigw.get_sdk(restApiId=api_id, stageName="prod", sdkType="javascript")
    code, status, message = error_of(error)
    assert (code, status) == ("NotImplementedException", 501)
    assert "GetSdk" in message


def test_updates_of_methods_integrations_and_responses(apigw):
    api_id = apigw.create_rest_api(name="updates")["id"]
    ids = {"restApiId": api_id, "resourceId": root_of(apigw, api_id), "httpMethod": "GET"}
    add_method(apigw, api_id, ids["resourceId"], "GET")
    method = apigw.update_method(
        **ids,
        patchOperations=[
            {"op": "replace", "path": "/apiKeyRequired", "value": "true"},
            {"op": "add", "path": "/requestParameters/method.request.header.X-A", "value": "true"},
            {"op": "add", "path": "/requestParameters/method.request.header.X-B", "value": "false"},
        ],
    )
    assert method["apiKeyRequired"] is True
    assert method["requestParameters"] == {
        "method.request.header.X-A": True, "method.request.header.X-B": False,
    }  # fmt: skip
    with pytest.raises(ClientError) as bad_type:
        apigw.update_method(
            **ids, patchOperations=[{"op": "replace", "path": "/authorizationType", "value": "X"}]
        )
    assert error_of(bad_type)[:2] == ("BadRequestException", 400)

    integration = apigw.update_integration(
        **ids,
        patchOperations=[
            {"op": "replace", "path": "/timeoutInMillis", "value": "1500"},
            {"op": "add", "path": "/requestTemplates/application~1json", "value": "{}"},
        ],
    )
    assert integration["timeoutInMillis"] == 1500
    assert integration["requestTemplates"] == {"application/json": "{}"}

    apigw.put_method_response(**ids, statusCode="200")
    apigw.put_integration_response(**ids, statusCode="200")
    response = apigw.update_integration_response(
        **ids, statusCode="200",
        patchOperations=[{"op": "replace", "path": "/selectionPattern", "value": "2\\d\\d"}],
    )  # fmt: skip
    assert response["selectionPattern"] == "2\\d\\d"
    method_response = apigw.update_method_response(
        **ids, statusCode="200",
        patchOperations=[{"op": "add", "path": "/responseModels/application~1json",
                          "value": "Empty"}],
    )  # fmt: skip
    assert method_response["responseModels"] == {"application/json": "Empty"}
    got = apigw.get_method(**ids)
    assert got["methodIntegration"]["integrationResponses"]["200"]["selectionPattern"] == "2\\d\\d"


def test_messages_as_aws_recorded_them(apigw):
    """Errors whose words LocalStack's AWS-validated snapshots record (test_apigateway_api)."""

    def refused(call, **params) -> tuple[str, int, str]:
        with pytest.raises(ClientError) as raised:
            call(**params)
        return error_of(raised)

    def refused_api(message: str, **params) -> None:
        assert refused(apigw.create_rest_api, name="x", **params) == (
            "BadRequestException", 400, message)  # fmt: skip

    refused_api("Description cannot be an empty string", description="")
    refused_api("REGIONAL Configuration and EDGE Configuration cannot be both DISABLED.",
                endpointConfiguration={"types": []})  # fmt: skip
    refused_api("Cannot create an api with multiple Endpoint Types.",
                endpointConfiguration={"types": ["EDGE", "REGIONAL"]})  # fmt: skip
    api_id = apigw.create_rest_api(name="words")["id"]
    root = root_of(apigw, api_id)
    pets = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")["id"]

    assert refused(
        apigw.create_model, restApiId=api_id, name="", contentType="application/json",
        schema='{"type": "object"}',
    ) == ("BadRequestException", 400, "Model name must be non-empty")  # fmt: skip
    validator = apigw.create_request_validator(restApiId=api_id, name="v")["id"]
    assert refused(
        apigw.update_request_validator, restApiId=api_id, requestValidatorId=validator,
        patchOperations=[{"op": "replace", "path": "/name", "value": ""}],
    ) == ("BadRequestException", 400, "Request Validator name cannot be blank")  # fmt: skip
    assert refused(
        apigw.update_request_validator, restApiId=api_id, requestValidatorId=validator,
        patchOperations=[{"op": "replace", "path": "/invalidPath", "value": "x"}],
    ) == ("BadRequestException", 400, "Invalid patch path  '/invalidPath' specified for op "
          "'replace'. Must be one of: [/name, /validateRequestParameters, "
          "/validateRequestBody]")  # fmt: skip
    assert refused(
        apigw.put_method, restApiId=api_id, resourceId=pets, httpMethod="GET",
        authorizationType="CUSTOM", authorizerId="nope00",
    ) == ("BadRequestException", 400, "Invalid authorizer ID specified. Setting the "
          "authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid "
          "authorizer.")  # fmt: skip


def test_update_resource_renames_and_moves_the_subtree(apigw, endpoint):
    from tests.services.apigateway.conftest import stage_url

    api_id = apigw.create_rest_api(name="moves")["id"]
    root = root_of(apigw, api_id)
    items = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="items")["id"]
    item = apigw.create_resource(restApiId=api_id, parentId=items, pathPart="{id}")["id"]
    v1 = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="v1")["id"]
    apigw.create_resource(restApiId=api_id, parentId=v1, pathPart="things")
    greedy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")["id"]
    ids = {"restApiId": api_id, "resourceId": item, "httpMethod": "GET"}
    add_method(apigw, api_id, item, requestTemplates={"application/json": '{"statusCode": 200}'},
               type="MOCK")  # fmt: skip
    apigw.put_method_response(**ids, statusCode="200")
    apigw.put_integration_response(**ids, statusCode="200", selectionPattern="")

    def patch(resource: str, **values: str) -> dict:
        operations = [{"op": "replace", "path": f"/{k}", "value": v} for k, v in values.items()]
        return apigw.update_resource(restApiId=api_id, resourceId=resource,
                                     patchOperations=operations)  # fmt: skip

    renamed = patch(items, pathPart="goods")
    assert (renamed["path"], renamed["pathPart"]) == ("/goods", "goods")
    moved = patch(items, parentId=v1)
    assert (moved["path"], moved["parentId"]) == ("/v1/goods", v1)
    paths = {r["id"]: r["path"] for r in apigw.get_resources(restApiId=api_id)["items"]}
    assert paths[item] == "/v1/goods/{id}"  # the children move along, methods and all
    assert apigw.get_method(restApiId=api_id, resourceId=item, httpMethod="GET")
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    import requests

    base = stage_url(endpoint, api_id, "prod")
    assert requests.get(f"{base}/v1/goods/7", timeout=30).status_code == 200
    assert requests.get(f"{base}/items/7", timeout=30).status_code == 403  # no such route now
    assert requests.get(f"{base}/anything/else", timeout=30).status_code == 403  # greedy: no method

    def refused(resource: str, **values: str) -> tuple[str, int, str]:
        with pytest.raises(ClientError) as error:
            patch(resource, **values)
        return error_of(error)

    assert refused(items, pathPart="things")[:2] == ("ConflictException", 409)  # a sibling's
    assert refused(items, parentId=item)[:2] == ("BadRequestException", 400)  # under itself
    assert refused(items, parentId=greedy)[:2] == ("BadRequestException", 400)  # greedy: a leaf
    assert refused(items, pathPart="{rest+}")[:2] == ("BadRequestException", 400)  # has children
    assert refused(items, pathPart="bad part")[:2] == ("BadRequestException", 400)
    assert refused(root, pathPart="x")[:2] == ("BadRequestException", 400)
    assert refused(items, parentId="nosuchres1")[:2] == ("NotFoundException", 404)
    code, _, message = refused(items, name="x")
    assert code == "BadRequestException" and "Invalid patch path" in message
    # nothing refused changed anything
    after = {r["id"]: r["path"] for r in apigw.get_resources(restApiId=api_id)["items"]}
    assert after == paths


def test_update_deployment_changes_its_description(apigw):
    api_id = apigw.create_rest_api(name="described")["id"]
    add_method(apigw, api_id, root_of(apigw, api_id))
    made = apigw.create_deployment(restApiId=api_id, description="first")["id"]
    patched = apigw.update_deployment(
        restApiId=api_id, deploymentId=made,
        patchOperations=[{"op": "replace", "path": "/description", "value": "second"}],
    )  # fmt: skip
    assert (patched["id"], patched["description"]) == (made, "second")
    assert apigw.get_deployment(restApiId=api_id, deploymentId=made)["description"] == "second"
    with pytest.raises(ClientError) as error:
        apigw.update_deployment(restApiId=api_id, deploymentId="nosuch",
                                patchOperations=[])  # fmt: skip
    assert error_of(error)[:2] == ("NotFoundException", 404)
