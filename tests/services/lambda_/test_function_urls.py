"""Function URLs: the control plane through boto3, the data plane through plain HTTP (the
Host header `<url-id>.lambda-url.<region>.localhost`, or the /_lamina/url/<url-id> path)."""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import json
import re
from urllib.parse import urlsplit

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.conftest import client, create_function, error_of, make_zip, own_server

ARN = "arn:aws:lambda:us-east-1:000000000000:function"

ECHO = """
import json
def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps(event)}
"""

SHAPES = """
import json
def handler(event, context):
    kind = event["rawPath"].strip("/")
    if kind == "plain":
        return {"hello": "world"}
    if kind == "text":
        return "just text"
    if kind == "binary":
        return {"statusCode": 201, "isBase64Encoded": True, "body": "AAEC",
                "headers": {"content-type": "application/octet-stream", "x-one": "1"},
                "cookies": ["a=1; Path=/", "b=2"]}
    if kind == "multi":
        return {"statusCode": 200, "multiValueHeaders": {"x-many": ["1", "2"]}, "body": "m"}
    if kind == "fail":
        raise ValueError("boom")
    return {"statusCode": 404, "body": "none"}
"""


def refused(call, **params) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


def public_url(lambda_client, name: str = "fn", code: str = ECHO, **config) -> dict:
    create_function(lambda_client, name, Code={"ZipFile": make_zip({"handler.py": code})})
    made = lambda_client.create_function_url_config(
        FunctionName=name, AuthType=config.pop("AuthType", "NONE"), **config
    )
    lambda_client.add_permission(
        FunctionName=name,
        StatementId="public",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    return made


def url_id(made: dict) -> str:
    return urlsplit(made["FunctionUrl"]).hostname.split(".")[0]


def by_host(endpoint: str, made: dict, path: str = "/", method: str = "GET", **kwargs):
    host = urlsplit(made["FunctionUrl"]).netloc
    headers = {"Host": host, **kwargs.pop("headers", {})}
    return requests.request(method, endpoint + path, headers=headers, timeout=60, **kwargs)


def by_path(endpoint: str, made: dict, path: str = "/", method: str = "GET", **kwargs):
    url = f"{endpoint}/_lamina/url/{url_id(made)}{path}"
    return requests.request(method, url, timeout=60, **kwargs)


# -- control plane ------------------------------------------------------------------------


def test_create_answers_the_url_and_get_returns_it(lambda_client, server):
    create_function(lambda_client)
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=2)
    made = lambda_client.create_function_url_config(FunctionName="fn", AuthType="AWS_IAM")
    assert made["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert re.fullmatch(
        rf"http://[a-z0-9]{{32}}\.lambda-url\.us-east-1\.localhost:{server.port}/",
        made["FunctionUrl"],
    )
    assert made["FunctionArn"] == f"{ARN}:fn"
    assert made["AuthType"] == "AWS_IAM"
    assert made["InvokeMode"] == "BUFFERED"
    assert "LastModifiedTime" not in made
    created = dt.datetime.fromisoformat(made["CreationTime"])
    assert before <= created <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
    got = lambda_client.get_function_url_config(FunctionName="fn")
    for key in ("FunctionUrl", "FunctionArn", "AuthType", "CreationTime", "InvokeMode"):
        assert got[key] == made[key]
    assert "LastModifiedTime" in got
    listed = lambda_client.list_function_url_configs(FunctionName="fn")["FunctionUrlConfigs"]
    assert [found["FunctionUrl"] for found in listed] == [made["FunctionUrl"]]


def test_second_url_for_the_function_is_a_conflict(lambda_client):
    create_function(lambda_client)
    lambda_client.create_function_url_config(FunctionName="fn", AuthType="NONE")
    assert refused(
        lambda_client.create_function_url_config, FunctionName="fn", AuthType="NONE"
    ) == (
        "ResourceConflictException",
        409,
        f"Failed to create function url config for [functionArn = {ARN}:fn]. "
        "Error message:  FunctionUrlConfig exists for this Lambda function",
    )


def test_update_changes_auth_and_cors_and_delete_removes(lambda_client):
    create_function(lambda_client)
    made = lambda_client.create_function_url_config(FunctionName="fn", AuthType="NONE")
    cors = {"AllowOrigins": ["https://example.com"], "AllowMethods": ["GET"], "MaxAge": 60}
    updated = lambda_client.update_function_url_config(
        FunctionName="fn", AuthType="AWS_IAM", Cors=cors
    )
    assert updated["AuthType"] == "AWS_IAM"
    assert updated["Cors"] == cors
    assert updated["FunctionUrl"] == made["FunctionUrl"]
    assert lambda_client.get_function_url_config(FunctionName="fn")["Cors"] == cors
    deleted = lambda_client.delete_function_url_config(FunctionName="fn")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    missing = ("ResourceNotFoundException", 404, "The resource you requested does not exist.")
    assert refused(lambda_client.get_function_url_config, FunctionName="fn") == missing
    assert refused(lambda_client.delete_function_url_config, FunctionName="fn") == missing
    assert lambda_client.list_function_url_configs(FunctionName="fn")["FunctionUrlConfigs"] == []


