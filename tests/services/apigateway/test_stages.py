"""REST stages' method settings (throttling enforced) and canary releases, through boto3 and
plain HTTP against a live Lamina; the durable part again after a SIGKILL on both engines."""

from __future__ import annotations

import json
import signal

import pytest
import requests
from botocore.exceptions import ClientError

from tests.conftest import ENGINES, client, own_server
from tests.services.apigateway.conftest import root_of, stage_url

TEMPLATE = json.dumps({
    "release": "RELEASE",
    "color": "$stageVariables.color",
    "canary": "$context.isCanaryRequest",
    "deployment": "$context.deploymentId",
})  # fmt: skip


def _mock(apigw, api_id: str, resource_id: str, release: str) -> None:
    ids = {"restApiId": api_id, "resourceId": resource_id, "httpMethod": "GET"}
    apigw.put_method(**ids, authorizationType="NONE")
    apigw.put_integration(
        **ids, type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'}
    )
    apigw.put_method_response(**ids, statusCode="200")
    apigw.put_integration_response(
        **ids, statusCode="200", selectionPattern="",
        responseTemplates={"application/json": TEMPLATE.replace("RELEASE", release)},
    )  # fmt: skip


def _api(apigw) -> tuple[str, str, str]:
    """An API with GET / and GET /items (MOCK, answering which release served them)."""
    api_id = apigw.create_rest_api(name="stages")["id"]
    root = root_of(apigw, api_id)
    items = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="items")["id"]
    _mock(apigw, api_id, root, "one")
    _mock(apigw, api_id, items, "one")
    return api_id, root, items


