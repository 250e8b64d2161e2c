"""Lambda's function lifecycle through boto3, as the Lambda API reference describes it."""

from __future__ import annotations

import base64
import hashlib
import re
import threading

import pytest
import requests
from botocore.exceptions import ClientError

from tests.conftest import ROLE, client, create_function, error_of, make_zip

LAST_MODIFIED = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")


def test_create_function_answers_the_configuration_with_lambda_defaults(lambda_client):
    code = make_zip()
    created = create_function(lambda_client, "hello", Code={"ZipFile": code})
    assert created["FunctionName"] == "hello"
    assert created["FunctionArn"] == "arn:aws:lambda:us-east-1:000000000000:function:hello"
    assert created["CodeSha256"] == base64.b64encode(hashlib.sha256(code).digest()).decode()
    assert created["CodeSize"] == len(code)
    assert (created["MemorySize"], created["Timeout"]) == (128, 3)
    assert created["EphemeralStorage"] == {"Size": 512}
    assert created["Architectures"] == ["x86_64"]
    assert created["PackageType"] == "Zip"
    assert created["Version"] == "$LATEST"
    assert created["TracingConfig"] == {"Mode": "PassThrough"}
    assert created["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/aws/lambda/hello"}
    assert created["State"] == "Pending"
    assert LAST_MODIFIED.match(created["LastModified"])
    assert re.match(r"^[0-9a-f-]{36}$", created["RevisionId"])
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201


def test_function_becomes_active_and_the_boto3_waiter_sees_it(lambda_client):
    create_function(lambda_client, "waited")
    lambda_client.get_waiter("function_active_v2").wait(
        FunctionName="waited", WaiterConfig={"Delay": 1, "MaxAttempts": 5}
    )
    configuration = lambda_client.get_function_configuration(FunctionName="waited")
    assert configuration["State"] == "Active"
    assert configuration["LastUpdateStatus"] == "Successful"


def test_get_function_gives_a_code_location_that_serves_the_zip(lambda_client):
    code = make_zip({"index.py": "x = 1\n"})
    create_function(lambda_client, "located", Code={"ZipFile": code}, Handler="index.handler")
    got = lambda_client.get_function(FunctionName="located")
    assert got["Code"]["RepositoryType"] == "S3"
    downloaded = requests.get(got["Code"]["Location"], timeout=10)
    assert downloaded.status_code == 200
    assert downloaded.content == code
    assert got["Configuration"]["Handler"] == "index.handler"


def test_functions_are_found_by_name_partial_arn_and_arn(lambda_client):
    arn = create_function(lambda_client, "named")["FunctionArn"]
    for reference in ("named", "000000000000:function:named", arn, f"{arn}:$LATEST"):
        assert (
            lambda_client.get_function(FunctionName=reference)["Configuration"]["FunctionArn"]
            == arn
        )


def test_creating_an_existing_function_is_a_conflict(lambda_client):
    create_function(lambda_client, "twice")
    with pytest.raises(ClientError) as excinfo:
        create_function(lambda_client, "twice")
    assert error_of(excinfo) == (
        "ResourceConflictException",
        409,
        "Function already exist: twice",
    )


def test_a_missing_function_is_not_found_with_its_arn(lambda_client):
    with pytest.raises(ClientError) as excinfo:
        lambda_client.get_function(FunctionName="nope")
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        404,
        "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope",
    )
    assert excinfo.value.response["Type"] == "User"


def test_list_functions_pages_with_marker_and_max_items(lambda_client):
    names = [f"fn-{i}" for i in range(5)]
    for name in reversed(names):
        create_function(lambda_client, name)
    seen, marker, pages = [], None, 0
    while True:
        kwargs = {"MaxItems": 2} | ({"Marker": marker} if marker else {})
        page = lambda_client.list_functions(**kwargs)
        pages += 1
        seen += [f["FunctionName"] for f in page["Functions"]]
        marker = page.get("NextMarker")
        if not marker:
            break
    assert seen == names
    assert pages == 3
    paginated = lambda_client.get_paginator("list_functions").paginate(
        PaginationConfig={"PageSize": 4}
    )
    assert [f["FunctionName"] for p in paginated for f in p["Functions"]] == names


def test_update_configuration_changes_revision_and_the_updated_waiter_sees_it(lambda_client):
    created = create_function(lambda_client, "cfg")
    updated = lambda_client.update_function_configuration(
        FunctionName="cfg",
        MemorySize=512,
        Timeout=30,
        Description="bigger",
        Environment={"Variables": {"STAGE": "test"}},
    )
    assert updated["LastUpdateStatus"] == "InProgress"
    assert updated["RevisionId"] != created["RevisionId"]
    lambda_client.get_waiter("function_updated_v2").wait(
        FunctionName="cfg", WaiterConfig={"Delay": 1, "MaxAttempts": 5}
    )
    got = lambda_client.get_function_configuration(FunctionName="cfg")
    assert (got["MemorySize"], got["Timeout"], got["Description"]) == (512, 30, "bigger")
    assert got["Environment"] == {"Variables": {"STAGE": "test"}}
    assert got["LastUpdateStatus"] == "Successful"
    assert got["RevisionId"] == updated["RevisionId"]
    assert got["CodeSha256"] == created["CodeSha256"]


