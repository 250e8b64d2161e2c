"""Bad input gets the error AWS gives, and changes nothing."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from lamina.protocol.validate.rules import LAMBDA_RUNTIMES
from tests.conftest import create_function, error_of, make_zip


def refused(lambda_client, **overrides) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as excinfo:
        create_function(lambda_client, "bad", **overrides)
    assert lambda_client.list_functions()["Functions"] == []
    return error_of(excinfo)


def test_memory_above_the_limit_is_a_validation_error(lambda_client):
    assert refused(lambda_client, MemorySize=20000) == (
        "ValidationException",
        400,
        "1 validation error detected: Value '20000' at 'memorySize' failed to satisfy "
        "constraint: Member must have value less than or equal to 10240",
    )


def test_timeout_above_900_is_a_validation_error(lambda_client):
    code, status, message = refused(lambda_client, Timeout=901)
    assert (code, status) == ("ValidationException", 400)
    assert "Member must have value less than or equal to 900" in message


def test_a_deprecated_runtime_is_refused_as_aws_refuses_it(lambda_client):
    code, status, message = refused(lambda_client, Runtime="python3.7")
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message.startswith("The runtime parameter of python3.7 is no longer supported")


def test_an_unknown_runtime_fails_the_enum(lambda_client):
    # Lambda's own code and text, not Coral's ValidationException (the list is AWS's, in the
    # order AWS prints it: see lamina/protocol/validate/rules.py)
    with pytest.raises(ClientError) as excinfo:
        create_function(lambda_client, "bad", Runtime="python2.1")
    assert lambda_client.list_functions()["Functions"] == []
    assert error_of(excinfo) == (
        "InvalidParameterValueException",
        400,
        "Value python2.1 at 'runtime' failed to satisfy constraint: Member must satisfy enum "
        f"value set: [{LAMBDA_RUNTIMES}] or be a valid ARN",
    )
    assert excinfo.value.response["Type"] == "User"


def test_an_aws_runtime_lamina_cannot_run_says_so(lambda_client):
    code, status, message = refused(lambda_client, Runtime="java21")
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "Lamina does not support the runtime java21" in message


def test_environment_over_4kb_is_refused(lambda_client):
    code, status, message = refused(lambda_client, Environment={"Variables": {"BIG": "x" * 4100}})
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "exceeded the 4KB limit" in message


def test_reserved_environment_keys_are_refused(lambda_client):
    code, _, message = refused(lambda_client, Environment={"Variables": {"AWS_REGION": "x"}})
    assert code == "InvalidParameterValueException"
    assert message.endswith("Reserved keys used in this request: AWS_REGION")


def test_a_file_that_is_not_a_zip_is_refused(lambda_client):
    code, _, message = refused(lambda_client, Code={"ZipFile": b"not a zip at all"})
    assert code == "InvalidParameterValueException"
    assert message.startswith("Could not unzip uploaded file.")


def test_handler_is_required_for_zip_functions(lambda_client):
    with pytest.raises(ClientError) as excinfo:
        lambda_client.create_function(
            FunctionName="nohandler", Runtime="python3.12",
            Role="arn:aws:iam::000000000000:role/r", Code={"ZipFile": make_zip()},
        )  # fmt: skip
    code, _, message = error_of(excinfo)
    assert code == "InvalidParameterValueException"
    assert "Runtime and Handler are mandatory" in message


def test_a_bad_function_name_fails_the_pattern(lambda_client):
    code, status, message = refused(lambda_client, FunctionName="has spaces")
    assert (code, status) == ("ValidationException", 400)
    assert "at 'functionName' failed to satisfy constraint" in message


def test_two_violations_are_reported_together(unvalidated_lambda_client):
    code, status, message = refused(unvalidated_lambda_client, MemorySize=64, Timeout=0)
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("2 validation errors detected: ")
    assert "Value '64' at 'memorySize' failed to satisfy constraint" in message
    assert "Value '0' at 'timeout' failed to satisfy constraint" in message


def test_s3_code_names_a_missing_bucket(lambda_client):
    code, _, message = refused(lambda_client, Code={"S3Bucket": "no-such-bucket", "S3Key": "k.zip"})
    assert code == "InvalidParameterValueException"
    assert "NoSuchBucket" in message


def test_an_unsupported_operation_says_so_clearly(lambda_client):
    with pytest.raises(ClientError) as excinfo:
        lambda_client.list_code_signing_configs()
    code, status, message = error_of(excinfo)
    assert (code, status) == ("NotImplementedException", 501)
    assert "ListCodeSigningConfigs" in message


LAYER = "arn:aws:lambda:us-east-1:000000000000:layer:shared:1"
NO_LAYER = ("InvalidParameterValueException", 400, f"Layer version {LAYER} does not exist.")


def test_a_layer_that_does_not_exist_is_refused(lambda_client):
    assert refused(lambda_client, Layers=[LAYER]) == NO_LAYER


def test_a_refused_layer_in_an_update_changes_nothing(lambda_client):
    create_function(lambda_client, "fn", Description="before")
    revision = lambda_client.get_function_configuration(FunctionName="fn")["RevisionId"]
    with pytest.raises(ClientError) as excinfo:
        lambda_client.update_function_configuration(
            FunctionName="fn", Layers=[LAYER], Description="after"
        )
    assert error_of(excinfo) == NO_LAYER
    config = lambda_client.get_function_configuration(FunctionName="fn")
    assert (config["Description"], config["RevisionId"]) == ("before", revision)
    assert "Layers" not in config
    # No layers at all is what a function has by default: asking for that is fine.
    lambda_client.update_function_configuration(FunctionName="fn", Layers=[])
    assert "Layers" not in lambda_client.get_function_configuration(FunctionName="fn")
