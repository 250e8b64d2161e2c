"""Layers' control plane through boto3: publishing, reading, listing, deleting, permissions, and
a function's Layers as Create/UpdateFunctionConfiguration check and show them."""

from __future__ import annotations

import json

import pytest
import requests
from botocore.exceptions import ClientError

from tests.conftest import client, create_function, error_of, make_zip

LIBRARY = make_zip({"python/greeting.py": "WORD = 'hello'\n"})
OTHER_ACCOUNT = "111122223333"


def publish(lambda_client, name: str = "lib", **overrides):
    params = {"LayerName": name, "Content": {"ZipFile": LIBRARY}}
    params.update(overrides)
    return lambda_client.publish_layer_version(**params)


def test_a_published_version_is_numbered_and_read_back_by_name_and_by_arn(lambda_client):
    first = publish(
        lambda_client,
        Description="greetings",
        CompatibleRuntimes=["python3.12", "python3.11"],
        CompatibleArchitectures=["x86_64"],
        LicenseInfo="MIT",
    )
    second = publish(lambda_client)
    assert (first["Version"], second["Version"]) == (1, 2)
    assert first["LayerArn"] == "arn:aws:lambda:us-east-1:000000000000:layer:lib"
    assert first["LayerVersionArn"] == first["LayerArn"] + ":1"
    assert first["Content"]["CodeSize"] == len(LIBRARY)
    assert first["CompatibleRuntimes"] == ["python3.12", "python3.11"]
    assert first["LicenseInfo"] == "MIT"
    got = lambda_client.get_layer_version(LayerName="lib", VersionNumber=1)
    by_arn = lambda_client.get_layer_version_by_arn(Arn=first["LayerVersionArn"])
    for answer in (got, by_arn):
        assert answer["Description"] == "greetings"
        assert answer["Content"]["CodeSha256"] == first["Content"]["CodeSha256"]
    # The content's link serves the zip that was published.
    assert requests.get(got["Content"]["Location"], timeout=10).content == LIBRARY


def test_content_from_s3_is_refused_until_lamina_has_s3(lambda_client):
    with pytest.raises(ClientError) as caught:
        lambda_client.publish_layer_version(
            LayerName="lib", Content={"S3Bucket": "bucket", "S3Key": "layer.zip"}
        )
    code, status, message = error_of(caught)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "S3" in message and "not support" in message


def test_lists_filter_by_runtime_and_architecture_and_page(lambda_client):
    publish(lambda_client, "a", CompatibleRuntimes=["python3.12"])
    publish(
        lambda_client, "a", CompatibleRuntimes=["nodejs20.x"], CompatibleArchitectures=["arm64"]
    )
    publish(lambda_client, "b", CompatibleRuntimes=["python3.12"])
    publish(lambda_client, "c")
    every = lambda_client.list_layers()["Layers"]
    assert [layer["LayerName"] for layer in every] == ["a", "b", "c"]
    assert every[0]["LatestMatchingVersion"]["Version"] == 2
    python = lambda_client.list_layers(CompatibleRuntime="python3.12")["Layers"]
    assert [(x["LayerName"], x["LatestMatchingVersion"]["Version"]) for x in python] == [
        ("a", 1),
        ("b", 1),
    ]
    arm = lambda_client.list_layers(CompatibleArchitecture="arm64")["Layers"]
    assert [x["LayerName"] for x in arm] == ["a"]
    first = lambda_client.list_layers(MaxItems=2)
    assert len(first["Layers"]) == 2
    rest = lambda_client.list_layers(Marker=first["NextMarker"])
    assert [x["LayerName"] for x in rest["Layers"]] == ["c"] and "NextMarker" not in rest
    versions = lambda_client.list_layer_versions(LayerName="a")["LayerVersions"]
    assert [v["Version"] for v in versions] == [2, 1]
    page = lambda_client.list_layer_versions(LayerName="a", MaxItems=1)
    more = lambda_client.list_layer_versions(LayerName="a", Marker=page["NextMarker"])
    assert [v["Version"] for v in more["LayerVersions"]] == [1]
    filtered = lambda_client.list_layer_versions(LayerName="a", CompatibleRuntime="python3.12")
    assert [v["Version"] for v in filtered["LayerVersions"]] == [1]


def test_a_deleted_version_is_gone_and_its_number_is_not_given_again(lambda_client):
    publish(lambda_client)
    lambda_client.delete_layer_version(LayerName="lib", VersionNumber=1)
    lambda_client.delete_layer_version(LayerName="lib", VersionNumber=1)  # idempotent, as AWS
    with pytest.raises(ClientError) as caught:
        lambda_client.get_layer_version(LayerName="lib", VersionNumber=1)
    assert error_of(caught)[:2] == ("ResourceNotFoundException", 404)
    assert lambda_client.list_layers()["Layers"] == []
    assert publish(lambda_client)["Version"] == 2