def test_invoke_mode_is_kept_and_can_change(lambda_client):
    create_function(lambda_client)
    made = lambda_client.create_function_url_config(
        FunctionName="fn", AuthType="NONE", InvokeMode="RESPONSE_STREAM"
    )
    assert made["InvokeMode"] == "RESPONSE_STREAM"
    assert lambda_client.get_function_url_config(FunctionName="fn")["InvokeMode"] == (
        "RESPONSE_STREAM"
    )
    updated = lambda_client.update_function_url_config(FunctionName="fn", InvokeMode="BUFFERED")
    assert updated["InvokeMode"] == "BUFFERED"
    listed = lambda_client.list_function_url_configs(FunctionName="fn")["FunctionUrlConfigs"]
    assert [url["InvokeMode"] for url in listed] == ["BUFFERED"]


def test_url_of_missing_function_or_alias_is_not_found(lambda_client):
    code, status, _ = refused(
        lambda_client.create_function_url_config, FunctionName="nope", AuthType="NONE"
    )
    assert (code, status) == ("ResourceNotFoundException", 404)
    create_function(lambda_client)
    code, status, _ = refused(  # no such alias
        lambda_client.create_function_url_config,
        FunctionName="fn",
        Qualifier="live",
        AuthType="NONE",
    )
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_version_qualifier_is_refused_by_the_model(unvalidated_lambda_client):
    create_function(unvalidated_lambda_client)
    code, status, _ = refused(
        unvalidated_lambda_client.create_function_url_config,
        FunctionName="fn",
        Qualifier="1",
        AuthType="NONE",
    )
    assert (code, status) == ("ValidationException", 400)


# -- data plane ---------------------------------------------------------------------------


@pytest.mark.parametrize("route", [by_host, by_path])
def test_request_becomes_a_v2_event(lambda_client, endpoint, route):
    made = public_url(lambda_client)
    answer = route(
        endpoint,
        made,
        "/some/path?b=2&a=1&a=3",
        "POST",
        data=b'{"x": 1}',
        headers={
            "Content-Type": "application/json",
            "X-Custom": "v",
            "Cookie": "c1=v1; c2=v2",
            "User-Agent": "lamina-test",
        },
    )
    assert answer.status_code == 200, answer.text
    event = answer.json()
    assert event["version"] == "2.0"
    assert event["routeKey"] == "$default"
    assert event["rawPath"] == "/some/path"
    assert event["rawQueryString"] == "b=2&a=1&a=3"
    assert event["queryStringParameters"] == {"a": "1,3", "b": "2"}
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert event["headers"]["x-custom"] == "v"
    assert "cookie" not in event["headers"]
    assert event["body"] == '{"x": 1}'
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["apiId"] == url_id(made)
    assert context["accountId"] == "anonymous"
    assert context["domainName"] == f"{url_id(made)}.lambda-url.us-east-1.localhost"
    assert context["domainPrefix"] == url_id(made)
    assert context["http"] == {
        "method": "POST",
        "path": "/some/path",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "lamina-test",
    }
    assert context["stage"] == "$default"
    assert context["routeKey"] == "$default"
    assert abs(context["timeEpoch"] / 1000 - dt.datetime.now(dt.UTC).timestamp()) < 60
    assert re.fullmatch(r"\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000", context["time"])
    assert context["requestId"]


def test_source_ip_is_the_connections_not_a_forwarded_header(lambda_client, endpoint):
    # As on AWS: X-Forwarded-For is the caller's to send and reaches the function as a
    # header; the source IP is the address the connection came from.
    made = public_url(lambda_client)
    answer = by_host(endpoint, made, "/", headers={"X-Forwarded-For": "203.0.113.9"})
    assert answer.status_code == 200, answer.text
    event = answer.json()
    assert event["requestContext"]["http"]["sourceIp"] == "127.0.0.1"
    assert event["headers"]["x-forwarded-for"] == "203.0.113.9"


def test_binary_body_arrives_base64(lambda_client, endpoint):
    made = public_url(lambda_client)
    answer = by_path(
        endpoint, made, "/", "POST", data=b"\x00\x01\xff", headers={"Content-Type": "image/png"}
    )
    event = answer.json()
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00\x01\xff"


