"""Tags, reserved concurrency and account settings."""

from __future__ import annotations

import os

import pytest
from botocore.exceptions import ClientError

from tests.conftest import create_function, error_of, make_zip


def test_tags_are_set_listed_and_removed(lambda_client):
    arn = create_function(lambda_client, "tagged", Tags={"team": "core"})["FunctionArn"]
    lambda_client.tag_resource(Resource=arn, Tags={"env": "dev", "team": "edge"})
    assert lambda_client.list_tags(Resource=arn)["Tags"] == {"team": "edge", "env": "dev"}
    lambda_client.untag_resource(Resource=arn, TagKeys=["team"])
    assert lambda_client.list_tags(Resource=arn)["Tags"] == {"env": "dev"}
    assert lambda_client.get_function(FunctionName="tagged")["Tags"] == {"env": "dev"}


def test_tagging_a_missing_function_is_not_found(lambda_client):
    arn = "arn:aws:lambda:us-east-1:000000000000:function:ghost"
    with pytest.raises(ClientError) as excinfo:
        lambda_client.tag_resource(Resource=arn, Tags={"a": "b"})
    assert error_of(excinfo)[:2] == ("ResourceNotFoundException", 404)


def test_more_than_fifty_tags_are_refused(lambda_client):
    arn = create_function(lambda_client, "many")["FunctionArn"]
    with pytest.raises(ClientError) as excinfo:
        lambda_client.tag_resource(Resource=arn, Tags={f"k{i}": "v" for i in range(51)})
    assert error_of(excinfo)[0] == "InvalidParameterValueException"
    assert lambda_client.list_tags(Resource=arn)["Tags"] == {}


def test_reserved_concurrency_is_stored_and_reported(lambda_client):
    create_function(lambda_client, "reserved")
    assert (
        lambda_client.get_function_concurrency(FunctionName="reserved").get(
            "ReservedConcurrentExecutions"
        )
        is None
    )
    put = lambda_client.put_function_concurrency(
        FunctionName="reserved", ReservedConcurrentExecutions=50
    )
    assert put["ReservedConcurrentExecutions"] == 50
    assert lambda_client.get_function(FunctionName="reserved")["Concurrency"] == {
        "ReservedConcurrentExecutions": 50
    }
    settings = lambda_client.get_account_settings()
    assert settings["AccountLimit"]["ConcurrentExecutions"] == 1000
    assert settings["AccountLimit"]["UnreservedConcurrentExecutions"] == 950
    assert settings["AccountUsage"]["FunctionCount"] == 1
    lambda_client.delete_function_concurrency(FunctionName="reserved")
    assert "ReservedConcurrentExecutions" not in lambda_client.get_function_concurrency(
        FunctionName="reserved"
    )


def test_reserving_into_the_last_hundred_is_refused(lambda_client):
    create_function(lambda_client, "greedy")
    with pytest.raises(ClientError) as excinfo:
        lambda_client.put_function_concurrency(
            FunctionName="greedy", ReservedConcurrentExecutions=901
        )
    code, _, message = error_of(excinfo)
    assert code == "InvalidParameterValueException"
    assert "below its minimum value of [100]" in message
    assert (
        lambda_client.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"]
        == 1000
    )


def test_account_usage_counts_code(lambda_client):
    size = (
        create_function(lambda_client, "a")["CodeSize"]
        + create_function(lambda_client, "b")["CodeSize"]
    )
    usage = lambda_client.get_account_settings()["AccountUsage"]
    assert usage == {"TotalCodeSize": size, "FunctionCount": 2}


def test_code_storage_beyond_the_account_limit_is_refused(tmp_path):
    from tests.conftest import client
    from tests.server import LaminaServer

    lamina = LaminaServer(tmp_path / "data", {"LAMINA_CODE_STORAGE_BYTES": "400"})
    lamina.start()
    try:
        lam = client("lambda", lamina.url)
        with pytest.raises(ClientError) as excinfo:
            # Random bytes do not deflate, so the zip is surely over the 400-byte limit.
            create_function(lam, "big", Code={"ZipFile": make_zip({"a.bin": os.urandom(2000)})})
        assert error_of(excinfo)[:2] == ("CodeStorageExceededException", 400)
        assert lam.list_functions()["Functions"] == []
        assert lam.get_account_settings()["AccountLimit"]["TotalCodeSize"] == 400
    finally:
        lamina.stop()
