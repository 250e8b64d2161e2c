"""What a control-plane call acknowledged survives a SIGKILL: the API, its routes,
integrations, stages and deployments, and the data plane serves them after the restart."""

from __future__ import annotations

import pytest

from tests.conftest import ENGINES, client, own_server
from tests.services.apigatewayv2.helpers import by_host, echo_function
from tests.services.apigatewayv2.test_resources import integration


@pytest.mark.parametrize("engine", ENGINES)
def test_http_apis_survive_a_sigkill_and_restart(tmp_path, engine: str):
    with own_server(tmp_path / "data", engine, "lamina_apigwv2_durability") as lamina:
        functions, api = client("lambda", lamina.url), client("apigatewayv2", lamina.url)
        arn = echo_function(functions)
        cors = {"AllowOrigins": ["*"], "AllowMethods": ["GET"]}
        api_id = api.create_api(Name="kept", ProtocolType="HTTP", CorsConfiguration=cors)["ApiId"]
        target = f"integrations/{integration(api, api_id, IntegrationUri=arn)}"
        route_id = api.create_route(ApiId=api_id, RouteKey="GET /items/{id}", Target=target)[
            "RouteId"
        ]
        api.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True,
                         StageVariables={"k": "v"})  # fmt: skip
        before = {
            "api": api.get_api(ApiId=api_id),
            "routes": api.get_routes(ApiId=api_id)["Items"],
            "integrations": api.get_integrations(ApiId=api_id)["Items"],
            "stages": api.get_stages(ApiId=api_id)["Items"],
            "deployments": api.get_deployments(ApiId=api_id)["Items"],
        }
        assert by_host(lamina.url, api_id, "/prod/items/1").status_code == 200

        lamina.kill()
        lamina.start()

        api = client("apigatewayv2", lamina.url)
        after = {
            "api": api.get_api(ApiId=api_id),
            "routes": api.get_routes(ApiId=api_id)["Items"],
            "integrations": api.get_integrations(ApiId=api_id)["Items"],
            "stages": api.get_stages(ApiId=api_id)["Items"],
            "deployments": api.get_deployments(ApiId=api_id)["Items"],
        }
        for answer in (before["api"], after["api"]):
            answer.pop("ResponseMetadata")
        assert after == before
        assert api.get_route(ApiId=api_id, RouteId=route_id)["RouteKey"] == "GET /items/{id}"
        event = by_host(lamina.url, api_id, "/prod/items/9").json()
        assert event["pathParameters"] == {"id": "9"} and event["stageVariables"] == {"k": "v"}