def test_answers_become_responses_as_lambda_makes_them(lambda_client, endpoint):
    made = public_url(lambda_client, code=SHAPES)
    plain = by_path(endpoint, made, "/plain")
    assert (plain.status_code, plain.headers["content-type"]) == (200, "application/json")
    assert plain.json() == {"hello": "world"}
    text = by_path(endpoint, made, "/text")
    assert (text.status_code, text.text) == (200, "just text")
    binary = by_path(endpoint, made, "/binary")
    assert binary.status_code == 201
    assert binary.content == b"\x00\x01\x02"
    assert binary.headers["x-one"] == "1"
    assert binary.raw.headers.getlist("set-cookie") == ["a=1; Path=/", "b=2"]
    multi = by_path(endpoint, made, "/multi")
    assert multi.raw.headers.getlist("x-many") == ["1", "2"]
    missing = by_path(endpoint, made, "/other")
    assert (missing.status_code, missing.text) == (404, "none")


def test_function_error_is_502(lambda_client, endpoint):
    made = public_url(lambda_client, code=SHAPES)
    failed = by_path(endpoint, made, "/fail")
    assert failed.status_code == 502
    assert failed.json() == {"Message": "Internal Server Error"}


def test_auth_none_without_the_policy_is_forbidden(lambda_client, endpoint):
    create_function(lambda_client, Code={"ZipFile": make_zip({"handler.py": ECHO})})
    made = lambda_client.create_function_url_config(FunctionName="fn", AuthType="NONE")
    denied = by_path(endpoint, made, "/")
    assert (denied.status_code, denied.json()) == (403, {"Message": "Forbidden"})
    lambda_client.add_permission(
        FunctionName="fn",
        StatementId="public",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    assert by_path(endpoint, made, "/").status_code == 200
    lambda_client.remove_permission(FunctionName="fn", StatementId="public")
    assert by_path(endpoint, made, "/").status_code == 403


def test_unknown_url_id_is_not_found(endpoint):
    answer = requests.get(f"{endpoint}/_lamina/url/{'a' * 32}/", timeout=30)
    assert answer.status_code == 404


def test_deleted_url_no_longer_serves(lambda_client, endpoint):
    made = public_url(lambda_client)
    assert by_path(endpoint, made).status_code == 200
    lambda_client.delete_function_url_config(FunctionName="fn")
    assert by_path(endpoint, made).status_code == 404


def _signed(endpoint: str, made: dict, key: str, secret: str, service: str = "lambda"):
    url = f"{endpoint}/_lamina/url/{url_id(made)}/signed?q=1"
    request = AWSRequest(method="GET", url=url, headers={})
    SigV4Auth(Credentials(key, secret), service, "us-east-1").add_auth(request)
    return requests.get(url, headers=dict(request.headers), timeout=60)


def test_aws_iam_needs_a_valid_signature(lambda_client, endpoint):
    iam = client("iam", endpoint)
    iam.create_user(UserName="caller")
    keys = iam.create_access_key(UserName="caller")["AccessKey"]
    create_function(lambda_client, Code={"ZipFile": make_zip({"handler.py": ECHO})})
    made = lambda_client.create_function_url_config(FunctionName="fn", AuthType="AWS_IAM")
    assert by_path(endpoint, made, "/signed").status_code == 403  # unsigned
    wrong = _signed(endpoint, made, keys["AccessKeyId"], "not-the-secret")
    assert (wrong.status_code, wrong.json()) == (403, {"Message": "Forbidden"})
    other_service = _signed(endpoint, made, keys["AccessKeyId"], keys["SecretAccessKey"], "s3")
    assert other_service.status_code == 403
    signed = _signed(endpoint, made, keys["AccessKeyId"], keys["SecretAccessKey"])
    assert signed.status_code == 200, signed.text
    event = signed.json()
    iam_context = event["requestContext"]["authorizer"]["iam"]
    assert iam_context["accessKey"] == keys["AccessKeyId"]
    assert iam_context["accountId"] == "000000000000"
    assert iam_context["userArn"] == "arn:aws:iam::000000000000:user/caller"
    assert event["requestContext"]["accountId"] == "000000000000"


def test_cors_preflight_is_answered_and_headers_added(lambda_client, endpoint):
    cors = {
        "AllowOrigins": ["https://example.com"],
        "AllowMethods": ["GET", "POST"],
        "AllowHeaders": ["x-custom"],
        "ExposeHeaders": ["x-one"],
        "MaxAge": 300,
        "AllowCredentials": True,
    }
    made = public_url(lambda_client, Cors=cors)
    preflight = by_path(
        endpoint,
        made,
        "/",
        "OPTIONS",
        headers={"Origin": "https://example.com", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://example.com"
    assert preflight.headers["access-control-allow-methods"] == "GET,POST"
    assert preflight.headers["access-control-allow-headers"] == "x-custom"
    assert preflight.headers["access-control-max-age"] == "300"
    assert preflight.headers["access-control-allow-credentials"] == "true"
    stranger = by_path(
        endpoint,
        made,
        "/",
        "OPTIONS",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in stranger.headers
    actual = by_path(endpoint, made, "/", headers={"Origin": "https://example.com"})
    assert actual.status_code == 200
    assert actual.headers["access-control-allow-origin"] == "https://example.com"
    assert actual.headers["access-control-expose-headers"] == "x-one"


def test_url_invocations_count_as_invocations(lambda_client, endpoint):
    made = public_url(lambda_client)
    for _ in range(3):
        assert by_path(endpoint, made).status_code == 200
    metrics = requests.get(f"{endpoint}/_lamina/metrics", timeout=30).text
    line = [
        row
        for row in metrics.splitlines()
        if row.startswith("lamina_lambda_invocations_total") and 'function_name="fn"' in row
    ]
    assert line and float(line[0].rsplit(" ", 1)[1]) == 3


def test_url_and_its_policy_survive_a_restart(engine, tmp_path):
    with own_server(tmp_path / "data", engine, "lamina_urls_restart") as lamina:
        lambda_client = client("lambda", lamina.url)
        made = public_url(lambda_client)
        assert by_path(lamina.url, made).status_code == 200
        lamina.stop()
        lamina.start()
        assert by_path(lamina.url, made).status_code == 200
        got = client("lambda", lamina.url).get_function_url_config(FunctionName="fn")
        assert got["FunctionUrl"] == made["FunctionUrl"]


def test_repeated_headers_are_joined_and_one_value_kept_whole(lambda_client, endpoint):
    made = public_url(lambda_client)
    address = urlsplit(endpoint)
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    conn.putrequest("GET", f"/_lamina/url/{url_id(made)}/", skip_accept_encoding=True)
    conn.putheader("X-Many", "a")
    conn.putheader("X-Many", "b")
    conn.putheader("Accept", "text/html, text/plain")
    conn.endheaders()
    answer = conn.getresponse()
    headers = json.loads(answer.read())["headers"]
    conn.close()
    assert headers["x-many"] == "a,b"
    assert headers["accept"] == "text/html, text/plain"


def test_host_without_a_port_is_recognised(lambda_client, endpoint):
    made = public_url(lambda_client)
    host = urlsplit(made["FunctionUrl"]).hostname
    answer = requests.get(endpoint + "/x", headers={"Host": host}, timeout=60)
    assert answer.status_code == 200
    assert answer.json()["requestContext"]["domainName"] == host


def test_url_on_an_alias_runs_its_version_and_needs_its_own_policy(lambda_client, endpoint):
    create_function(lambda_client, Code={"ZipFile": make_zip({"handler.py": ECHO})})
    lambda_client.publish_version(FunctionName="fn")
    lambda_client.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
    made = lambda_client.create_function_url_config(
        FunctionName="fn", Qualifier="live", AuthType="NONE"
    )
    assert made["FunctionArn"] == f"{ARN}:fn:live"
    latest = lambda_client.create_function_url_config(FunctionName="fn", AuthType="NONE")
    assert latest["FunctionUrl"] != made["FunctionUrl"]
    listed = lambda_client.list_function_url_configs(FunctionName="fn")["FunctionUrlConfigs"]
    assert sorted(found["FunctionArn"] for found in listed) == [f"{ARN}:fn", f"{ARN}:fn:live"]
    permission = dict(
        FunctionName="fn",
        StatementId="public",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    lambda_client.add_permission(**permission)  # the function's: not the alias's
    assert by_path(endpoint, made).status_code == 403
    assert by_path(endpoint, latest).status_code == 200
    lambda_client.add_permission(**permission, Qualifier="live")
    answer = by_path(endpoint, made)
    assert answer.status_code == 200
    assert answer.json()["requestContext"]["apiId"] == url_id(made)
    got = lambda_client.get_function_url_config(FunctionName="fn", Qualifier="live")
    assert got["FunctionUrl"] == made["FunctionUrl"]


def test_an_alias_takes_its_url_and_policy_with_it(lambda_client, endpoint):
    create_function(lambda_client, Code={"ZipFile": make_zip({"handler.py": ECHO})})
    lambda_client.publish_version(FunctionName="fn")
    lambda_client.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
    lambda_client.create_function_url_config(FunctionName="fn", Qualifier="live", AuthType="NONE")
    lambda_client.add_permission(
        FunctionName="fn",
        StatementId="public",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
        Qualifier="live",
    )
    lambda_client.delete_alias(FunctionName="fn", Name="live")
    lambda_client.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
    code, status, _ = refused(
        lambda_client.get_function_url_config, FunctionName="fn", Qualifier="live"
    )
    assert (code, status) == ("ResourceNotFoundException", 404)
    code, status, _ = refused(lambda_client.get_policy, FunctionName="fn", Qualifier="live")
    assert (code, status) == ("ResourceNotFoundException", 404)
