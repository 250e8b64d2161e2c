"""Routes, integrations, stages and deployments of an HTTP API through boto3, their AWS
errors, and AutoDeploy: a change to routes or integrations is deployed to AutoDeploy stages at
once, other stages keep the deployment they point to."""

from __future__ import annotations

from tests.services.apigatewayv2.helpers import ARN, apigw
from tests.services.apigatewayv2.test_apis import refused


def integration(api, api_id: str, **overrides) -> str:
    params = {
        "ApiId": api_id,
        "IntegrationType": "AWS_PROXY",
        "IntegrationUri": f"{ARN}:fn",
        "PayloadFormatVersion": "2.0",
        **overrides,
    }
    return api.create_integration(**params)["IntegrationId"]


def test_integrations_are_created_read_updated_and_deleted(endpoint):
    api = apigw(endpoint)
    api_id = api.create_api(Name="a", ProtocolType="HTTP")["ApiId"]
    made = api.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=f"{ARN}:fn"
    )
    assert made["PayloadFormatVersion"] == "1.0"  # AWS's default when none is given
    assert made["IntegrationMethod"] == "POST" and made["TimeoutInMillis"] == 30000
    assert made["ConnectionType"] == "INTERNET"
    integration_id = made["IntegrationId"]
    updated = api.update_integration(
        ApiId=api_id, IntegrationId=integration_id, PayloadFormatVersion="2.0",
        TimeoutInMillis=5000,
    )  # fmt: skip
    assert (updated["PayloadFormatVersion"], updated["TimeoutInMillis"]) == ("2.0", 5000)
    got = api.get_integration(ApiId=api_id, IntegrationId=integration_id)
    got.pop("ResponseMetadata"), updated.pop("ResponseMetadata")
    assert got == updated
    # API Gateway's invocations form of a function's ARN is taken too
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{ARN}:fn/invocations"
    integration(api, api_id, IntegrationUri=uri)
    proxy = api.create_integration(
        ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationUri="https://example.com/{proxy}",
        IntegrationMethod="ANY",
    )  # fmt: skip
    assert proxy["PayloadFormatVersion"] == "1.0"
    assert len(api.get_integrations(ApiId=api_id)["Items"]) == 3
    api.delete_integration(ApiId=api_id, IntegrationId=integration_id)
    code, status, message = refused(api.get_integration, ApiId=api_id, IntegrationId=integration_id)
    assert (code, status) == ("NotFoundException", 404)
    assert message.startswith("Invalid Integration identifier specified")


def test_integrations_http_apis_do_not_take_are_refused(endpoint):
    api = apigw(endpoint)
    api_id = api.create_api(Name="a", ProtocolType="HTTP")["ApiId"]
    for overrides, words in (
        ({"IntegrationType": "MOCK"}, "not supported for HTTP APIs"),
        ({"IntegrationUri": "arn:aws:sqs:us-east-1:000000000000:q"}, "Lambda function ARN"),
        ({"PayloadFormatVersion": "3.0"}, "PayloadFormatVersion"),
        ({"TimeoutInMillis": 40000}, "30000"),
        ({"RequestParameters": {"append:header.host": "b"}}, "reserved header"),
        ({"ResponseParameters": {"100": {"overwrite:statuscode": "200"}}}, "selection key"),
        ({"ResponseParameters": {"200": {"overwrite:statuscode": "7"}}}, "status code"),
        ({"ResponseParameters": {"200": {"append:path": "x"}}}, "mapping expression"),
        (
            {"ResponseParameters": {"200": {"append:header.a": "$request.header.b"}}},
            "mapping expression",
        ),
        ({"IntegrationSubtype": "SQS-SendMessage"}, "IntegrationUri is not supported"),
    ):
        code, status, message = refused(
            api.create_integration,
            **{"ApiId": api_id, "IntegrationType": "AWS_PROXY", "IntegrationUri": f"{ARN}:f",
               **overrides},
        )  # fmt: skip
        assert (code, status) == ("BadRequestException", 400), overrides
        assert words in message, (overrides, message)
    assert api.get_integrations(ApiId=api_id)["Items"] == []