def test_permissions_are_a_policy_with_a_revision(lambda_client):
    arn = publish(lambda_client)["LayerVersionArn"]
    added = lambda_client.add_layer_version_permission(
        LayerName="lib",
        VersionNumber=1,
        StatementId="share",
        Action="lambda:GetLayerVersion",
        Principal=OTHER_ACCOUNT,
    )
    assert json.loads(added["Statement"]) == {
        "Sid": "share",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
        "Action": "lambda:GetLayerVersion",
        "Resource": arn,
    }
    got = lambda_client.get_layer_version_policy(LayerName="lib", VersionNumber=1)
    assert got["RevisionId"] == added["RevisionId"]
    document = json.loads(got["Policy"])
    assert document["Version"] == "2012-10-17"
    assert [s["Sid"] for s in document["Statement"]] == ["share"]
    with pytest.raises(ClientError) as caught:
        lambda_client.add_layer_version_permission(
            LayerName="lib",
            VersionNumber=1,
            StatementId="share",
            Action="lambda:GetLayerVersion",
            Principal="*",
        )
    assert error_of(caught)[:2] == ("ResourceConflictException", 409)
    with pytest.raises(ClientError) as caught:
        lambda_client.remove_layer_version_permission(
            LayerName="lib", VersionNumber=1, StatementId="share", RevisionId="stale"
        )
    assert error_of(caught)[:2] == ("PreconditionFailedException", 412)
    lambda_client.remove_layer_version_permission(
        LayerName="lib", VersionNumber=1, StatementId="share", RevisionId=got["RevisionId"]
    )
    with pytest.raises(ClientError) as caught:
        lambda_client.get_layer_version_policy(LayerName="lib", VersionNumber=1)
    assert error_of(caught)[:2] == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as caught:
        lambda_client.remove_layer_version_permission(
            LayerName="lib", VersionNumber=1, StatementId="share"
        )
    assert error_of(caught)[0] == "ResourceNotFoundException"


def test_another_accounts_layer_is_usable_only_with_its_permission(lambda_client, endpoint):
    arn = publish(lambda_client)["LayerVersionArn"]
    other = client("lambda", endpoint, access_key=OTHER_ACCOUNT)
    with pytest.raises(ClientError) as caught:
        other.get_layer_version_by_arn(Arn=arn)
    assert error_of(caught)[:2] == ("AccessDeniedException", 403)
    with pytest.raises(ClientError) as caught:
        create_function(other, Layers=[arn])
    assert error_of(caught)[:2] == ("AccessDeniedException", 403)
    lambda_client.add_layer_version_permission(
        LayerName="lib",
        VersionNumber=1,
        StatementId="share",
        Action="lambda:GetLayerVersion",
        Principal=OTHER_ACCOUNT,
    )
    assert other.get_layer_version_by_arn(Arn=arn)["Version"] == 1
    made = create_function(other, Layers=[arn])
    assert made["Layers"] == [{"Arn": arn, "CodeSize": len(LIBRARY)}]


def test_a_functions_layers_show_arn_and_size_and_are_checked(lambda_client):
    arns = [publish(lambda_client, f"l{i}")["LayerVersionArn"] for i in range(6)]
    made = create_function(lambda_client, Layers=arns[:2])
    assert made["Layers"] == [{"Arn": a, "CodeSize": len(LIBRARY)} for a in arns[:2]]
    got = lambda_client.get_function(FunctionName="fn")["Configuration"]
    assert [x["Arn"] for x in got["Layers"]] == arns[:2]
    cases = {
        "InvalidParameterValueException: Cannot reference more than 5 layers.": arns,
        f"InvalidParameterValueException: Layer version {arns[0]}9 does not exist.": [
            arns[0] + "9"
        ],
        "InvalidParameterValueException: Layers are not in the same region as the function. "
        "Layers are expected to be in region us-east-1.": [
            arns[0].replace("us-east-1", "eu-west-1")
        ],
    }
    for expected, layers in cases.items():
        with pytest.raises(ClientError) as caught:
            lambda_client.update_function_configuration(FunctionName="fn", Layers=layers)
        code, _, message = error_of(caught)
        assert f"{code}: {message}" == expected
    lambda_client.delete_layer_version(LayerName="l5", VersionNumber=1)
    with pytest.raises(ClientError) as caught:
        lambda_client.update_function_configuration(FunctionName="fn", Layers=[arns[5]])
    assert error_of(caught)[2] == f"Layer version {arns[5]} does not exist."
    updated = lambda_client.update_function_configuration(FunctionName="fn", Layers=[arns[3]])
    assert [x["Arn"] for x in updated["Layers"]] == [arns[3]]
    cleared = lambda_client.update_function_configuration(FunctionName="fn", Layers=[])
    assert "Layers" not in cleared


def test_code_and_layers_together_are_capped_at_250_mb_unzipped(lambda_client):
    # Zeros compress to almost nothing: a small upload that unpacks to 150 MB.
    big = make_zip({"python/blob.bin": b"\0" * 150_000_000})
    arns = [publish(lambda_client, f"big{i}", Content={"ZipFile": big}) for i in range(2)]
    with pytest.raises(ClientError) as caught:
        create_function(lambda_client, Layers=[a["LayerVersionArn"] for a in arns])
    code, _, message = error_of(caught)
    assert code == "InvalidParameterValueException"
    assert message.startswith(
        "Function code combined with layers exceeds the maximum allowed size of 262144000 bytes."
    )