def test_a_stale_revision_id_is_refused_and_changes_nothing(lambda_client):
    created = create_function(lambda_client, "rev")
    lambda_client.update_function_configuration(FunctionName="rev", Timeout=10)
    with pytest.raises(ClientError) as excinfo:
        lambda_client.update_function_configuration(
            FunctionName="rev", Timeout=20, RevisionId=created["RevisionId"]
        )
    code, status, _ = error_of(excinfo)
    assert (code, status) == ("PreconditionFailedException", 412)
    assert lambda_client.get_function_configuration(FunctionName="rev")["Timeout"] == 10


def test_update_function_code_replaces_the_code(lambda_client):
    create_function(lambda_client, "coded")
    new_code = make_zip({"handler.py": "def handler(e, c):\n    return 2\n"})
    updated = lambda_client.update_function_code(FunctionName="coded", ZipFile=new_code)
    assert updated["CodeSha256"] == base64.b64encode(hashlib.sha256(new_code).digest()).decode()
    assert updated["CodeSize"] == len(new_code)
    location = lambda_client.get_function(FunctionName="coded")["Code"]["Location"]
    assert requests.get(location, timeout=10).content == new_code


def test_update_function_code_dry_run_changes_nothing(lambda_client):
    created = create_function(lambda_client, "dry")
    answer = lambda_client.update_function_code(
        FunctionName="dry", ZipFile=make_zip({"other.py": ""}), DryRun=True
    )
    assert answer["CodeSha256"] != created["CodeSha256"]
    after = lambda_client.get_function_configuration(FunctionName="dry")
    assert after["CodeSha256"] == created["CodeSha256"]
    assert after["RevisionId"] == created["RevisionId"]


def test_concurrent_code_updates_with_one_revision_id_let_exactly_one_win(lambda_client):
    revision = create_function(lambda_client, "race")["RevisionId"]
    outcomes: list[str] = []

    def update(i: int) -> None:
        try:
            lambda_client.update_function_code(
                FunctionName="race", ZipFile=make_zip({"v.py": f"v = {i}\n"}), RevisionId=revision
            )
            outcomes.append("ok")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])

    threads = [threading.Thread(target=update, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["PreconditionFailedException"] * 3 + ["ok"]


def test_delete_function_then_it_is_gone(lambda_client):
    create_function(lambda_client, "doomed", Tags={"a": "b"})
    deleted = lambda_client.delete_function(FunctionName="doomed")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] in (200, 204)
    with pytest.raises(ClientError) as excinfo:
        lambda_client.delete_function(FunctionName="doomed")
    assert error_of(excinfo)[:2] == ("ResourceNotFoundException", 404)
    assert lambda_client.list_functions()["Functions"] == []


def test_accounts_are_isolated_by_a_twelve_digit_access_key(endpoint, lambda_client):
    create_function(lambda_client, "mine")
    other = client("lambda", endpoint, access_key="111111111111")
    assert other.list_functions()["Functions"] == []
    created = create_function(other, "mine")
    assert created["FunctionArn"] == "arn:aws:lambda:us-east-1:111111111111:function:mine"
    west = client("lambda", endpoint, region="eu-west-1")
    assert west.list_functions()["Functions"] == []


def test_the_aws_cli_lists_functions(endpoint, lambda_client, tmp_path):
    import json
    import os
    import subprocess
    import sys

    create_function(lambda_client, "from-cli")
    env = dict(
        os.environ,
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(tmp_path / "none"),
    )
    aws = os.path.join(os.path.dirname(sys.executable), "aws")
    out = subprocess.run(
        [aws, "--endpoint-url", endpoint, "lambda", "list-functions", "--output", "json"],
        capture_output=True, text=True, env=env, timeout=60, check=True,
    ).stdout  # fmt: skip
    assert [f["FunctionName"] for f in json.loads(out)["Functions"]] == ["from-cli"]


def test_role_is_required_and_checked_by_the_model(lambda_client):
    with pytest.raises(ClientError) as excinfo:
        lambda_client.create_function(
            FunctionName="x", Runtime="python3.12", Role="not-a-role", Handler="h.h",
            Code={"ZipFile": make_zip()},
        )  # fmt: skip
    code, status, message = error_of(excinfo)
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("1 validation error detected: Value 'not-a-role' at 'role'")
    assert ROLE  # the fixture's role passes the same pattern