def test_routes_are_created_read_updated_and_deleted_with_aws_errors(endpoint):
    api = apigw(endpoint)
    api_id = api.create_api(Name="a", ProtocolType="HTTP")["ApiId"]
    target = f"integrations/{integration(api, api_id)}"
    route = api.create_route(ApiId=api_id, RouteKey="GET /items/{id}", Target=target)
    assert (route["RouteKey"], route["Target"], route["AuthorizationType"]) == (
        "GET /items/{id}",
        target,
        "NONE",
    )
    route_id = route["RouteId"]
    api.create_route(ApiId=api_id, RouteKey="ANY /{proxy+}", Target=target)
    api.create_route(ApiId=api_id, RouteKey="$default", Target=target)
    code, status, message = refused(
        api.create_route, ApiId=api_id, RouteKey="GET /items/{id}", Target=target
    )
    assert (code, status) == ("ConflictException", 409)
    assert "GET /items/{id}" in message
    assert refused(api.create_route, ApiId=api_id, RouteKey="GET items")[:2] == (
        "BadRequestException",
        400,
    )
    code, _, message = refused(
        api.create_route, ApiId=api_id, RouteKey="GET /x", AuthorizationType="SIGV4"
    )
    assert code == "BadRequestException" and "authorizationType" in message
    assert refused(api.create_route, ApiId=api_id, RouteKey="GET /y", Target="integrations/zz")[
        :2
    ] == ("BadRequestException", 400)
    updated = api.update_route(ApiId=api_id, RouteId=route_id, RouteKey="GET /things/{id}")
    assert updated["RouteKey"] == "GET /things/{id}" and updated["Target"] == target
    assert api.get_route(ApiId=api_id, RouteId=route_id)["RouteKey"] == "GET /things/{id}"
    keys = {r["RouteKey"] for r in api.get_routes(ApiId=api_id)["Items"]}
    assert keys == {"GET /things/{id}", "ANY /{proxy+}", "$default"}
    # an integration a route targets stays while it does
    assert refused(api.delete_integration, ApiId=api_id, IntegrationId=target.split("/")[1])[
        :2
    ] == ("ConflictException", 409)
    api.delete_route(ApiId=api_id, RouteId=route_id)
    code, status, _ = refused(api.get_route, ApiId=api_id, RouteId=route_id)
    assert (code, status) == ("NotFoundException", 404)
    assert refused(api.get_routes, ApiId="nosuchapi1")[:2] == ("NotFoundException", 404)


def test_auto_deploy_stages_follow_changes_and_others_keep_their_deployment(endpoint):
    api = apigw(endpoint)
    api_id = api.create_api(Name="a", ProtocolType="HTTP")["ApiId"]
    target = f"integrations/{integration(api, api_id)}"
    api.create_route(ApiId=api_id, RouteKey="GET /a", Target=target)
    auto = api.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    assert auto["AutoDeploy"] is True and auto["DeploymentId"]
    fixed = api.create_stage(
        ApiId=api_id, StageName="prod", StageVariables={"color": "blue"}, Description="p"
    )
    assert "DeploymentId" not in fixed and fixed["StageVariables"] == {"color": "blue"}
    deployment = api.create_deployment(ApiId=api_id, StageName="prod", Description="first")
    assert deployment["AutoDeployed"] is False and deployment["Description"] == "first"
    updated = api.update_deployment(
        ApiId=api_id, DeploymentId=deployment["DeploymentId"], Description="second"
    )
    assert (updated["DeploymentId"], updated["Description"]) == (
        deployment["DeploymentId"],
        "second",
    )
    assert (
        api.get_deployment(ApiId=api_id, DeploymentId=deployment["DeploymentId"])["Description"]
        == "second"
    )
    assert refused(api.update_deployment, ApiId=api_id, DeploymentId="nope123")[:2] == (
        "NotFoundException",
        404,
    )
    assert (
        api.get_stage(ApiId=api_id, StageName="prod")["DeploymentId"]
        == (deployment["DeploymentId"])
    )
    api.create_route(ApiId=api_id, RouteKey="GET /b", Target=target)
    after = api.get_stage(ApiId=api_id, StageName="$default")["DeploymentId"]
    assert after != auto["DeploymentId"]  # redeployed on the change
    assert (
        api.get_stage(ApiId=api_id, StageName="prod")["DeploymentId"]
        == (deployment["DeploymentId"])
    )
    code, status, message = refused(
        api.delete_deployment, ApiId=api_id, DeploymentId=deployment["DeploymentId"]
    )
    assert (code, status) == ("BadRequestException", 400) and "Active stages" in message
    updated = api.update_stage(ApiId=api_id, StageName="prod", StageVariables={"color": "red"})
    assert updated["StageVariables"] == {"color": "red"} and updated["Description"] == "p"
    assert refused(api.create_stage, ApiId=api_id, StageName="prod")[:2] == (
        "ConflictException",
        409,
    )
    code, _, message = refused(  # a destination without a format (test_access_logs.py)
        api.create_stage, ApiId=api_id, StageName="logs",
        AccessLogSettings={"DestinationArn": "arn:aws:logs:us-east-1:000000000000:log-group:g"},
    )  # fmt: skip
    assert code == "BadRequestException" and "format" in message
    assert refused(api.create_stage, ApiId=api_id, StageName="bad name")[:2] == (
        "BadRequestException",
        400,
    )
    assert {s["StageName"] for s in api.get_stages(ApiId=api_id)["Items"]} == {"$default", "prod"}
    api.delete_stage(ApiId=api_id, StageName="prod")
    api.delete_deployment(ApiId=api_id, DeploymentId=deployment["DeploymentId"])
    code, status, message = refused(
        api.get_deployment, ApiId=api_id, DeploymentId=deployment["DeploymentId"]
    )
    assert (code, status) == ("NotFoundException", 404)
    assert refused(api.get_stage, ApiId=api_id, StageName="prod")[:2] == ("NotFoundException", 404)
    assert refused(api.create_deployment, ApiId=api_id, StageName="prod")[:2] == (
        "NotFoundException",
        404,
    )
