"""SigV4 checking, when it is switched on: a right signature passes, a wrong one is refused."""

from __future__ import annotations

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.server import LaminaServer


@pytest.fixture(scope="module")
def verifying_server(tmp_path_factory):
    lamina = LaminaServer(
        tmp_path_factory.mktemp("sigv4") / "data",
        {"LAMINA_VERIFY_SIGNATURES": "1", "LAMINA_CREDENTIALS": "AKIDGOOD:right-secret"},
    )
    lamina.start()
    yield lamina
    lamina.stop()


def lambda_with(url: str, key: str, secret: str):
    return boto3.client(
        "lambda", endpoint_url=url, region_name="us-east-1", aws_access_key_id=key,
        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}),
    )  # fmt: skip


def test_a_correct_signature_is_served(verifying_server):
    answer = lambda_with(verifying_server.url, "AKIDGOOD", "right-secret").list_functions()
    assert answer["Functions"] == []


def test_a_wrong_secret_is_an_invalid_signature(verifying_server):
    with pytest.raises(ClientError) as excinfo:
        lambda_with(verifying_server.url, "AKIDGOOD", "wrong-secret").list_functions()
    assert excinfo.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_an_unknown_key_is_unrecognized(verifying_server):
    with pytest.raises(ClientError) as excinfo:
        lambda_with(verifying_server.url, "AKIDOTHER", "right-secret").list_functions()
    assert excinfo.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_an_unsigned_request_is_refused(verifying_server):
    import requests

    answer = requests.get(f"{verifying_server.url}/2015-03-31/functions/", timeout=5)
    assert answer.status_code == 403
    assert answer.headers["x-amzn-ErrorType"].startswith("MissingAuthenticationTokenException")


# -- keys of every kind, errors in each protocol's spelling ----------------------------------

ROOT = {"aws_access_key_id": "AKIDGOOD", "aws_secret_access_key": "right-secret"}


def client_of(url: str, service: str, region: str = "us-east-1", **keys):
    return boto3.client(
        service, endpoint_url=url, region_name=region,
        config=Config(retries={"total_max_attempts": 1}), **keys,
    )  # fmt: skip


def session_keys(credentials: dict, **changes) -> dict:
    keys = {
        "aws_access_key_id": credentials["AccessKeyId"],
        "aws_secret_access_key": credentials["SecretAccessKey"],
        "aws_session_token": credentials["SessionToken"],
    }
    return {**keys, **changes}


def error(excinfo) -> tuple[str, int, str]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def test_query_services_spell_an_unknown_key_invalid_client_token_id(verifying_server):
    sts = client_of(verifying_server.url, "sts", aws_access_key_id="AKIDOTHER",
                    aws_secret_access_key="x")  # fmt: skip
    with pytest.raises(ClientError) as excinfo:
        sts.get_caller_identity()
    assert error(excinfo) == (
        "InvalidClientTokenId",
        403,
        "The security token included in the request is invalid.",
    )


def test_json_services_spell_an_unknown_key_unrecognized_client(verifying_server):
    logs = client_of(verifying_server.url, "logs", aws_access_key_id="AKIDOTHER",
                     aws_secret_access_key="x")  # fmt: skip
    with pytest.raises(ClientError) as excinfo:
        logs.describe_log_groups()
    assert error(excinfo) == (
        "UnrecognizedClientException",
        403,
        "The security token included in the request is invalid.",
    )


def test_query_services_spell_a_bad_signature_signature_does_not_match(verifying_server):
    sts = client_of(verifying_server.url, "sts", aws_access_key_id="AKIDGOOD",
                    aws_secret_access_key="wrong")  # fmt: skip
    with pytest.raises(ClientError) as excinfo:
        sts.get_caller_identity()
    code, status, message = error(excinfo)
    assert (code, status) == ("SignatureDoesNotMatch", 403)
    assert message.startswith("The request signature we calculated does not match")


def test_a_configured_key_may_name_its_account(tmp_path_factory):
    lamina = LaminaServer(
        tmp_path_factory.mktemp("sigv4-account") / "data",
        {"LAMINA_VERIFY_SIGNATURES": "1", "LAMINA_CREDENTIALS": "AKIDA:sa:123456789012,AKIDB:sb"},
    )
    lamina.start()
    try:
        a = client_of(lamina.url, "sts", aws_access_key_id="AKIDA", aws_secret_access_key="sa")
        b = client_of(lamina.url, "sts", aws_access_key_id="AKIDB", aws_secret_access_key="sb")
        assert a.get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:root"
        assert b.get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:root"
    finally:
        lamina.stop()


