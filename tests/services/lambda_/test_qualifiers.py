"""Qualifiers, through boto3: $LATEST is the only one that exists until versions and aliases are
built, and every operation answers a qualifier it cannot resolve as AWS does (404, the qualified
ARN in the message), changing and running nothing."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.conftest import create_function, error_of, make_zip

ARN = "arn:aws:lambda:us-east-1:000000000000:function:fn"
COUNTER = (
    "calls = 0\ndef handler(event, context):\n    global calls\n    calls += 1\n    return calls\n"
)


def not_found(call, **params) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


def missing(qualifier: str) -> tuple[str, int, str]:
    return ("ResourceNotFoundException", 404, f"Function not found: {ARN}:{qualifier}")


def counted(lambda_client) -> int:
    return json.loads(lambda_client.invoke(FunctionName="fn")["Payload"].read())


@pytest.fixture
def counter(lambda_client):
    create_function(lambda_client, "fn", Handler="app.handler",
                    Code={"ZipFile": make_zip({"app.py": COUNTER})})  # fmt: skip
    assert counted(lambda_client) == 1  # warm, and $LATEST is in the invoke path's cache
    return lambda_client


@pytest.mark.parametrize("invocation_type", ["RequestResponse", "Event", "DryRun"])
@pytest.mark.parametrize(
    ("name", "qualifier", "shown"),
    [("fn", "1", "1"), ("fn:1", None, "1"), (f"{ARN}:1", None, "1"), ("fn", "live", "live"),
     (f"{ARN}:live", None, "live")],
)  # fmt: skip
def test_invoking_a_version_or_alias_that_does_not_exist_is_404_and_runs_nothing(
    counter, invocation_type, name, qualifier, shown
):
    params = {"FunctionName": name, "InvocationType": invocation_type, "Payload": b"{}"}
    if qualifier:
        params["Qualifier"] = qualifier
    assert not_found(counter.invoke, **params) == missing(shown)
    assert counted(counter) == 2  # $LATEST ran only for the warm-up and now


def test_invoke_async_of_a_version_that_does_not_exist_is_404(counter):
    assert not_found(counter.invoke_async, FunctionName="fn:1", InvokeArgs=b"{}") == missing("1")
    assert counted(counter) == 2


@pytest.mark.parametrize("name", ["fn:$LATEST", f"{ARN}:$LATEST"])
def test_latest_can_be_named_in_the_function_name_or_the_qualifier(counter, name):
    answer = counter.invoke(FunctionName=name)
    assert (answer["StatusCode"], answer["ExecutedVersion"]) == (200, "$LATEST")
    answer = counter.invoke(FunctionName="fn", Qualifier="$LATEST")
    assert json.loads(answer["Payload"].read()) == 3


@pytest.mark.parametrize("qualifier", ["1", "live"])
def test_reading_a_version_or_alias_that_does_not_exist_is_404(lambda_client, qualifier):
    create_function(lambda_client, "fn")
    for read in (lambda_client.get_function, lambda_client.get_function_configuration):
        assert not_found(read, FunctionName="fn", Qualifier=qualifier) == missing(qualifier)
        assert not_found(read, FunctionName=f"fn:{qualifier}") == missing(qualifier)
    assert lambda_client.get_function(FunctionName="fn", Qualifier="$LATEST")["Configuration"]


def test_deleting_a_version_that_does_not_exist_is_404_and_keeps_the_function(lambda_client):
    create_function(lambda_client, "fn")
    assert not_found(lambda_client.delete_function, FunctionName="fn", Qualifier="1") == missing(
        "1"
    )
    assert not_found(lambda_client.delete_function, FunctionName=f"{ARN}:1") == missing("1")
    assert lambda_client.get_function(FunctionName="fn")["Configuration"]["FunctionName"] == "fn"


def test_updating_through_a_version_that_does_not_exist_is_404_and_changes_nothing(
    lambda_client,
):
    create_function(lambda_client, "fn", Description="before")
    update = lambda_client.update_function_configuration
    assert not_found(update, FunctionName=f"{ARN}:1", Description="after") == missing("1")
    code = lambda_client.update_function_code
    assert not_found(code, FunctionName="fn:1", ZipFile=make_zip()) == missing("1")
    config = lambda_client.get_function_configuration(FunctionName="fn")
    assert config["Description"] == "before"


@pytest.mark.parametrize("qualifier", ["1", "$LATEST"])
def test_tags_on_a_qualified_arn_are_refused_as_aws_refuses_them(lambda_client, qualifier):
    create_function(lambda_client, "fn")
    resource = f"{ARN}:{qualifier}"
    refusal = (
        "InvalidParameterValueException",
        400,
        "Tags on function aliases and versions are not supported. Please specify a function ARN.",
    )
    assert not_found(lambda_client.tag_resource, Resource=resource, Tags={"a": "b"}) == refusal
    assert not_found(lambda_client.untag_resource, Resource=resource, TagKeys=["a"]) == refusal
    assert not_found(lambda_client.list_tags, Resource=resource) == refusal
    assert lambda_client.list_tags(Resource=ARN)["Tags"] == {}
