"""API keys and usage plans of REST APIs: the control plane through boto3 (keys, plans, their
keys, GetUsage, errors as AWS's) and the data plane over HTTP: apiKeyRequired methods want an
enabled key in a plan covering the stage (403 Forbidden), quotas (429 Limit Exceeded) and
throttles (429 Too Many Requests), identity.apiKey/apiKeyId in the proxy event, usage counted
and kept across a restart."""

from __future__ import annotations

import datetime
import json
import signal

import pytest
import requests
from botocore.exceptions import ClientError

from tests.conftest import ENGINES, client, error_of, make_zip, own_server
from tests.services.apigateway.conftest import create_api_function, lambda_uri, root_of, stage_url

ECHO = """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event)}
"""


def _keyed_api(apigw, lambda_, stage: str = "prod") -> str:
    """GET /keyed (apiKeyRequired) to an echoing function, GET /open without a key."""
    arn = create_api_function(lambda_, "echo", Code={"ZipFile": make_zip({"handler.py": ECHO})})
    api_id = apigw.create_rest_api(name="keyed")["id"]
    root = root_of(apigw, api_id)
    for part, required in (("keyed", True), ("open", False)):
        resource = apigw.create_resource(restApiId=api_id, parentId=root, pathPart=part)["id"]
        apigw.put_method(restApiId=api_id, resourceId=resource, httpMethod="GET",
                         authorizationType="NONE", apiKeyRequired=required)  # fmt: skip
        apigw.put_integration(
            restApiId=api_id, resourceId=resource, httpMethod="GET", type="AWS_PROXY",
            integrationHttpMethod="POST", uri=lambda_uri(arn["FunctionArn"]),
        )  # fmt: skip
    apigw.create_deployment(restApiId=api_id, stageName=stage)
    return api_id


def test_api_keys_lifecycle_and_errors(apigw):
    made = apigw.create_api_key(name="alice", description="d", enabled=True, customerId="c1")
    key_id = made["id"]
    assert len(made["value"]) >= 20 and made["enabled"] is True
    assert (made["name"], made["description"], made["customerId"]) == ("alice", "d", "c1")
    assert "value" not in apigw.get_api_key(apiKey=key_id)
    assert apigw.get_api_key(apiKey=key_id, includeValue=True)["value"] == made["value"]
    chosen = apigw.create_api_key(name="bob", value="b" * 24)
    assert chosen["enabled"] is False and chosen["value"] == "b" * 24
    listed = apigw.get_api_keys()["items"]
    assert [k["id"] for k in listed] == [key_id, chosen["id"]]
    assert all("value" not in k for k in listed)
    assert [k["value"] for k in apigw.get_api_keys(includeValues=True)["items"]] == [
        made["value"], "b" * 24,
    ]  # fmt: skip
    assert [k["id"] for k in apigw.get_api_keys(nameQuery="bo")["items"]] == [chosen["id"]]
    updated = apigw.update_api_key(
        apiKey=key_id,
        patchOperations=[
            {"op": "replace", "path": "/enabled", "value": "false"},
            {"op": "replace", "path": "/name", "value": "alicia"},
        ],
    )
    assert (updated["enabled"], updated["name"]) == (False, "alicia")

    with pytest.raises(ClientError) as short:
        apigw.create_api_key(name="x", value="short")
    assert error_of(short) == (
        "BadRequestException", 400, "API Key value should be at least 20 characters",
    )  # fmt: skip
    with pytest.raises(ClientError) as twice:
        apigw.create_api_key(name="y", value="b" * 24)
    assert error_of(twice) == ("ConflictException", 409, "API Key already exists")
    apigw.delete_api_key(apiKey=key_id)
    with pytest.raises(ClientError) as gone:
        apigw.get_api_key(apiKey=key_id)
    assert error_of(gone) == ("NotFoundException", 404, "Invalid API Key identifier specified")


