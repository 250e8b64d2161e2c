"""AWS_IAM methods of REST APIs: a request SigV4-signed for execute-api with a key Lamina knows
goes through, its signer in requestContext.identity; a wrong secret, an unknown key or another
service's scope is refused 403 in AWS's words; unsigned: 403 Missing Authentication Token."""

from __future__ import annotations

import json

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.conftest import client, create_function, make_zip
from tests.services.apigateway.conftest import lambda_uri, root_of, stage_url

ECHO = """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event["requestContext"]["identity"])}
"""


def _signed(url: str, key: str, secret: str, service: str = "execute-api") -> requests.Response:
    request = AWSRequest(method="POST", url=url, data=b'{"a": 1}', headers={})
    SigV4Auth(Credentials(key, secret), service, "us-east-1").add_auth(request)
    return requests.post(url, data=b'{"a": 1}', headers=dict(request.headers), timeout=30)


def test_aws_iam_methods_verify_the_signature(apigw, endpoint):
    lambda_ = client("lambda", endpoint)
    arn = create_function(lambda_, "echo", Code={"ZipFile": make_zip({"handler.py": ECHO})})
    api_id = apigw.create_rest_api(name="iam")["id"]
    resource = apigw.create_resource(
        restApiId=api_id, parentId=root_of(apigw, api_id), pathPart="private"
    )["id"]
    apigw.put_method(restApiId=api_id, resourceId=resource, httpMethod="POST",
                     authorizationType="AWS_IAM")  # fmt: skip
    apigw.put_integration(restApiId=api_id, resourceId=resource, httpMethod="POST",
                          type="AWS_PROXY", integrationHttpMethod="POST",
                          uri=lambda_uri(arn["FunctionArn"]))  # fmt: skip
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    iam = client("iam", endpoint)
    user = iam.create_user(UserName="caller")["User"]
    keys = iam.create_access_key(UserName="caller")["AccessKey"]
    url = f"{stage_url(endpoint, api_id, 'prod')}/private?x=1"

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
