"""SigV4 checking, when it is switched on: a right signature passes, a wrong one is refused."""

from __future__ import annotations

import boto3
import pytest
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
