"""REST APIs' resource policies: `policy` on CreateRestApi, UpdateRestApi (`replace /policy`)
and OpenAPI's x-amazon-apigateway-policy, answered by GetRestApi as AWS escapes it, refused in
AWS's words when it is not a policy document; on the data plane evaluated from the next
deployment for each request, with the method's authorization as AWS's outcome tables combine
them, its denials 403 ACCESS_DENIED `{"Message": …}` as AWS words them."""

from __future__ import annotations

import json
import signal

import pytest
import requests
from botocore.exceptions import ClientError

from tests.conftest import ENGINES, client, error_of, make_zip, own_server
from tests.services.apigateway.conftest import create_api_function, lambda_uri, root_of, stage_url
from tests.services.apigateway.test_aws_iam import _denied, _invoke_policy, _signed

INVALID = (
    "Invalid policy document. Please check the policy syntax and ensure that Principals are valid."
)
ACCOUNT = "000000000000"


def _policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _statement(effect: str, resource: str = "execute-api:/*", principal="*", **more) -> dict:
    return {"Effect": effect, "Principal": principal, "Action": "execute-api:Invoke",
            "Resource": resource, **more}  # fmt: skip


def _mock_api(
    apigw, endpoint: str, authorization: str = "NONE", authorizer: dict | None = None, **create
) -> tuple[str, str]:
    """A REST API answering any method on any path by a MOCK, deployed as `prod`: (id, URL)."""
    api_id = apigw.create_rest_api(name="guarded", **create)["id"]
    proxy = apigw.create_resource(
        restApiId=api_id, parentId=root_of(apigw, api_id), pathPart="{proxy+}"
    )["id"]
    ids = {"restApiId": api_id, "resourceId": proxy, "httpMethod": "ANY"}
    if authorizer is not None:
        made = apigw.create_authorizer(restApiId=api_id, **authorizer)
        apigw.put_method(**ids, authorizationType="CUSTOM", authorizerId=made["id"])
    else:
        apigw.put_method(**ids, authorizationType=authorization)
    apigw.put_integration(
        **ids, type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'}
    )
    apigw.put_method_response(**ids, statusCode="200")
    apigw.put_integration_response(
        **ids, statusCode="200", responseTemplates={"application/json": '{"ok": true}'}
    )
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    return api_id, stage_url(endpoint, api_id, "prod")


def _anonymous(answer: requests.Response, resource: str, explicit: bool = False) -> None:
    _denied(answer, "anonymous", resource, explicit)


def _set_policy(apigw, api_id: str, policy: str) -> dict:
    return apigw.update_rest_api(
        restApiId=api_id, patchOperations=[{"op": "replace", "path": "/policy", "value": policy}]
    )


