"""Published versions through boto3: PublishVersion snapshots $LATEST, immutable; Publish on
create and code updates; ListVersionsByFunction pages; DeleteFunction with a Qualifier; each
version runs in environments of its own, and everything survives a restart."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ENGINES, client, error_of, own_server
from tests.services.lambda_.versioning import (
    ARN,
    create_saying,
    invoked,
    publish_saying,
    update_saying,
)


def failure(call, **params) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


def test_a_version_is_a_snapshot_of_latest_that_later_changes_do_not_touch(lambda_client):
    created = create_saying(lambda_client, "one", Description="first")
    version = lambda_client.publish_version(FunctionName="fn", Description="the first one")
    assert version["Version"] == "1"
    assert version["FunctionArn"] == f"{ARN}:1"
    assert version["CodeSha256"] == created["CodeSha256"]
    assert version["Description"] == "the first one"
    update_saying(lambda_client, "two")
    lambda_client.update_function_configuration(FunctionName="fn", Timeout=9)
    answer, executed = invoked(lambda_client, Qualifier="1")
    assert (answer["answer"], answer["version"], executed) == ("one", "1", "1")
    assert answer["arn"] == f"{ARN}:1"
    answer, executed = invoked(lambda_client)
    assert (answer["answer"], answer["version"], executed) == ("two", "$LATEST", "$LATEST")
    shown = lambda_client.get_function_configuration(FunctionName="fn", Qualifier="1")
    assert (shown["Version"], shown["FunctionArn"], shown["Timeout"]) == ("1", f"{ARN}:1", 3)
    assert shown["CodeSha256"] == created["CodeSha256"]
    assert lambda_client.get_function(FunctionName=f"{ARN}:1")["Configuration"]["Version"] == "1"
    latest = lambda_client.get_function_configuration(FunctionName="fn")
    assert (latest["Version"], latest["FunctionArn"], latest["Timeout"]) == ("$LATEST", ARN, 9)


def test_publishing_with_nothing_changed_answers_the_last_version(lambda_client):
    create_saying(lambda_client, "one")
    first = lambda_client.publish_version(FunctionName="fn")
    again = lambda_client.publish_version(FunctionName="fn")
    assert (again["Version"], again["RevisionId"]) == ("1", first["RevisionId"])
    lambda_client.update_function_configuration(FunctionName="fn", MemorySize=256)
    assert lambda_client.publish_version(FunctionName="fn")["Version"] == "2"


def test_publish_preconditions_on_code_and_revision(lambda_client):
    created = create_saying(lambda_client, "one")
    sha = created["CodeSha256"]
    assert failure(lambda_client.publish_version, FunctionName="fn", CodeSha256="abc") == (
        "InvalidParameterValueException",
        400,
        f"CodeSHA256 (abc) is different from current CodeSHA256 in $LATEST ({sha}). "
        "Please try again with the CodeSHA256 in $LATEST.",
    )
    code, status, _ = failure(lambda_client.publish_version, FunctionName="fn", RevisionId="0" * 36)
    assert (code, status) == ("PreconditionFailedException", 412)
    current = lambda_client.get_function_configuration(FunctionName="fn")["RevisionId"]
    published = lambda_client.publish_version(FunctionName="fn", CodeSha256=sha, RevisionId=current)
    assert published["Version"] == "1"


def test_publish_on_create_and_on_code_update(lambda_client):
    created = create_saying(lambda_client, "one", Publish=True)
    assert (created["Version"], created["FunctionArn"]) == ("1", f"{ARN}:1")
    updated = update_saying(lambda_client, "two", Publish=True)
    assert (updated["Version"], updated["FunctionArn"]) == ("2", f"{ARN}:2")
    assert invoked(lambda_client, Qualifier="1")[0]["answer"] == "one"
    assert invoked(lambda_client, Qualifier="2")[0]["answer"] == "two"


def test_versions_are_listed_latest_first_in_pages(lambda_client):
    create_saying(lambda_client, "zero")
    for answer in ("one", "two", "three"):
        publish_saying(lambda_client, answer)
    page = lambda_client.list_versions_by_function(FunctionName="fn", MaxItems=3)
    assert [v["Version"] for v in page["Versions"]] == ["$LATEST", "1", "2"]
    assert page["Versions"][0]["FunctionArn"] == f"{ARN}:$LATEST"
    assert page["Versions"][2]["FunctionArn"] == f"{ARN}:2"
    rest = lambda_client.list_versions_by_function(FunctionName="fn", Marker=page["NextMarker"])
    assert [v["Version"] for v in rest["Versions"]] == ["3"]
    assert "NextMarker" not in rest


def test_deleting_one_version(lambda_client):
    create_saying(lambda_client, "zero")
    publish_saying(lambda_client, "one")
    publish_saying(lambda_client, "two")
    lambda_client.delete_function(FunctionName="fn", Qualifier="2")
    assert failure(lambda_client.get_function, FunctionName="fn", Qualifier="2") == (
        "ResourceNotFoundException", 404, f"Function not found: {ARN}:2",
    )  # fmt: skip
    assert invoked(lambda_client, Qualifier="1")[0]["answer"] == "one"
    assert publish_saying(lambda_client, "three") == "3"  # numbers are never reused
    code, status, message = failure(lambda_client.delete_function, FunctionName="fn:$LATEST")
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message == "$LATEST version cannot be deleted without deleting the function."
    lambda_client.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
    lambda_client.create_alias(FunctionName="fn", Name="beta", FunctionVersion="1")
    assert failure(lambda_client.delete_function, FunctionName="fn", Qualifier="1") == (
        "ResourceConflictException",
        409,
        "Unable to delete version because the following aliases reference it: [beta, live]",
    )
    lambda_client.delete_function(FunctionName="fn")  # the function, its versions and aliases
    assert failure(lambda_client.get_function, FunctionName="fn", Qualifier="1")[1] == 404


def test_each_version_has_environments_of_its_own(lambda_client):
    create_saying(lambda_client, "same")
    lambda_client.publish_version(FunctionName="fn")
    calls = [invoked(lambda_client, Qualifier=q)[0]["calls"] for q in ("1", "1", "$LATEST")]
    assert calls == [1, 2, 1]  # the same code, but $LATEST's environment is not version 1's


@pytest.mark.parametrize("engine", ENGINES)
def test_versions_and_aliases_survive_a_restart(tmp_path, engine):
    with own_server(tmp_path / "data", engine, "lamina_versions_restart") as lamina:
        functions = client("lambda", lamina.url)
        create_saying(functions, "zero")
        publish_saying(functions, "one")
        publish_saying(functions, "two")
        functions.create_alias(
            FunctionName="fn", Name="live", FunctionVersion="1",
            RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}},
        )  # fmt: skip
        lamina.stop()
        lamina.start()
        listed = functions.list_versions_by_function(FunctionName="fn")["Versions"]
        assert [v["Version"] for v in listed] == ["$LATEST", "1", "2"]
        alias = functions.get_alias(FunctionName="fn", Name="live")
        assert alias["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.5}}
        assert invoked(functions, Qualifier="1")[0]["answer"] == "one"
        assert publish_saying(functions, "three") == "3"