def _error(call) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_method_settings_are_kept_as_aws_shows_them(apigw):
    api_id, _, _ = _api(apigw)
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    assert apigw.get_stage(restApiId=api_id, stageName="dev")["methodSettings"] == {}
    update = lambda *ops: apigw.update_stage(  # noqa: E731
        restApiId=api_id, stageName="dev", patchOperations=list(ops)
    )
    update(
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "100"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "50"},
        {"op": "replace", "path": "/*/*/metrics/enabled", "value": "false"},
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": "OFF"},
    )
    stage = update({"op": "replace", "path": "/~1items/GET/throttling/burstLimit", "value": "7"})
    settings = stage["methodSettings"]
    assert settings["*/*"] == {
        "metricsEnabled": False, "loggingLevel": "OFF", "dataTraceEnabled": False,
        "throttlingBurstLimit": 50, "throttlingRateLimit": 100.0, "cachingEnabled": False,
        "cacheTtlInSeconds": 300, "cacheDataEncrypted": False,
        "requireAuthorizationForCacheControl": True,
        "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
    }  # fmt: skip
    # a method's own entry starts from the stage's */*
    assert settings["~1items/GET"]["throttlingBurstLimit"] == 7
    assert settings["~1items/GET"]["throttlingRateLimit"] == 100.0
    listed = apigw.get_stages(restApiId=api_id)["item"][0]["methodSettings"]
    assert set(listed) == {"*/*", "~1items/GET"}
    # what Lamina cannot honour is refused, saying so
    refused = [("/*/*/metrics/enabled", "true"), ("/*/*/logging/loglevel", "INFO"),
               ("/*/*/caching/enabled", "true"), ("/*/*/logging/dataTrace", "true")]  # fmt: skip
    for path, value in refused:
        operation = {"op": "replace", "path": path, "value": value}
        code, message = _error(lambda operation=operation: update(operation))
        assert code == "BadRequestException" and "Lamina does not support" in message
    code, message = _error(lambda: update({"op": "replace", "path": "/bad/path", "value": "1"}))
    assert code == "BadRequestException"
    assert message.startswith("Invalid method setting path: /bad/path. Must be one of: [")
    code, _ = _error(
        lambda: update({"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "x"})
    )
    assert code == "BadRequestException"
    removed = update({"op": "remove", "path": "/~1items/GET"})["methodSettings"]
    assert set(removed) == {"*/*"}
    code, message = _error(lambda: update({"op": "remove", "path": "/~1items/GET"}))
    assert message.startswith("Cannot remove method setting ~1items/GET because")


def test_stage_and_method_throttling_answer_429(apigw, endpoint):
    api_id, _, _ = _api(apigw)
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    url = stage_url(endpoint, api_id, "dev")
    apigw.update_stage(
        restApiId=api_id, stageName="dev",
        patchOperations=[
            # a burst of 3 and next to no refill: the fourth request within the hour is throttled
            {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "3"},
            {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "0.0001"},
            {"op": "replace", "path": "/~1items/GET/throttling/burstLimit", "value": "-1"},
        ],
    )  # fmt: skip
    statuses = [requests.get(url + "/", timeout=30).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    throttled = requests.get(url + "/", timeout=30)
    assert throttled.status_code == 429
    assert throttled.json() == {"message": "Too Many Requests"}
    assert throttled.headers["x-amzn-ErrorType"] == "TooManyRequestsException"
    # /items has its own setting (-1: no throttle)
    assert all(requests.get(url + "/items", timeout=30).ok for _ in range(6))
    # the THROTTLED gateway response is the API's to change
    apigw.put_gateway_response(
        restApiId=api_id, responseType="THROTTLED", statusCode="429",
        responseTemplates={"application/json": '{"slow": "down"}'},
    )  # fmt: skip
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    assert requests.get(url + "/", timeout=30).json() == {"slow": "down"}


def test_canary_settings_on_stages_and_deployments(apigw):
    api_id, _, _ = _api(apigw)
    first = apigw.create_deployment(restApiId=api_id)["id"]
    second = apigw.create_deployment(restApiId=api_id)["id"]
    made = apigw.create_stage(
        restApiId=api_id, stageName="dev", deploymentId=first, variables={"color": "blue"},
        canarySettings={"deploymentId": second, "percentTraffic": 50,
                        "stageVariableOverrides": {"color": "green"}},
    )  # fmt: skip
    assert made["canarySettings"] == {
        "deploymentId": second, "percentTraffic": 50.0,
        "stageVariableOverrides": {"color": "green"}, "useStageCache": False,
    }  # fmt: skip
    update = lambda *ops: apigw.update_stage(  # noqa: E731
        restApiId=api_id, stageName="dev", patchOperations=list(ops)
    )
    changed = update(
        {"op": "replace", "path": "/canarySettings/stageVariableOverrides/color", "value": "red"}
    )
    assert changed["canarySettings"]["stageVariableOverrides"] == {"color": "red"}
    assert changed["variables"] == {"color": "blue"}
    assert "canarySettings" not in update({"op": "remove", "path": "/canarySettings"})
    # patching one canary field makes a canary of the stage's own deployment
    again = update({"op": "replace", "path": "/canarySettings/percentTraffic", "value": "10"})
    assert again["canarySettings"] == {
        "deploymentId": first,
        "percentTraffic": 10.0,
        "useStageCache": False,
    }
    code, message = _error(
        lambda: update({"op": "add", "path": "/canarySettings/deploymentId", "value": second})
    )
    assert (code, message) == (
        "BadRequestException",
        "Invalid add operation with path: /canarySettings/deploymentId",
    )
    code, _ = _error(
        lambda: update({"op": "replace", "path": "/canarySettings/deploymentId", "value": "nope"})
    )
    assert code == "NotFoundException"
    code, message = _error(
        lambda: update({"op": "replace", "path": "/canarySettings/useStageCache", "value": "true"})
    )
    assert "Lamina does not support" in message
    canary_only = {"percentTraffic": 50, "stageVariableOverrides": {"color": "green"}}
    code, message = _error(
        lambda: apigw.create_deployment(restApiId=api_id, canarySettings=canary_only)
    )
    assert message == (
        "Invalid deployment content specified.Non null and non empty stageName must be "
        "provided for canary deployment. Provided value is null"
    )
    code, message = _error(
        lambda: apigw.create_deployment(
            restApiId=api_id, stageName="nowhere", canarySettings=canary_only
        )
    )
    assert message == (
        "Invalid deployment content specified.Stage nowhere must already be created before "
        "making a canary release deployment"
    )
    third = apigw.create_deployment(restApiId=api_id, stageName="dev", canarySettings=canary_only)
    stage = apigw.get_stage(restApiId=api_id, stageName="dev")
    assert stage["deploymentId"] == first  # the stage keeps its release
    assert stage["canarySettings"] == {
        "deploymentId": third["id"], "percentTraffic": 50.0,
        "stageVariableOverrides": {"color": "green"}, "useStageCache": False,
    }  # fmt: skip
    code, _ = _error(lambda: apigw.delete_deployment(restApiId=api_id, deploymentId=third["id"]))
    assert code == "BadRequestException"  # the canary uses it
    promoted = update(
        {"op": "replace", "path": "/canarySettings/percentTraffic", "value": "0.0"},
        {"op": "copy", "from": "/canarySettings/deploymentId", "path": "/deploymentId"},
        {"op": "copy", "from": "/canarySettings/stageVariableOverrides", "path": "/variables"},
    )
    assert promoted["deploymentId"] == third["id"]
    assert promoted["variables"] == {"color": "green"}
    assert promoted["canarySettings"]["percentTraffic"] == 0.0


def test_the_canary_takes_its_share_of_requests(apigw, endpoint):
    api_id, root, _ = _api(apigw)
    apigw.create_deployment(restApiId=api_id, stageName="dev", variables={"color": "blue"})
    apigw.update_integration_response(
        restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200",
        patchOperations=[{"op": "replace", "path": "/responseTemplates/application~1json",
                          "value": TEMPLATE.replace("RELEASE", "two")}],
    )  # fmt: skip
    canary = apigw.create_deployment(
        restApiId=api_id, stageName="dev",
        canarySettings={"percentTraffic": 25, "stageVariableOverrides": {"color": "green"}},
    )["id"]  # fmt: skip
    url = stage_url(endpoint, api_id, "dev") + "/"
    seen = [requests.get(url, timeout=30).json() for _ in range(400)]
    canaries = [answer for answer in seen if answer["release"] == "two"]
    # 25% of 400 is 100 (standard deviation 8.7): loose bounds, about 5 of it either way
    assert 55 <= len(canaries) <= 145
    assert all(a == {"release": "two", "color": "green", "canary": "true", "deployment": canary}
               for a in canaries)  # fmt: skip
    assert all(a["color"] == "blue" and a["canary"] == "false" for a in seen if a not in canaries)
    apigw.update_stage(
        restApiId=api_id, stageName="dev",
        patchOperations=[{"op": "replace", "path": "/canarySettings/percentTraffic",
                          "value": "100"}],
    )  # fmt: skip
    assert all(requests.get(url, timeout=30).json()["release"] == "two" for _ in range(20))
    apigw.update_stage(
        restApiId=api_id,
        stageName="dev",
        patchOperations=[{"op": "remove", "path": "/canarySettings"}],
    )
    assert all(requests.get(url, timeout=30).json()["release"] == "one" for _ in range(20))


@pytest.mark.parametrize("engine", ENGINES)
def test_canary_and_throttles_survive_sigkill(tmp_path, engine):
    with own_server(tmp_path / "data", engine, "apigw_stages_durability") as lamina:
        apigw = client("apigateway", lamina.url)
        api_id, _, _ = _api(apigw)
        apigw.create_deployment(restApiId=api_id, stageName="dev", variables={"color": "blue"})
        apigw.create_deployment(
            restApiId=api_id, stageName="dev",
            canarySettings={"percentTraffic": 100, "stageVariableOverrides": {"color": "green"}},
        )  # fmt: skip
        apigw.update_stage(
            restApiId=api_id, stageName="dev",
            patchOperations=[
                {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "2"},
                {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "0.0001"},
            ],
        )  # fmt: skip
        lamina.stop(signal.SIGKILL)
        lamina.start()
        apigw = client("apigateway", lamina.url)
        stage = apigw.get_stage(restApiId=api_id, stageName="dev")
        assert stage["canarySettings"]["percentTraffic"] == 100.0
        assert stage["methodSettings"]["*/*"]["throttlingBurstLimit"] == 2
        url = stage_url(lamina.url, api_id, "dev") + "/"
        answers = [requests.get(url, timeout=60) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert answers[0].json()["color"] == "green"


def test_a_usage_plan_throttle_and_the_stage_throttle_both_hold(apigw, endpoint):
    api_id, root, _ = _api(apigw)
    apigw.update_method(
        restApiId=api_id, resourceId=root, httpMethod="GET",
        patchOperations=[{"op": "replace", "path": "/apiKeyRequired", "value": "true"}],
    )  # fmt: skip
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    keys = []
    for name, burst in (("a", "2"), ("b", "10")):
        key = apigw.create_api_key(name=name, enabled=True)
        plan = apigw.create_usage_plan(
            name=name, apiStages=[{"apiId": api_id, "stage": "dev"}],
            throttle={"burstLimit": int(burst), "rateLimit": 0.0001},
        )  # fmt: skip
        apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
        keys.append({"x-api-key": key["value"]})
    # the plan is applied first (as AWS orders them), then the stage: 5 through in all
    apigw.update_stage(
        restApiId=api_id, stageName="dev",
        patchOperations=[
            {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "5"},
            {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "0.0001"},
        ],
    )  # fmt: skip
    url = stage_url(endpoint, api_id, "dev") + "/"
    get = lambda headers: requests.get(url, headers=headers, timeout=30).status_code  # noqa: E731
    assert [get(keys[0]) for _ in range(3)] == [200, 200, 429]  # the plan's limit
    assert [get(keys[1]) for _ in range(4)] == [200, 200, 200, 429]  # the stage's 5 in all