def test_get_rest_api_answers_the_policy_as_aws_escapes_it(apigw):
    ip = {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
    policy = _policy(_statement("Allow", "execute-api:/*/GET/pets", Condition=ip))
    made = apigw.create_rest_api(name="escaped", policy=policy)
    api_id = made["id"]
    arn = f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{api_id}"
    # compact, quotes and slashes backslash-escaped, execute-api: made the API's ARN (AWS's way)
    expected = (
        '{\\"Version\\":\\"2012-10-17\\",\\"Statement\\":[{\\"Effect\\":\\"Allow\\",'
        '\\"Principal\\":\\"*\\",\\"Action\\":\\"execute-api:Invoke\\",\\"Resource\\":\\"'
        + arn + '\\/*\\/GET\\/pets\\",\\"Condition\\":{\\"IpAddress\\":{\\"aws:SourceIp\\":'
        '\\"10.0.0.0\\/8\\"}}}]}'
    )  # fmt: skip
    assert made["policy"] == expected
    assert apigw.get_rest_api(restApiId=api_id)["policy"] == expected
    listed = apigw.get_rest_apis()["items"]
    assert next(a for a in listed if a["id"] == api_id)["policy"] == expected

    # UpdateRestApi replaces it; an empty value removes it
    replaced = _set_policy(apigw, api_id, _policy(_statement("Deny", f"{arn}/*")))
    assert replaced["policy"].startswith('{\\"Version\\":\\"2012-10-17\\",\\"Statement\\":[{')
    assert f'\\"Resource\\":\\"{arn}\\/*\\"' in replaced["policy"]
    assert "policy" not in _set_policy(apigw, api_id, "")
    assert "policy" not in apigw.get_rest_api(restApiId=api_id)
    assert "policy" not in apigw.create_rest_api(name="open")


@pytest.mark.parametrize(
    "policy",
    [
        "not json",
        "[]",
        json.dumps({"Version": "2012-10-17"}),  # no Statement
        _policy(),  # no statement in it
        _policy({"Principal": "*", "Action": "execute-api:Invoke", "Resource": "*"}),  # no Effect
        _policy(_statement("Maybe")),
        _policy(_statement("Allow", principal="bob")),
        _policy(_statement("Allow", principal={"AWS": "not-an-arn"})),
        _policy(_statement("Allow", principal={"Someone": "*"})),
        _policy(
            {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}
        ),  # no Principal
        _policy(_statement("Allow", NotAction="execute-api:Invoke")),  # Action and NotAction
        _policy(_statement("Allow", Resource=[])),
        _policy(_statement("Allow", Condition={"IpAddress": "10.0.0.0/8"})),
        _policy(_statement("Allow", Unknown=1)),
        json.dumps({"Version": "2001-01-01", "Statement": [_statement("Allow")]}),
    ],
)
def test_what_is_not_a_policy_document_is_refused(apigw, policy):
    with pytest.raises(ClientError) as raised:
        apigw.create_rest_api(name="bad", policy=policy)
    assert error_of(raised) == ("BadRequestException", 400, INVALID)


def test_a_bad_policy_is_refused_by_update_import_and_for_its_length(apigw):
    api_id = apigw.create_rest_api(name="kept", policy=_policy(_statement("Allow")))["id"]
    before = apigw.get_rest_api(restApiId=api_id)["policy"]
    with pytest.raises(ClientError) as raised:
        _set_policy(apigw, api_id, '{"Statement": "nope"}')
    assert error_of(raised) == ("BadRequestException", 400, INVALID)
    assert apigw.get_rest_api(restApiId=api_id)["policy"] == before
    long = _policy(*[_statement("Allow", f"execute-api:/prod/GET/{n:04}") for n in range(120)])
    assert len(long) > 8192  # API Gateway's quota, in characters
    with pytest.raises(ClientError) as raised:
        apigw.create_rest_api(name="long", policy=long)
    assert error_of(raised)[:2] == ("BadRequestException", 400)
    document = {"openapi": "3.0.1", "info": {"title": "bad", "version": "1"}, "paths": {},
                "x-amazon-apigateway-policy": {"Statement": [{"Effect": "Allow"}]}}  # fmt: skip
    with pytest.raises(ClientError) as raised:
        apigw.import_rest_api(body=json.dumps(document))
    assert error_of(raised) == ("BadRequestException", 400, INVALID)


def test_a_policy_allows_or_denies_by_source_ip_from_the_next_deployment(apigw, endpoint):
    local = {"IpAddress": {"aws:SourceIp": ["127.0.0.0/8", "::1/128"]}}
    api_id, url = _mock_api(apigw, endpoint, policy=_policy(_statement("Allow", Condition=local)))
    arn = f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{api_id}/prod"
    answer = requests.get(f"{url}/pets", timeout=30)
    assert (answer.status_code, answer.json()) == (200, {"ok": True})

    elsewhere = {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
    _set_policy(apigw, api_id, _policy(_statement("Allow", Condition=elsewhere)))
    assert requests.get(f"{url}/pets", timeout=30).status_code == 200  # not deployed yet
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    _anonymous(requests.get(f"{url}/pets", timeout=30), f"{arn}/GET/pets")  # implicitly

    not_local = {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
    _set_policy(apigw, api_id, _policy(_statement("Allow"),
                                       _statement("Deny", Condition=not_local)))  # fmt: skip
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    _anonymous(requests.post(f"{url}/pets/1", timeout=30), f"{arn}/POST/pets/1", explicit=True)

    # removed, and deployed: everyone again
    _set_policy(apigw, api_id, "")
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    assert requests.post(f"{url}/pets/1", timeout=30).status_code == 200


def test_a_deny_by_path_and_method_wins_over_the_allow(apigw, endpoint):
    policy = _policy(
        _statement("Allow"),
        _statement("Deny", "execute-api:/*/POST/admin/*"),
        _statement("Allow", "execute-api:/prod/*/public"),
    )
    api_id, url = _mock_api(apigw, endpoint, policy=policy)
    arn = f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{api_id}/prod"
    assert requests.get(f"{url}/admin/users", timeout=30).status_code == 200
    _anonymous(requests.post(f"{url}/admin/users", timeout=30), f"{arn}/POST/admin/users", True)
    assert requests.post(f"{url}/public", timeout=30).status_code == 200

    # NotResource: everything but /open is denied
    _set_policy(apigw, api_id, _policy(
        _statement("Allow"),
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
         "NotResource": "execute-api:/prod/GET/open"},
    ))  # fmt: skip
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    assert requests.get(f"{url}/open", timeout=30).status_code == 200
    _anonymous(requests.delete(f"{url}/open", timeout=30), f"{arn}/DELETE/open", True)
    # a principal that is not anonymous allows nobody unsigned
    _set_policy(apigw, api_id, _policy(_statement("Allow", principal={"AWS": ACCOUNT})))
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    _anonymous(requests.get(f"{url}/open", timeout=30), f"{arn}/GET/open")


def test_access_denied_takes_its_gateway_response(apigw, endpoint):
    api_id, url = _mock_api(apigw, endpoint, policy=_policy(_statement("Deny")))
    apigw.put_gateway_response(
        restApiId=api_id, responseType="ACCESS_DENIED", statusCode="451",
        responseTemplates={"application/json": '{"why": $context.error.messageString}'},
    )  # fmt: skip
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    answer = requests.get(f"{url}/x", timeout=30)
    arn = f"arn:aws:execute-api:us-east-1:********0000:{api_id}/prod/GET/x"
    assert answer.status_code == 451
    assert answer.json() == {
        "why": f"User: anonymous is not authorized to perform: execute-api:Invoke on resource: "
        f"{arn} with an explicit deny"
    }


def test_aws_iam_with_a_policy_in_the_same_account_and_from_another(apigw, endpoint):
    api_id, url = _mock_api(apigw, endpoint, authorization="AWS_IAM")
    arn = f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{api_id}/prod/POST/orders"
    iam = client("iam", endpoint)
    user = iam.create_user(UserName="policy-caller")["User"]
    keys = iam.create_access_key(UserName="policy-caller")["AccessKey"]
    signed = lambda key=keys: _signed(  # noqa: E731
        f"{url}/orders", key["AccessKeyId"], key["SecretAccessKey"]
    )
    _denied(signed(), user["Arn"], arn)  # neither allows (Table A)
    # the resource policy alone lets the same account's user in, by its ARN
    _set_policy(apigw, api_id, _policy(_statement("Allow", principal={"AWS": user["Arn"]})))
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    assert signed().status_code == 200
    # its Deny wins over the user's own Allow
    iam.put_user_policy(UserName="policy-caller", PolicyName="all",
                        PolicyDocument=_invoke_policy("Allow", "*"))  # fmt: skip
    _set_policy(apigw, api_id, _policy(
        _statement("Deny", principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                   Condition={"StringEquals": {"aws:PrincipalAccount": ACCOUNT}})))  # fmt: skip
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    _denied(signed(), user["Arn"], arn, explicit=True)

    # another account's user: both its own policies and the resource policy must allow (Table B)
    other = client("iam", endpoint, access_key="111111111111")
    stranger = other.create_user(UserName="stranger")["User"]
    stranger_keys = other.create_access_key(UserName="stranger")["AccessKey"]
    _set_policy(apigw, api_id, _policy(_statement("Allow", principal={"AWS": "111111111111"})))
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    _denied(signed(stranger_keys), stranger["Arn"], arn)
    other.put_user_policy(UserName="stranger", PolicyName="all",
                          PolicyDocument=_invoke_policy("Allow", "*"))  # fmt: skip
    assert signed(stranger_keys).status_code == 200
    assert signed().status_code == 200  # the same account's user: its own Allow suffices


AUTHORIZER = """
def handler(event, context):
    token, arn = event["authorizationToken"], event["methodArn"]
    if token == "unauthorized":
        raise Exception("Unauthorized")
    resource = arn if token in ("allow", "deny") else arn.split("/", 1)[0] + "/other/*"
    effect = "Deny" if token == "deny" else "Allow"
    return {"principalId": "p", "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]}}
"""


def test_a_lambda_authorizer_with_a_policy(apigw, endpoint):
    lambda_ = client("lambda", endpoint)
    code = {"ZipFile": make_zip({"handler.py": AUTHORIZER})}
    function = create_api_function(lambda_, "policy-authorizer", Code=code)["FunctionArn"]
    authorizer = {"name": "tok", "type": "TOKEN", "authorizerUri": lambda_uri(function),
                  "identitySource": "method.request.header.Authorization",
                  "authorizerResultTtlInSeconds": 0}  # fmt: skip
    policy = _policy(_statement("Allow", "execute-api:/*/GET/open"),
                     _statement("Deny", "execute-api:/*/*/blocked"))  # fmt: skip
    api_id, url = _mock_api(apigw, endpoint, authorizer=authorizer, policy=policy)
    arn = f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{api_id}/prod"
    get = lambda path, token: requests.get(  # noqa: E731
        f"{url}/{path}", headers={"Authorization": token}, timeout=30
    )
    # the policy's Deny refuses before the authorizer is asked (it would answer 401)
    _anonymous(get("blocked", "unauthorized"), f"{arn}/GET/blocked", explicit=True)
    assert get("elsewhere", "unauthorized").status_code == 401
    # Table A: the authorizer's or the policy's Allow suffices, a Deny of either refuses
    assert get("open", "silent").status_code == 200
    assert get("elsewhere", "allow").status_code == 200
    silent = get("elsewhere", "silent")
    assert (silent.status_code, silent.json()) == (
        403, {"Message": "User is not authorized to access this resource"},
    )  # fmt: skip
    denied = get("open", "deny")
    assert (denied.status_code, denied.json()) == (
        403, {"Message": "User is not authorized to access this resource with an explicit deny"},
    )  # fmt: skip


def test_a_disabled_default_endpoint_and_a_custom_domain(apigw, endpoint):
    policy = _policy(_statement("Allow"), _statement("Deny", "execute-api:/*/*/secret"))
    api_id, url = _mock_api(apigw, endpoint, policy=policy, disableExecuteApiEndpoint=True)
    assert apigw.get_rest_api(restApiId=api_id)["disableExecuteApiEndpoint"] is True
    by_host = {"Host": f"{api_id}.execute-api.localhost"}
    for answer in (
        requests.get(f"{url}/open", timeout=30),
        requests.get(f"{endpoint}/prod/open", headers=by_host, timeout=30),
        requests.get(f"{endpoint}/restapis/{api_id}/prod/_user_request_/open", timeout=30),
    ):
        assert (answer.status_code, answer.json()) == (403, {"message": "Forbidden"})
    # a custom domain name still serves it, the policy evaluated there too
    apigw.create_domain_name(
        domainName="guarded.example.com", endpointConfiguration={"types": ["REGIONAL"]},
        regionalCertificateArn="arn:aws:acm:us-east-1:000000000000:certificate/1234",
    )  # fmt: skip
    apigw.create_base_path_mapping(domainName="guarded.example.com", restApiId=api_id,
                                   stage="prod", basePath="v1")  # fmt: skip
    on_domain = lambda path: requests.get(  # noqa: E731
        f"{endpoint}{path}", headers={"Host": "guarded.example.com"}, timeout=30
    )
    assert (on_domain("/v1/open").status_code, on_domain("/v1/open").json()) == (200, {"ok": True})
    arn = f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{api_id}/prod/GET/secret"
    _anonymous(on_domain("/v1/secret"), arn, explicit=True)
    # enabled again (from the next deployment): the default endpoint answers
    apigw.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/disableExecuteApiEndpoint", "value": "false"}])  # fmt: skip
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    assert requests.get(f"{url}/open", timeout=30).status_code == 200
    apigw.delete_domain_name(domainName="guarded.example.com")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_policy_survives_a_restart(tmp_path, engine):
    with own_server(tmp_path / "data", engine, "apigw_policy_durability") as lamina:
        apigw = client("apigateway", lamina.url)
        policy = _policy(_statement("Deny", "execute-api:/*/DELETE/*"), _statement("Allow"))
        api_id, url = _mock_api(apigw, lamina.url, policy=policy)
        kept = apigw.get_rest_api(restApiId=api_id)["policy"]
        lamina.stop(signal.SIGKILL)  # right after the answers: nothing may be lost
        lamina.start()
        apigw = client("apigateway", lamina.url)
        assert apigw.get_rest_api(restApiId=api_id)["policy"] == kept
        url = stage_url(lamina.url, api_id, "prod")
        assert requests.get(f"{url}/a", timeout=60).status_code == 200
        assert requests.delete(f"{url}/a", timeout=60).status_code == 403


def test_openapi_import_and_export_carry_the_policy(apigw, endpoint):
    document = {
        "openapi": "3.0.1", "info": {"title": "imported", "version": "1"},
        "paths": {"/pets": {"get": {
            "responses": {"200": {"description": "ok"}},
            "x-amazon-apigateway-integration": {
                "type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'},
                "responses": {"default": {"statusCode": "200"}}},
        }}},
        "x-amazon-apigateway-policy": {"Version": "2012-10-17", "Statement": [
            _statement("Deny", "execute-api:/*/GET/pets")]},
    }  # fmt: skip
    api_id = apigw.import_rest_api(body=json.dumps(document))["id"]
    arn = f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{api_id}"
    assert f'\\"Resource\\":\\"{arn}\\/*\\/GET\\/pets\\"' in apigw.get_rest_api(
        restApiId=api_id)["policy"]  # fmt: skip
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    url = stage_url(endpoint, api_id, "prod")
    _anonymous(requests.get(f"{url}/pets", timeout=30), f"{arn}/prod/GET/pets", explicit=True)
    exported = json.loads(apigw.get_export(
        restApiId=api_id, stageName="prod", exportType="oas30",
        parameters={"extensions": "apigateway"},
    )["body"].read())  # fmt: skip
    assert exported["x-amazon-apigateway-policy"] == {"Version": "2012-10-17", "Statement": [
        _statement("Deny", f"{arn}/*/GET/pets")]}  # fmt: skip

    # PutRestApi: merge keeps the policy, overwrite without one removes it
    plain = {**document}
    plain.pop("x-amazon-apigateway-policy")
    apigw.put_rest_api(restApiId=api_id, mode="merge", body=json.dumps(plain))
    assert "policy" in apigw.get_rest_api(restApiId=api_id)
    apigw.put_rest_api(restApiId=api_id, mode="overwrite", body=json.dumps(plain))
    assert "policy" not in apigw.get_rest_api(restApiId=api_id)


# AWS's policy evaluation outcome tables: (IAM or authorizer, resource policy) → outcome
TABLE_A = {
    (True, True): True, (True, None): True, (True, False): False,
    (None, True): True, (None, None): None, (None, False): False,
    (False, True): False, (False, None): False, (False, False): False,
}  # fmt: skip
TABLE_B = {
    (True, True): True, (True, None): None, (True, False): False,
    (None, True): None, (None, None): None, (None, False): False,
    (False, True): False, (False, None): False, (False, False): False,
}  # fmt: skip


def test_the_outcome_tables():
    from lamina.services.apigateway.resource_policy_evaluation import outcome

    for (own, resource), expected in TABLE_A.items():
        assert outcome(own, resource, same_account=True) is expected, (own, resource)
    for (own, resource), expected in TABLE_B.items():
        assert outcome(own, resource, same_account=False) is expected, (own, resource)
