"""REST APIs, their deployments and stages survive a killed server (SIGKILL), on both engines:
the stage answers through the function after the restart as before."""

from __future__ import annotations

import signal

import pytest
import requests

from tests.conftest import ENGINES, client, make_zip, own_server
from tests.services.apigateway.conftest import (
    add_method,
    create_api_function,
    lambda_uri,
    root_of,
    stage_url,
)

HANDLER = "def handler(event, context):\n    return {'statusCode': 200, 'body': event['path']}\n"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_deployed_stage_answers_after_sigkill_and_restart(tmp_path, engine):
    with own_server(tmp_path / "data", engine, "apigw_rest_durability") as lamina:
        lambda_ = client("lambda", lamina.url)
        arn = create_api_function(
            lambda_, "fn", Code={"ZipFile": make_zip({"handler.py": HANDLER})}
        )
        apigw = client("apigateway", lamina.url)
        api_id = apigw.create_rest_api(name="durable")["id"]
        proxy = apigw.create_resource(
            restApiId=api_id, parentId=root_of(apigw, api_id), pathPart="{proxy+}"
        )["id"]
        uri = lambda_uri(arn["FunctionArn"])
        add_method(apigw, api_id, proxy, "ANY", type="AWS_PROXY", integrationHttpMethod="POST",
                   uri=uri)  # fmt: skip
        apigw.create_deployment(restApiId=api_id, stageName="live", variables={"v": "1"})
        lamina.stop(signal.SIGKILL)  # right after the answers: nothing may be lost
        lamina.start()
        apigw = client("apigateway", lamina.url)
        assert apigw.get_rest_api(restApiId=api_id)["name"] == "durable"
        assert apigw.get_stage(restApiId=api_id, stageName="live")["variables"] == {"v": "1"}
        answer = requests.get(f"{stage_url(lamina.url, api_id, 'live')}/after/restart", timeout=60)
        assert (answer.status_code, answer.text) == (200, "/after/restart")
