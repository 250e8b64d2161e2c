"""HTTP APIs' control plane through boto3: CreateApi (plain and quick create), GetApi(s),
UpdateApi, DeleteApi, DeleteCorsConfiguration, and AWS's errors."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of
from tests.services.apigatewayv2.helpers import ARN, apigw


def refused(call, **params) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


def test_an_api_is_created_read_listed_updated_and_deleted(endpoint):
    api = apigw(endpoint)
    made = api.create_api(
        Name="shop", ProtocolType="HTTP", Description="d", Tags={"team": "a"}, Version="1"
    )
    api_id = made["ApiId"]
    assert len(api_id) == 10 and api_id.isalnum() and api_id.islower()
    port = endpoint.rsplit(":", 1)[1]
    assert made["ApiEndpoint"] == f"http://{api_id}.execute-api.localhost:{port}"
    assert made["RouteSelectionExpression"] == "$request.method $request.path"
    assert made["ApiKeySelectionExpression"] == "$request.header.x-api-key"
    assert (made["Name"], made["Description"], made["Tags"], made["Version"]) == (
        "shop",
        "d",
        {"team": "a"},
        "1",
    )
    assert made["ProtocolType"] == "HTTP" and made["DisableExecuteApiEndpoint"] is False
    got = api.get_api(ApiId=api_id)
    assert got["Name"] == "shop" and got["CreatedDate"] == made["CreatedDate"]

    cors = {"AllowOrigins": ["https://a.example"], "AllowMethods": ["GET"], "MaxAge": 60}
    updated = api.update_api(ApiId=api_id, Name="store", CorsConfiguration=cors)
    assert updated["Name"] == "store" and updated["CorsConfiguration"] == cors
    assert updated["Description"] == "d"  # what the update does not name stays
    api.delete_cors_configuration(ApiId=api_id)
    assert "CorsConfiguration" not in api.get_api(ApiId=api_id)

    other = api.create_api(Name="other", ProtocolType="HTTP")["ApiId"]
    assert [a["ApiId"] for a in api.get_apis()["Items"]] == [api_id, other]
    first = api.get_apis(MaxResults="1")
    assert [a["ApiId"] for a in first["Items"]] == [api_id]
    rest = api.get_apis(MaxResults="1", NextToken=first["NextToken"])
    assert [a["ApiId"] for a in rest["Items"]] == [other] and "NextToken" not in rest

    api.delete_api(ApiId=api_id)
    code, status, message = refused(api.get_api, ApiId=api_id)
    assert (code, status) == ("NotFoundException", 404)
    assert message == f"Invalid API identifier specified 000000000000:{api_id}"
    assert refused(api.delete_api, ApiId=api_id)[:2] == ("NotFoundException", 404)


def test_quick_create_makes_the_integration_the_route_and_an_auto_deploying_default_stage(
    endpoint,
):
    api = apigw(endpoint)
    made = api.create_api(
        Name="q", ProtocolType="HTTP", Target=f"{ARN}:fn", RouteKey="GET /items/{id}"
    )
    api_id = made["ApiId"]
    (integration,) = api.get_integrations(ApiId=api_id)["Items"]
    assert integration["IntegrationType"] == "AWS_PROXY"
    assert integration["IntegrationUri"] == f"{ARN}:fn"
    assert integration["PayloadFormatVersion"] == "2.0"
    assert integration["ApiGatewayManaged"] is True
    (route,) = api.get_routes(ApiId=api_id)["Items"]
    assert route["RouteKey"] == "GET /items/{id}"
    assert route["Target"] == f"integrations/{integration['IntegrationId']}"
    assert route["AuthorizationType"] == "NONE" and route["ApiGatewayManaged"] is True
    (stage,) = api.get_stages(ApiId=api_id)["Items"]
    assert stage["StageName"] == "$default" and stage["AutoDeploy"] is True
    (deployment,) = api.get_deployments(ApiId=api_id)["Items"]
    assert stage["DeploymentId"] == deployment["DeploymentId"]
    assert deployment["AutoDeployed"] is True and deployment["DeploymentStatus"] == "DEPLOYED"
    quick = api.create_api(Name="q2", ProtocolType="HTTP", Target=f"{ARN}:fn")
    (route,) = api.get_routes(ApiId=quick["ApiId"])["Items"]
    assert route["RouteKey"] == "$default"


def test_what_lamina_does_not_serve_is_refused_loudly(endpoint):
    api = apigw(endpoint)
    code, status, message = refused(api.create_api, Name="ws", ProtocolType="WEBSOCKET")
    assert (code, status) == ("BadRequestException", 400)
    assert "RouteSelectionExpression is required for WebSocket APIs" in message
    code, _, message = refused(
        api.create_api, Name="x", ProtocolType="HTTP", RouteSelectionExpression="$request.body.a"
    )
    assert code == "BadRequestException" and "RouteSelectionExpression" in message
    code, _, message = refused(
        api.create_api, Name="x", ProtocolType="HTTP", Target=f"{ARN}:f", CredentialsArn="arn:x"
    )
    assert code == "BadRequestException" and "Lamina does not support CredentialsArn" in message
    code, _, message = refused(api.create_api, Name="x", ProtocolType="HTTP", RouteKey="GET /")
    assert code == "BadRequestException" and "Target" in message
    assert api.get_apis()["Items"] == []  # nothing was made by the refused calls


def test_an_api_of_another_account_or_region_is_not_found(endpoint):
    from tests.conftest import client

    made = apigw(endpoint).create_api(Name="mine", ProtocolType="HTTP")
    elsewhere = client("apigatewayv2", endpoint, region="eu-west-1")
    assert refused(elsewhere.get_api, ApiId=made["ApiId"])[:2] == ("NotFoundException", 404)
    assert elsewhere.get_apis()["Items"] == []


def test_apis_and_stages_are_tagged_by_arn(endpoint):
    api = apigw(endpoint)
    api_id = api.create_api(Name="t", ProtocolType="HTTP", Tags={"a": "1"})["ApiId"]
    api.create_stage(ApiId=api_id, StageName="prod", Tags={"s": "1"})
    arn = f"arn:aws:apigateway:us-east-1::/apis/{api_id}"
    api.tag_resource(ResourceArn=arn, Tags={"b": "2"})
    assert api.get_tags(ResourceArn=arn)["Tags"] == {"a": "1", "b": "2"}
    assert api.get_api(ApiId=api_id)["Tags"] == {"a": "1", "b": "2"}
    api.untag_resource(ResourceArn=arn, TagKeys=["a"])
    assert api.get_apis()["Items"][0]["Tags"] == {"b": "2"}
    stage = f"{arn}/stages/prod"
    assert api.get_tags(ResourceArn=stage)["Tags"] == {"s": "1"}
    assert api.get_stage(ApiId=api_id, StageName="prod")["Tags"] == {"s": "1"}
    assert refused(api.get_tags, ResourceArn=f"{arn}/stages/none")[:2] == ("NotFoundException", 404)
    api.delete_api(ApiId=api_id)
    assert refused(api.get_tags, ResourceArn=arn)[:2] == ("NotFoundException", 404)
    again = api.create_api(Name="t2", ProtocolType="HTTP")["ApiId"]
    assert api.get_api(ApiId=again)["Tags"] == {}