def test_an_iam_users_key_signs_and_an_inactive_one_is_refused(verifying_server):
    import time

    iam = client_of(verifying_server.url, "iam", **ROOT)
    iam.create_user(UserName="signer")
    key = iam.create_access_key(UserName="signer")["AccessKey"]
    user = {
        "aws_access_key_id": key["AccessKeyId"],
        "aws_secret_access_key": key["SecretAccessKey"],
    }
    sts = client_of(verifying_server.url, "sts", **user)
    assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:user/signer"
    wrong = client_of(verifying_server.url, "sts", **{**user, "aws_secret_access_key": "x" * 40})
    with pytest.raises(ClientError) as excinfo:
        wrong.get_caller_identity()
    assert error(excinfo)[0] == "SignatureDoesNotMatch"
    iam.update_access_key(UserName="signer", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    time.sleep(1.2)  # the edge caches a key's answer for a second
    with pytest.raises(ClientError) as excinfo:
        sts.get_caller_identity()
    assert error(excinfo)[:2] == ("InvalidClientTokenId", 403)
    iam.delete_user  # noqa: B018  (the user stays; the server is the module's)


def test_session_credentials_sign_and_their_token_must_match(verifying_server):
    root_sts = client_of(verifying_server.url, "sts", **ROOT)
    credentials = root_sts.get_session_token()["Credentials"]
    sts = client_of(verifying_server.url, "sts", **session_keys(credentials))
    assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:root"
    lambda_ = client_of(verifying_server.url, "lambda", **session_keys(credentials))
    assert lambda_.list_functions()["Functions"] == []
    for changes in ({"aws_session_token": "forged"}, {"aws_session_token": None}):
        with pytest.raises(ClientError) as excinfo:
            client_of(
                verifying_server.url, "sts", **session_keys(credentials, **changes)
            ).get_caller_identity()
        assert error(excinfo) == (
            "InvalidClientTokenId",
            403,
            "The security token included in the request is invalid.",
        )
    wrong = session_keys(credentials, aws_secret_access_key="y" * 40)
    with pytest.raises(ClientError) as excinfo:
        client_of(verifying_server.url, "lambda", **wrong).list_functions()
    assert error(excinfo)[:2] == ("InvalidSignatureException", 403)


def _expire(server: LaminaServer, access_key: str) -> None:
    """Forge an expired session: its row's expiry moved into the past (the server's own
    SQLite store), rather than waiting the 15 minutes of the shortest real session."""
    import sqlite3
    import time

    with sqlite3.connect(server.data_dir / "lamina.db") as db:
        db.execute(
            "UPDATE sts_sessions SET expires_at = ? WHERE access_key_id = ?",
            (time.time() - 5, access_key),
        )
    time.sleep(1.2)  # past the edge's credential cache


def test_an_expired_session_is_refused_as_the_protocol_spells_it(verifying_server):
    credentials = client_of(verifying_server.url, "sts", **ROOT).get_session_token()["Credentials"]
    _expire(verifying_server, credentials["AccessKeyId"])
    with pytest.raises(ClientError) as excinfo:
        client_of(verifying_server.url, "sts", **session_keys(credentials)).get_caller_identity()
    assert error(excinfo) == (
        "ExpiredToken",
        403,
        "The security token included in the request is expired",
    )
    with pytest.raises(ClientError) as excinfo:
        client_of(verifying_server.url, "logs", **session_keys(credentials)).describe_log_groups()
    assert error(excinfo) == (
        "ExpiredTokenException",
        403,
        "The security token included in the request is expired",
    )


def _signed_at(url: str, body: str, minutes_ago: int) -> requests.Response:
    import datetime as dt
    from unittest import mock

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(
        method="POST", url=url + "/", data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )  # fmt: skip
    when = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=minutes_ago)
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        SigV4Auth(Credentials("AKIDGOOD", "right-secret"), "sts", "us-east-1").add_auth(request)
    return requests.post(url + "/", data=body, headers=dict(request.headers), timeout=10)


def test_a_request_signed_over_fifteen_minutes_ago_has_an_expired_signature(verifying_server):
    body = "Action=GetCallerIdentity&Version=2011-06-15"
    assert _signed_at(verifying_server.url, body, 14).status_code == 200
    answer = _signed_at(verifying_server.url, body, 16)
    assert answer.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in answer.text
    assert "Signature expired: " in answer.text and " - 15 min.)" in answer.text


def test_a_presigned_url_is_verified(verifying_server):
    sts = client_of(verifying_server.url, "sts", **ROOT)
    # STS's model says POST, so botocore signs the URL for POST (EKS's tokens sign a GET).
    url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=60)
    answer = requests.post(url, timeout=10)
    assert answer.status_code == 200, answer.text
    assert "arn:aws:iam::000000000000:root" in answer.text
    tampered = url.replace("X-Amz-Signature=", "X-Amz-Signature=0")
    assert requests.post(tampered, timeout=10).status_code == 403


def test_streaming_payloads_are_refused_while_verifying(verifying_server):
    answer = requests.put(
        f"{verifying_server.url}/2015-03-31/functions/",
        headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDGOOD/20240101/us-east-1/lambda/"
            "aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
            "X-Amz-Date": __import__("time").strftime(
                "%Y%m%dT%H%M%SZ", __import__("time").gmtime()
            ),
            "X-Amz-Content-SHA256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        },
        data=b"0;chunk-signature=00\r\n\r\n",
        timeout=10,
    )
    assert answer.status_code == 501
    assert "aws-chunked" in answer.text


def test_an_unsigned_request_to_a_query_service_is_missing_its_token(verifying_server):
    answer = requests.post(
        verifying_server.url + "/",
        data="Action=GetCallerIdentity&Version=2011-06-15",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Host": "sts.amazonaws.com"},
        timeout=10,
    )
    assert answer.status_code == 403
    assert "<Code>MissingAuthenticationToken</Code>" in answer.text
