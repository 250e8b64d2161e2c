"""AWS_IAM methods of REST APIs: a request SigV4-signed for execute-api with a key Lamina knows
goes through when the signer's IAM policies allow execute-api:Invoke on the method's ARN, its
signer in requestContext.identity; a wrong secret, an unknown key or another service's scope is
refused 403 in AWS's words; unsigned: 403 Missing Authentication Token; not allowed: 403
ACCESS_DENIED naming the signer and the method."""

from __future__ import annotations

import json

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.conftest import client, create_function, make_zip
from tests.services.apigateway.conftest import allow_apigateway, lambda_uri, root_of, stage_url

ECHO = """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event["requestContext"]["identity"])}
"""


def _signed(
    url: str,
    key: str,
    secret: str,
    service: str = "execute-api",
    token: str | None = None,
    method: str = "POST",
) -> requests.Response:
    request = AWSRequest(method=method, url=url, data=b'{"a": 1}', headers={})
    SigV4Auth(Credentials(key, secret, token), service, "us-east-1").add_auth(request)
    return requests.request(method, url, data=b'{"a": 1}', headers=dict(request.headers),
                            timeout=30)  # fmt: skip


def _invoke_policy(effect: str, resource: str) -> str:
    statement = {"Effect": effect, "Action": "execute-api:Invoke", "Resource": resource}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _iam_api(apigw, endpoint: str, verbs: tuple[str, ...] = ("POST",)) -> tuple[str, str]:
    """A REST API with AWS_IAM methods on /private behind the echo function: (id, stage URL)."""
    lambda_ = client("lambda", endpoint)
    arn = create_function(lambda_, "echo", Code={"ZipFile": make_zip({"handler.py": ECHO})})
    api_id = apigw.create_rest_api(name="iam")["id"]
    resource = apigw.create_resource(
        restApiId=api_id, parentId=root_of(apigw, api_id), pathPart="private"
    )["id"]
    for verb in verbs:
        apigw.put_method(restApiId=api_id, resourceId=resource, httpMethod=verb,
                         authorizationType="AWS_IAM")  # fmt: skip
        apigw.put_integration(restApiId=api_id, resourceId=resource, httpMethod=verb,
                              type="AWS_PROXY", integrationHttpMethod="POST",
                              uri=lambda_uri(arn["FunctionArn"]))  # fmt: skip
    allow_apigateway(lambda_, "echo", api_id)
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    return api_id, stage_url(endpoint, api_id, "prod")


def test_aws_iam_methods_verify_the_signature(apigw, endpoint):
    api_id, stage = _iam_api(apigw, endpoint)
    iam = client("iam", endpoint)
    user = iam.create_user(UserName="caller")["User"]
    everything = _invoke_policy("Allow", f"arn:aws:execute-api:*:*:{api_id}/*")
    iam.put_user_policy(UserName="caller", PolicyName="invoke", PolicyDocument=everything)
    keys = iam.create_access_key(UserName="caller")["AccessKey"]
    url = f"{stage}/private?x=1"

    answer = _signed(url, keys["AccessKeyId"], keys["SecretAccessKey"])
    assert answer.status_code == 200, answer.text
    identity = json.loads(answer.text)
    assert identity["accessKey"] == keys["AccessKeyId"]
    assert identity["userArn"] == user["Arn"]
    assert identity["caller"] == identity["user"] == user["UserId"]
    assert identity["accountId"] == "000000000000"

    wrong = _signed(url, keys["AccessKeyId"], "not-the-secret")
    assert wrong.status_code == 403
    assert wrong.json()["message"].startswith(
        "The request signature we calculated does not match the signature you provided."
    )
    assert wrong.headers["x-amzn-ErrorType"] == "InvalidSignatureException"
    unknown = _signed(url, "AKIAUNKNOWNKEY000000", "secret")
    assert (unknown.status_code, unknown.json()) == (
        403, {"message": "The security token included in the request is invalid."},
    )  # fmt: skip
    other_service = _signed(url, keys["AccessKeyId"], keys["SecretAccessKey"], "lambda")
    assert other_service.status_code == 403
    unsigned = requests.post(url, timeout=30)
    assert (unsigned.status_code, unsigned.json()) == (
        403,
        {"message": "Missing Authentication Token"},
    )


def _denied(answer: requests.Response, who: str, resource: str, explicit: bool = False) -> None:
    masked = resource.replace(":000000000000:", ":********0000:")
    message = f"User: {who} is not authorized to perform: execute-api:Invoke on resource: {masked}"
    assert answer.status_code == 403, answer.text
    assert answer.json() == {"Message": message + (" with an explicit deny" if explicit else "")}
    assert answer.headers["x-amzn-ErrorType"] == "AccessDeniedException"