def test_usage_plans_their_keys_and_errors(apigw, endpoint):
    api_id = _keyed_api(apigw, client("lambda", endpoint))
    plan = apigw.create_usage_plan(
        name="gold", description="g", apiStages=[{"apiId": api_id, "stage": "prod"}],
        throttle={"rateLimit": 10.0, "burstLimit": 5}, quota={"limit": 100, "period": "DAY"},
    )  # fmt: skip
    assert plan["apiStages"] == [{"apiId": api_id, "stage": "prod"}]
    assert plan["throttle"] == {"rateLimit": 10.0, "burstLimit": 5}
    assert plan["quota"] == {"limit": 100, "offset": 0, "period": "DAY"}
    assert apigw.get_usage_plan(usagePlanId=plan["id"])["name"] == "gold"
    key = apigw.create_api_key(name="k", enabled=True)
    linked = apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert (linked["id"], linked["type"], linked["value"]) == (key["id"], "API_KEY", key["value"])
    assert [k["id"] for k in apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]] == [
        key["id"]
    ]
    assert [p["id"] for p in apigw.get_usage_plans(keyId=key["id"])["items"]] == [plan["id"]]
    with pytest.raises(ClientError) as twice:
        apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert error_of(twice)[:2] == ("ConflictException", 409)
    # A second plan on the same stage cannot take the same key.
    other = apigw.create_usage_plan(name="silver", apiStages=[{"apiId": api_id, "stage": "prod"}])
    with pytest.raises(ClientError) as overlap:
        apigw.create_usage_plan_key(usagePlanId=other["id"], keyId=key["id"], keyType="API_KEY")
    assert error_of(overlap)[:2] == ("ConflictException", 409)

    updated = apigw.update_usage_plan(
        usagePlanId=plan["id"],
        patchOperations=[
            {"op": "replace", "path": "/quota/limit", "value": "50"},
            {"op": "replace", "path": "/throttle/rateLimit", "value": "20"},
            {"op": "remove", "path": "/apiStages", "value": f"{api_id}:prod"},
        ],
    )
    assert updated["quota"]["limit"] == 50 and updated["throttle"]["rateLimit"] == 20.0
    assert updated["apiStages"] == []

    with pytest.raises(ClientError) as bad_stage:
        apigw.create_usage_plan(name="x", apiStages=[{"apiId": api_id, "stage": "nope"}])
    assert error_of(bad_stage)[:2] == ("BadRequestException", 400)
    with pytest.raises(ClientError) as bad_period:
        apigw.create_usage_plan(name="x", quota={"limit": 1, "period": "DAY", "offset": 3})
    assert error_of(bad_period)[:2] == ("BadRequestException", 400)
    apigw.delete_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])
    assert apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"] == []
    apigw.delete_usage_plan(usagePlanId=plan["id"])
    with pytest.raises(ClientError) as gone:
        apigw.get_usage_plan(usagePlanId=plan["id"])
    assert error_of(gone) == ("NotFoundException", 404, "Invalid Usage Plan ID specified")


