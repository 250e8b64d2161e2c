"""Aliases through boto3: Create/Get/Update/Delete/ListAliases with AWS's answers and errors,
invocations through an alias (by Qualifier and by ARN), and weighted routing between two
published versions, ExecutedVersion telling which ran."""

from __future__ import annotations

from collections import Counter

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of
from tests.services.lambda_.versioning import ARN, create_saying, invoked, publish_saying


def failure(call, **params) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


@pytest.fixture
def two_versions(lambda_client):
    create_saying(lambda_client, "zero")
    assert publish_saying(lambda_client, "one") == "1"
    assert publish_saying(lambda_client, "two") == "2"
    return lambda_client


def test_alias_lifecycle(two_versions):
    c = two_versions
    created = c.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
    assert {k: created[k] for k in ("AliasArn", "Name", "FunctionVersion", "Description")} == {
        "AliasArn": f"{ARN}:live", "Name": "live", "FunctionVersion": "1", "Description": "",
    }  # fmt: skip
    assert "RoutingConfig" not in created
    got = c.get_alias(FunctionName=ARN, Name="live")
    assert got["RevisionId"] == created["RevisionId"]
    code, status, _ = failure(
        c.update_alias, FunctionName="fn", Name="live", FunctionVersion="2", RevisionId="0" * 36
    )
    assert (code, status) == ("PreconditionFailedException", 412)
    updated = c.update_alias(
        FunctionName="fn", Name="live", FunctionVersion="2", Description="now two",
        RevisionId=created["RevisionId"],
    )  # fmt: skip
    assert (updated["FunctionVersion"], updated["Description"]) == ("2", "now two")
    assert updated["RevisionId"] != created["RevisionId"]
    c.delete_alias(FunctionName="fn", Name="live")
    assert failure(c.get_alias, FunctionName="fn", Name="live") == (
        "ResourceNotFoundException", 404, f"Cannot find alias arn: {ARN}:live",
    )  # fmt: skip
    assert failure(c.delete_alias, FunctionName="fn", Name="live")[:2] == (
        "ResourceNotFoundException", 404,
    )  # fmt: skip


def test_aliases_are_listed_by_name_in_pages_and_filtered_by_version(two_versions):
    c = two_versions
    for name, version in (("a", "1"), ("b", "2"), ("c", "1"), ("d", "$LATEST")):
        c.create_alias(FunctionName="fn", Name=name, FunctionVersion=version)
    page = c.list_aliases(FunctionName="fn", MaxItems=3)
    assert [a["Name"] for a in page["Aliases"]] == ["a", "b", "c"]
    rest = c.list_aliases(FunctionName="fn", Marker=page["NextMarker"])
    assert [a["Name"] for a in rest["Aliases"]] == ["d"]
    assert "NextMarker" not in rest
    ones = c.list_aliases(FunctionName="fn", FunctionVersion="1")["Aliases"]
    assert [a["Name"] for a in ones] == ["a", "c"]


def test_alias_errors_as_aws_answers_them(two_versions):
    c = two_versions
    c.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
    assert failure(c.create_alias, FunctionName="fn", Name="live", FunctionVersion="2") == (
        "ResourceConflictException", 409, f"Alias already exists: {ARN}:live",
    )  # fmt: skip
    assert failure(c.create_alias, FunctionName="fn", Name="next", FunctionVersion="9") == (
        "ResourceNotFoundException", 404, f"Function not found: {ARN}:9",
    )  # fmt: skip
    weights = {"AdditionalVersionWeights": {"2": 0.5, "3": 0.1}}
    assert failure(
        c.create_alias, FunctionName="fn", Name="x", FunctionVersion="1", RoutingConfig=weights
    ) == (
        "InvalidParameterValueException", 400,
        "Number of items in AdditionalVersionWeights cannot be greater than 1",
    )  # fmt: skip
    on_latest = {"AdditionalVersionWeights": {"2": 0.5}}
    assert failure(
        c.create_alias, FunctionName="fn", Name="x", FunctionVersion="$LATEST",
        RoutingConfig=on_latest,
    ) == (
        "InvalidParameterValueException", 400,
        "$LATEST is not supported for an alias pointing to more than 1 version",
    )  # fmt: skip
    itself = {"AdditionalVersionWeights": {"1": 0.5}}
    assert failure(
        c.create_alias, FunctionName="fn", Name="x", FunctionVersion="1", RoutingConfig=itself
    ) == (
        "InvalidParameterValueException", 400,
        "Invalid function version 1. Function version 1 is already included in routing "
        "configuration.",
    )  # fmt: skip
    missing = {"AdditionalVersionWeights": {"7": 0.5}}
    assert failure(
        c.create_alias, FunctionName="fn", Name="x", FunctionVersion="1", RoutingConfig=missing
    ) == ("ResourceNotFoundException", 404, f"Function not found: {ARN}:7")
    assert [a["Name"] for a in c.list_aliases(FunctionName="fn")["Aliases"]] == ["live"]


def test_weights_outside_zero_to_one_are_refused(unvalidated_lambda_client):
    c = unvalidated_lambda_client
    create_saying(c, "zero")
    publish_saying(c, "one")
    publish_saying(c, "two")
    code, status, _ = failure(
        c.create_alias, FunctionName="fn", Name="x", FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 1.5}},
    )  # fmt: skip
    assert (code, status) == ("ValidationException", 400)


def test_invoking_through_an_alias_runs_its_version(two_versions):
    c = two_versions
    c.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
    answer, executed = invoked(c, Qualifier="live")
    assert (answer["answer"], answer["arn"], executed) == ("one", f"{ARN}:live", "1")
    assert invoked(c, FunctionName=f"{ARN}:live")[0]["answer"] == "one"
    shown = c.get_function_configuration(FunctionName="fn", Qualifier="live")
    assert (shown["FunctionArn"], shown["Version"]) == (f"{ARN}:live", "1")
    c.update_alias(FunctionName="fn", Name="live", FunctionVersion="2")
    assert invoked(c, Qualifier="live")[1] == "2"  # the change holds at once on this node
    c.update_alias(FunctionName="fn", Name="live", FunctionVersion="$LATEST")
    assert invoked(c, Qualifier="live")[0]["answer"] == "two"  # $LATEST holds version 2's code
    assert invoked(c, Qualifier="live")[1] == "$LATEST"


def test_weighted_routing_splits_invocations_by_weight(two_versions):
    c = two_versions
    c.create_alias(
        FunctionName="fn", Name="canary", FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.3}},
    )  # fmt: skip
    runs = [invoked(c, Qualifier="canary") for _ in range(400)]
    for answer, executed in runs:
        assert {"one": "1", "two": "2"}[answer["answer"]] == executed == answer["version"]
    counts = Counter(executed for _, executed in runs)
    assert 80 <= counts["2"] <= 160, counts  # 120 expected; about 4.4 standard deviations
    updated = c.update_alias(FunctionName="fn", Name="canary", RoutingConfig={})
    assert "RoutingConfig" not in updated
    assert {invoked(c, Qualifier="canary")[1] for _ in range(30)} == {"1"}
