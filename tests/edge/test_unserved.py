"""A call to a service Lamina does not serve is refused in that service's own protocol, so the
SDK and the CLI read NotImplementedException (501), never "Unable to parse response".

The services here are ones that will stay unserved for a while; when one gets served, drop it
from UNSERVED_CALLS (and from the CLI test) and pick another.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from botocore.exceptions import ClientError

from lamina.edge.unserved import ModelIndex, _model_metadata, _pick
from lamina.protocol.http import Headers, HttpRequest
from lamina.protocol.models import load_service_model
from tests.conftest import client, error_of

AWS_CLI = Path(sys.executable).parent / "aws"

# (botocore name, method, params): one per protocol, and the tricky look-ups
UNSERVED_CALLS = [
    ("sns", "list_topics", {}),  # query: an XML <ErrorResponse>
    ("s3", "list_buckets", {}),  # rest-xml: S3's bare <Error>
    ("dynamodb", "list_tables", {}),  # json 1.0
    ("events", "list_rules", {}),  # json 1.1
    ("stepfunctions", "list_state_machines", {}),  # signs as 'states'
]


def refusal(name: str, operation: str) -> str:
    full = load_service_model(name).metadata["serviceFullName"]
    return f"Lamina does not serve {full} ({name}) yet, so it cannot answer {operation}."


@pytest.mark.parametrize(("name", "method", "params"), UNSERVED_CALLS, ids=lambda v: str(v))
def test_boto3_reads_not_implemented_in_the_service_s_protocol(endpoint, name, method, params):
    sdk = client(name, endpoint)
    with pytest.raises(ClientError) as excinfo:
        getattr(sdk, method)(**params)
    operation = sdk.meta.method_to_api_mapping[method]
    assert error_of(excinfo) == ("NotImplementedException", 501, refusal(name, operation))


def test_a_signing_name_botocore_does_not_know_still_gets_an_error(endpoint):
    answer = requests.post(
        endpoint,
        headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/nosuch/"
            "aws4_request, SignedHeaders=host, Signature=00",
        },
        timeout=30,
    )
    assert answer.status_code == 501
    assert answer.json()["__type"] == "NotImplementedException"


def aws_cli(endpoint: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_PAGER": "",
    }
    command = [str(AWS_CLI), "--endpoint-url", endpoint, *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


# cloudformation: a query (XML) service, as STS was before Lamina served it.
@pytest.mark.parametrize(
    ("name", "command", "operation"),
    [("sns", "list-topics", "ListTopics"), ("cloudformation", "list-stacks", "ListStacks")],
)
def test_the_cli_prints_not_implemented(endpoint, name, command, operation):
    if not AWS_CLI.exists():
        pytest.skip("the AWS CLI is not installed in this environment")
    done = aws_cli(endpoint, name, command)
    assert done.returncode != 0
    assert "Unable to parse" not in done.stderr
    assert (
        f"An error occurred (NotImplementedException) when calling the {operation} operation: "
        f"{refusal(name, operation)}"
    ) in done.stderr


# ------------------------------------------------------------------------- the model index


def test_the_head_of_a_model_file_gives_its_whole_metadata():
    from botocore.loaders import Loader

    loader = Loader()
    for name in ("s3", "sqs", "stepfunctions", "cloudwatch", "apigatewayv2"):
        full = loader.load_service_model(name, "service-2")["metadata"]
        assert _model_metadata(loader, name) == dict(full), name


def test_the_index_finds_services_by_signing_name_and_target_prefix():
    index = ModelIndex().ensure()
    assert index.by_signing_name["states"] == ["stepfunctions"]
    assert index.by_target_prefix["DynamoDB_20120810"] == "dynamodb"
    assert set(index.by_signing_name["apigateway"]) >= {"apigateway", "apigatewayv2"}


def test_services_sharing_a_signing_name_are_told_apart_by_path():
    def at(path: str) -> HttpRequest:
        return HttpRequest(method="GET", path=path, query="", headers=Headers([]))

    names = ["apigateway", "apigatewayv2"]
    assert _pick(names, at("/v2/apis")) == "apigatewayv2"
    assert _pick(names, at("/restapis")) == "apigateway"