def test_a_users_policies_decide_and_an_explicit_deny_wins(apigw, endpoint):
    api_id, stage = _iam_api(apigw, endpoint, ("GET", "POST"))
    method_arn = f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/prod"
    iam = client("iam", endpoint)
    user = iam.create_user(UserName="caller")["User"]
    keys = iam.create_access_key(UserName="caller")["AccessKey"]
    key, secret = keys["AccessKeyId"], keys["SecretAccessKey"]
    url = f"{stage}/private"

    _denied(_signed(url, key, secret), user["Arn"], f"{method_arn}/POST/private")
    # an attached managed policy that allows GET only
    get_only = _invoke_policy("Allow", f"{method_arn}/GET/*")
    managed = iam.create_policy(PolicyName="get-only", PolicyDocument=get_only)
    iam.attach_user_policy(UserName="caller", PolicyArn=managed["Policy"]["Arn"])
    assert _signed(url, key, secret, method="GET").status_code == 200
    _denied(_signed(url, key, secret), user["Arn"], f"{method_arn}/POST/private")
    # a group's inline policy allows everything, an inline Deny of the user's wins over it
    iam.create_group(GroupName="callers")
    iam.add_user_to_group(GroupName="callers", UserName="caller")
    iam.put_group_policy(GroupName="callers", PolicyName="all",
                         PolicyDocument=_invoke_policy("Allow", "*"))  # fmt: skip
    assert _signed(url, key, secret).status_code == 200
    iam.put_user_policy(UserName="caller", PolicyName="no-post",
                        PolicyDocument=_invoke_policy("Deny", f"{method_arn}/POST/*"))  # fmt: skip
    _denied(_signed(url, key, secret), user["Arn"], f"{method_arn}/POST/private", explicit=True)
    assert _signed(url, key, secret, method="GET").status_code == 200


def test_a_permissions_boundary_caps_what_the_policies_allow(apigw, endpoint):
    api_id, stage = _iam_api(apigw, endpoint, ("GET", "POST"))
    method_arn = f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/prod"
    iam = client("iam", endpoint)
    get_only = _invoke_policy("Allow", f"{method_arn}/GET/*")
    boundary = iam.create_policy(PolicyName="get-only", PolicyDocument=get_only)
    user = iam.create_user(UserName="bounded",
                           PermissionsBoundary=boundary["Policy"]["Arn"])["User"]  # fmt: skip
    iam.put_user_policy(UserName="bounded", PolicyName="all",
                        PolicyDocument=_invoke_policy("Allow", "*"))  # fmt: skip
    keys = iam.create_access_key(UserName="bounded")["AccessKey"]
    key, secret = keys["AccessKeyId"], keys["SecretAccessKey"]
    assert _signed(f"{stage}/private", key, secret, method="GET").status_code == 200
    _denied(_signed(f"{stage}/private", key, secret), user["Arn"], f"{method_arn}/POST/private")


def test_an_assumed_roles_policies_decide_and_another_account_may_not(apigw, endpoint):
    api_id, stage = _iam_api(apigw, endpoint)
    iam = client("iam", endpoint)
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
        "Action": "sts:AssumeRole"}]}  # fmt: skip
    role = iam.create_role(RoleName="caller-role", AssumeRolePolicyDocument=json.dumps(trust))
    lambda_trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole"}]}  # fmt: skip
    # the function's execution role must exist once the account has roles
    iam.create_role(RoleName="lambda-role", AssumeRolePolicyDocument=json.dumps(lambda_trust))
    sts = client("sts", endpoint)
    session = sts.assume_role(RoleArn=role["Role"]["Arn"], RoleSessionName="s1")["Credentials"]
    signed = lambda: _signed(  # noqa: E731
        f"{stage}/private", session["AccessKeyId"], session["SecretAccessKey"],
        token=session["SessionToken"],
    )  # fmt: skip
    resource = f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/prod/POST/private"
    _denied(signed(), "arn:aws:sts::000000000000:assumed-role/caller-role/s1", resource)
    iam.put_role_policy(RoleName="caller-role", PolicyName="invoke",
                        PolicyDocument=_invoke_policy("Allow", resource))  # fmt: skip
    answer = signed()
    assert answer.status_code == 200, answer.text
    assert answer.json()["userArn"] == "arn:aws:sts::000000000000:assumed-role/caller-role/s1"
    # another account's user allowed everything by its own policies may not, without a
    # resource policy of the API's
    other_iam = client("iam", endpoint, access_key="111111111111")
    stranger = other_iam.create_user(UserName="stranger")["User"]
    other_iam.put_user_policy(UserName="stranger", PolicyName="all",
                              PolicyDocument=_invoke_policy("Allow", "*"))  # fmt: skip
    keys = other_iam.create_access_key(UserName="stranger")["AccessKey"]
    other = _signed(f"{stage}/private", keys["AccessKeyId"], keys["SecretAccessKey"])
    _denied(other, stranger["Arn"], resource)