def test_api_key_required_quota_throttle_and_usage(apigw, endpoint):
    api_id = _keyed_api(apigw, client("lambda", endpoint))
    url = stage_url(endpoint, api_id, "prod")
    key = apigw.create_api_key(name="k", enabled=True)
    headers = {"x-api-key": key["value"]}

    def get(path: str, **kwargs) -> requests.Response:
        return requests.get(f"{url}{path}", timeout=30, **kwargs)

    assert get("/open").status_code == 200  # no key needed
    missing = get("/keyed")
    assert (missing.status_code, missing.json()) == (403, {"message": "Forbidden"})
    assert missing.headers["x-amzn-ErrorType"] == "ForbiddenException"
    assert get("/keyed", headers=headers).status_code == 403  # in no plan yet
    plan = apigw.create_usage_plan(
        name="p",
        apiStages=[{"apiId": api_id, "stage": "prod"}],
        quota={"limit": 3, "period": "DAY"},
    )
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert get("/keyed", headers={"x-api-key": "w" * 30}).status_code == 403  # an unknown key
    answer = get("/keyed", headers=headers)
    assert answer.status_code == 200, answer.text
    identity = answer.json()["requestContext"]["identity"]
    assert (identity["apiKey"], identity["apiKeyId"]) == (key["value"], key["id"])
    assert get("/keyed", headers=headers).status_code == 200
    assert get("/keyed", headers=headers).status_code == 200
    spent = get("/keyed", headers=headers)
    assert (spent.status_code, spent.json()) == (429, {"message": "Limit Exceeded"})
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    usage = apigw.get_usage(usagePlanId=plan["id"], startDate=today, endDate=today)
    assert usage["items"] == {key["id"]: [[3, 0]]}

    # A disabled key is refused; a throttle of 1 request a second with a burst of 2.
    apigw.update_api_key(
        apiKey=key["id"], patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}]
    )
    assert get("/keyed", headers=headers).status_code == 403
    fast = apigw.create_api_key(name="fast", enabled=True)
    throttled = apigw.create_usage_plan(
        name="t", apiStages=[{"apiId": api_id, "stage": "prod"}],
        throttle={"rateLimit": 0.01, "burstLimit": 2},
    )  # fmt: skip
    apigw.create_usage_plan_key(usagePlanId=throttled["id"], keyId=fast["id"], keyType="API_KEY")
    codes = [get("/keyed", headers={"x-api-key": fast["value"]}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    too_many = get("/keyed", headers={"x-api-key": fast["value"]})
    assert too_many.json() == {"message": "Too Many Requests"}


@pytest.mark.parametrize("engine", ENGINES)
def test_usage_survives_a_restart(tmp_path, engine):
    with own_server(tmp_path / "data", engine, "apigw_keys_durability") as lamina:
        apigw = client("apigateway", lamina.url)
        api_id = _keyed_api(apigw, client("lambda", lamina.url))
        key = apigw.create_api_key(name="k", enabled=True)
        plan = apigw.create_usage_plan(
            name="p", apiStages=[{"apiId": api_id, "stage": "prod"}],
            quota={"limit": 3, "period": "MONTH"},
        )  # fmt: skip
        apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
        url = f"{stage_url(lamina.url, api_id, 'prod')}/keyed"
        for _ in range(2):
            assert requests.get(url, headers={"x-api-key": key["value"]}, timeout=30).ok
        lamina.stop(signal.SIGTERM)  # a graceful stop writes what was counted
        lamina.start()
        answer = requests.get(url, headers={"x-api-key": key["value"]}, timeout=30)
        assert answer.status_code == 200, answer.text
        spent = requests.get(url, headers={"x-api-key": key["value"]}, timeout=30)
        assert spent.status_code == 429  # the quota counted the requests before the restart
        today = datetime.datetime.now(datetime.UTC).date().isoformat()
        usage = client("apigateway", lamina.url).get_usage(
            usagePlanId=plan["id"], startDate=today, endDate=today
        )
        assert usage["items"][key["id"]][0][0] == 3
        assert json.loads(json.dumps(usage["items"]))  # plain JSON numbers


def test_a_plans_per_method_throttles(apigw, endpoint):
    api_id = _keyed_api(apigw, client("lambda", endpoint))
    url = stage_url(endpoint, api_id, "prod")
    key = apigw.create_api_key(name="m", enabled=True)
    plan = apigw.create_usage_plan(
        name="per-method",
        apiStages=[{"apiId": api_id, "stage": "prod",
                    "throttle": {"/keyed/GET": {"rateLimit": 0.01, "burstLimit": 1}}}],
    )  # fmt: skip
    assert plan["apiStages"][0]["throttle"] == {"/keyed/GET": {"rateLimit": 0.01, "burstLimit": 1}}
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    headers = {"x-api-key": key["value"]}
    codes = [requests.get(f"{url}/keyed", headers=headers, timeout=30).status_code
             for _ in range(2)]  # fmt: skip
    assert codes == [200, 429]  # the method's own limit, before the plan's (none)

    # Terraform's patches: the stage added, then its method's limits, raw slashes and all
    stage_id = f"{api_id}:prod"
    patched = apigw.update_usage_plan(usagePlanId=plan["id"], patchOperations=[
        {"op": "remove", "path": "/apiStages", "value": stage_id},
        {"op": "add", "path": "/apiStages", "value": stage_id},
        {"op": "replace", "path": f"/apiStages/{stage_id}/throttle//keyed/GET/rateLimit",
         "value": "100"},
        {"op": "replace", "path": f"/apiStages/{stage_id}/throttle//keyed/GET/burstLimit",
         "value": "50"},
    ])  # fmt: skip
    assert patched["apiStages"] == [{"apiId": api_id, "stage": "prod",
                                     "throttle": {"/keyed/GET": {"rateLimit": 100.0,
                                                                 "burstLimit": 50}}}]  # fmt: skip
    assert requests.get(f"{url}/keyed", headers=headers, timeout=30).status_code == 200
    removed = apigw.update_usage_plan(usagePlanId=plan["id"], patchOperations=[
        {"op": "remove", "path": f"/apiStages/{stage_id}/throttle//keyed/GET"},
    ])  # fmt: skip
    assert "throttle" not in removed["apiStages"][0]

    def refused(**params) -> tuple[str, int, str]:
        with pytest.raises(ClientError) as error:
            if "usagePlanId" in params:
                apigw.update_usage_plan(**params)
            else:
                apigw.create_usage_plan(**params)
        return error_of(error)

    for throttle in ({"keyed/GET": {"rateLimit": 1.0}}, {"/keyed/FETCH": {"rateLimit": 1.0}}):
        code, status, message = refused(name="bad", apiStages=[
            {"apiId": api_id, "stage": "prod", "throttle": throttle}])  # fmt: skip
        assert (code, status) == ("BadRequestException", 400) and "throttle key" in message
    code, _, message = refused(usagePlanId=plan["id"], patchOperations=[
        {"op": "replace", "path": f"/apiStages/{api_id}:nosuch/throttle//keyed/GET/rateLimit",
         "value": "1"}])  # fmt: skip
    assert code == "BadRequestException" and "Invalid API Stage" in message
    code, _, _ = refused(usagePlanId=plan["id"], patchOperations=[
        {"op": "replace", "path": f"/apiStages/{stage_id}/throttle//keyed/GET/rateLimit",
         "value": "fast"}])  # fmt: skip
    assert code == "BadRequestException"
    assert "throttle" not in apigw.get_usage_plan(usagePlanId=plan["id"])["apiStages"][0]


def test_import_api_keys_from_aws_csv_format(apigw, endpoint):
    api_id = _keyed_api(apigw, client("lambda", endpoint))
    first = apigw.create_usage_plan(name="a", apiStages=[{"apiId": api_id, "stage": "prod"}])
    second = apigw.create_usage_plan(name="b")
    csv = (
        "Name,key,description,Enabled,usageplanIds,Ignored\n"
        f'one,{"a" * 25},An imported key,TRUE,"{first["id"]},{second["id"]}",x\n'
        f"two,{'b' * 25},,false,'{second['id']}',y\n"
        f"short,{'c' * 5},,,,\n"
    )
    made = apigw.import_api_keys(body=csv.encode(), format="csv")
    assert len(made["ids"]) == 2
    assert len(made["warnings"]) == 1 and "20 to 128" in made["warnings"][0]
    keys = {k["name"]: k for k in apigw.get_api_keys(includeValues=True)["items"]}
    assert set(keys) == {"one", "two"}
    assert (keys["one"]["enabled"], keys["one"]["description"]) == (True, "An imported key")
    assert (keys["two"]["enabled"], keys["two"]["value"]) == (False, "b" * 25)
    in_first = apigw.get_usage_plan_keys(usagePlanId=first["id"])["items"]
    in_second = apigw.get_usage_plan_keys(usagePlanId=second["id"])["items"]
    assert [k["name"] for k in in_first] == ["one"]
    assert sorted(k["name"] for k in in_second) == ["one", "two"]
    # the imported key opens the plan's stage
    url = f"{stage_url(endpoint, api_id, 'prod')}/keyed"
    assert requests.get(url, headers={"x-api-key": "a" * 25}, timeout=30).status_code == 200

    # the same value again overwrites that key (AWS's rule), no new one
    again = apigw.import_api_keys(body=f"key,name\n{'a' * 25},renamed\n".encode(), format="csv")
    assert again["ids"] == [keys["one"]["id"]]
    assert apigw.get_api_key(apiKey=keys["one"]["id"])["name"] == "renamed"
    assert len(apigw.get_api_keys()["items"]) == 2

    def refused(body: str, **params) -> tuple[str, int, str]:
        with pytest.raises(ClientError) as error:
            apigw.import_api_keys(body=body.encode(), **{"format": "csv", **params})
        return error_of(error)

    assert refused(f"name,value\nx,{'d' * 25}\n")[:2] == ("BadRequestException", 400)
    assert refused(f"name,key\nx,{'d' * 25}\n", format="json")[1] == 400  # csv only
    code, _, message = refused(f"name,key\nx,{'d' * 25}\ny,short\n", failOnWarnings=True)
    assert code == "BadRequestException" and "Row 2" in message
    code, _, message = refused(f"name,key,usageplanids\nz,{'e' * 25},nosuch\n",
                               failOnWarnings=True)  # fmt: skip
    assert code == "BadRequestException" and "nosuch" in message
    assert len(apigw.get_api_keys()["items"]) == 2  # nothing refused was made


def test_update_usage_extends_the_current_quota(apigw, endpoint):
    api_id = _keyed_api(apigw, client("lambda", endpoint))
    key = apigw.create_api_key(name="q", enabled=True)
    plan = apigw.create_usage_plan(
        name="q", apiStages=[{"apiId": api_id, "stage": "prod"}],
        quota={"limit": 2, "period": "MONTH"},
    )  # fmt: skip
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    url = f"{stage_url(endpoint, api_id, 'prod')}/keyed"
    headers = {"x-api-key": key["value"]}
    codes = [requests.get(url, headers=headers, timeout=30).status_code for _ in range(3)]
    assert codes == [200, 200, 429]

    def remaining(value: str) -> dict:
        return apigw.update_usage(
            usagePlanId=plan["id"], keyId=key["id"],
            patchOperations=[{"op": "replace", "path": "/remaining", "value": value}],
        )  # fmt: skip

    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    assert remaining("2")["items"] == {key["id"]: [[2, 2]]}
    codes = [requests.get(url, headers=headers, timeout=30).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    usage = apigw.get_usage(usagePlanId=plan["id"], startDate=today, endDate=today)
    assert usage["items"] == {key["id"]: [[4, 0]]}

    for value in ("-1", "many"):
        with pytest.raises(ClientError) as error:
            remaining(value)
        assert error_of(error)[:2] == ("BadRequestException", 400)
    with pytest.raises(ClientError) as error:
        apigw.update_usage(usagePlanId=plan["id"], keyId="nosuchkey0", patchOperations=[
            {"op": "replace", "path": "/remaining", "value": "1"}])  # fmt: skip
    assert error_of(error)[:2] == ("NotFoundException", 404)
    unlimited = apigw.create_usage_plan(name="no-quota")
    apigw.create_usage_plan_key(usagePlanId=unlimited["id"], keyId=key["id"], keyType="API_KEY")
    with pytest.raises(ClientError) as error:
        apigw.update_usage(usagePlanId=unlimited["id"], keyId=key["id"], patchOperations=[
            {"op": "replace", "path": "/remaining", "value": "1"}])  # fmt: skip
    assert error_of(error)[:2] == ("BadRequestException", 400)
