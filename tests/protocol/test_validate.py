"""Input validation against botocore's models, with the codes and messages AWS answers with.

The message texts are AWS's as seen in real responses (quoted in lamina/protocol/validate/);
limits, patterns and enums are read from the installed model, which is what AWS checks too.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest

from lamina.protocol.errors import ServiceError
from lamina.protocol.models import load_service_model, service_model_from_parts
from lamina.protocol.serialize.errors import error_shape
from lamina.protocol.validate import (
    compile_pattern,
    java_string,
    translate_java_regex,
    validate_input,
)
from lamina.protocol.validate.rules import LAMBDA_RUNTIMES, RULES

ROLE = "arn:aws:iam::000000000000:role/lambda-role"


def error_of(operation: Any, params: dict[str, Any], **kwargs: Any) -> tuple[str, int, str]:
    with pytest.raises(ServiceError) as excinfo:
        validate_input(operation, params, **kwargs)
    error = excinfo.value
    assert error.status is not None
    return error.code, error.status, error.message


def passes(operation: Any, params: dict[str, Any], **kwargs: Any) -> bool:
    validate_input(operation, params, **kwargs)  # raises when invalid
    return True


def one(path: str, value: str, constraint: str) -> str:
    return (
        f"1 validation error detected: {value} at '{path}' failed to satisfy constraint: "
        f"{constraint}"
    )


def matches(java_pattern: str, text: str) -> bool:
    rx = compile_pattern(java_pattern)
    assert rx is not None, java_pattern
    return rx.fullmatch(text) is not None


# --------------------------------------------------------------------------------- Lambda


@pytest.fixture(scope="module")
def lam():
    return load_service_model("lambda")


@pytest.fixture(scope="module")
def create_function(lam):
    return lam.operation_model("CreateFunction")


def full_request(**overrides: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "FunctionName": "my-function",
        "Runtime": "python3.12",
        "Role": ROLE,
        "Handler": "app.handler",
        "Code": {"ZipFile": b"PK\x05\x06" + b"\0" * 18},
        "Description": "a function",
        "Timeout": 30,
        "MemorySize": 256,
        "Publish": True,
        "PackageType": "Zip",
        "Environment": {"Variables": {"STAGE": "dev", "LOG_LEVEL": "debug"}},
        "TracingConfig": {"Mode": "Active"},
        "Tags": {"team": "core"},
        "Layers": ["arn:aws:lambda:us-east-1:000000000000:layer:deps:3"],
        "Architectures": ["arm64"],
        "EphemeralStorage": {"Size": 1024},
        "VpcConfig": {"SubnetIds": ["subnet-0abc"], "SecurityGroupIds": ["sg-0abc"]},
        "DeadLetterConfig": {"TargetArn": "arn:aws:sqs:us-east-1:000000000000:dlq"},
        "LoggingConfig": {"LogFormat": "JSON", "ApplicationLogLevel": "INFO"},
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def test_a_valid_full_create_function_passes(create_function):
    assert passes(create_function, full_request())


def test_a_missing_function_name_is_null(create_function):
    assert error_of(create_function, full_request(FunctionName=None)) == (
        "ValidationException",
        400,
        one("functionName", "Value null", "Member must not be null"),
    )


def test_memory_above_the_model_maximum(lam, create_function):
    # botocore 1.44's Lambda model says 32768 (older models said 10240): AWS checks its model
    limit = lam.shape_for("MemorySize").metadata["max"]
    assert error_of(create_function, full_request(MemorySize=limit + 1)) == (
        "ValidationException",
        400,
        one(
            "memorySize",
            f"Value '{limit + 1}'",
            f"Member must have value less than or equal to {limit}",
        ),
    )


def test_timeout_zero(create_function):
    assert error_of(create_function, full_request(Timeout=0)) == (
        "ValidationException",
        400,
        one("timeout", "Value '0'", "Member must have value greater than or equal to 1"),
    )


def test_a_function_name_that_breaks_the_pattern(lam, create_function):
    pattern = lam.shape_for("FunctionName").metadata["pattern"]
    assert error_of(create_function, full_request(FunctionName="has spaces")) == (
        "ValidationException",
        400,
        one(
            "functionName",
            "Value 'has spaces'",
            f"Member must satisfy regular expression pattern: {pattern}",
        ),
    )


def test_an_empty_function_name_breaks_length_and_pattern_separately(lam, create_function):
    pattern = lam.shape_for("FunctionName").metadata["pattern"]
    assert error_of(create_function, full_request(FunctionName="")) == (
        "ValidationException",
        400,
        "2 validation errors detected: "
        "Value '' at 'functionName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; "
        "Value '' at 'functionName' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {pattern}",
    )


def test_a_deprecated_runtime_is_still_in_the_enum(create_function):
    # python2.7 is in the model's enum: refusing it is the provider's business, not the model's
    assert passes(create_function, full_request(Runtime="python2.7"))


def test_an_unknown_runtime_is_lambdas_own_invalid_parameter(create_function):
    # not Coral's ValidationException: Lambda's code, unquoted value, its own list of runtimes
    with pytest.raises(ServiceError) as excinfo:
        validate_input(create_function, full_request(Runtime="python2.1"))
    error = excinfo.value
    assert (error.code, error.status, error.message) == (
        "InvalidParameterValueException",
        400,
        "Value python2.1 at 'runtime' failed to satisfy constraint: Member must satisfy enum "
        f"value set: [{LAMBDA_RUNTIMES}] or be a valid ARN",
    )
    assert error.fields == {"Type": "User"}


def test_update_function_configuration_refuses_a_runtime_the_same_way(lam):
    update = lam.operation_model("UpdateFunctionConfiguration")
    code, _, message = error_of(update, {"FunctionName": "f", "Runtime": "cobol"})
    assert code == "InvalidParameterValueException"
    assert message.startswith("Value cobol at 'runtime' failed to satisfy constraint: ")


def test_an_unknown_runtime_beside_other_violations_leaves_them_to_coral(create_function):
    assert error_of(create_function, full_request(Runtime="cobol", Timeout=0)) == (
        "ValidationException",
        400,
        one("timeout", "Value '0'", "Member must have value greater than or equal to 1"),
    )


def test_lambdas_runtime_list_is_aws_s_hash_set_order():
    # AWS prints the set as a java.util.HashSet of 32 buckets iterates it: by bucket index,
    # (h ^ h >>> 16) & 31 of String.hashCode h. A wrong copy of the list would break this.
    def bucket(name: str) -> int:
        h = 0
        for ch in name:
            h = (31 * h + ord(ch)) & 0xFFFFFFFF
        return (h ^ (h >> 16)) & 31

    buckets = [bucket(name) for name in LAMBDA_RUNTIMES.split(", ")]
    assert buckets == sorted(buckets)


def test_two_violations_are_reported_together(create_function):
    assert error_of(create_function, full_request(FunctionName=None, Timeout=0)) == (
        "ValidationException",
        400,
        "2 validation errors detected: "
        "Value null at 'functionName' failed to satisfy constraint: Member must not be null; "
        "Value '0' at 'timeout' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1",
    )


def test_a_required_member_of_a_nested_structure(create_function):
    assert error_of(create_function, full_request(EphemeralStorage={})) == (
        "ValidationException",
        400,
        one("ephemeralStorage.size", "Value null", "Member must not be null"),
    )


def test_a_nested_value_out_of_range(create_function):
    assert error_of(create_function, full_request(EphemeralStorage={"Size": 100})) == (
        "ValidationException",
        400,
        one(
            "ephemeralStorage.size",
            "Value '100'",
            "Member must have value greater than or equal to 512",
        ),
    )


def test_a_list_element_names_its_1_based_index(create_function):
    arn = "arn:aws:elasticfilesystem:us-east-1:000000000000:access-point/fsap-0123456789abcdef0"
    configs = [{"Arn": arn, "LocalMountPath": "/mnt/a"}, {"Arn": arn}]
    assert error_of(create_function, full_request(FileSystemConfigs=configs)) == (
        "ValidationException",
        400,
        "2 validation errors detected: "
        f"Value '[{{Arn={arn}, LocalMountPath=/mnt/a}}, {{Arn={arn}}}]' at 'fileSystemConfigs' "
        "failed to satisfy constraint: Member must have length less than or equal to 1; "
        "Value null at 'fileSystemConfigs.2.member.localMountPath' failed to satisfy "
        "constraint: Member must not be null",
    )


def test_list_element_constraints_are_reported_on_the_list(create_function):
    # the message Lambda answers, word for word
    assert error_of(create_function, full_request(Architectures=["foo"])) == (
        "ValidationException",
        400,
        "1 validation error detected: Value '[foo]' at 'architectures' failed to satisfy "
        "constraint: Member must satisfy constraint: [Member must satisfy enum value set: "
        "[x86_64, arm64], Member must not be null]",
    )


def test_a_list_longer_than_its_maximum(create_function):
    assert error_of(create_function, full_request(Architectures=["x86_64", "arm64"])) == (
        "ValidationException",
        400,
        one(
            "architectures",
            "Value '[x86_64, arm64]'",
            "Member must have length less than or equal to 1",
        ),
    )


def test_a_sensitive_map_hides_its_value(create_function):
    # Lambda's answer for a bad environment variable name (the map is sensitive)
    params = full_request(Environment={"Variables": {"1BAD": "x"}})
    assert error_of(create_function, params) == (
        "ValidationException",
        400,
        "1 validation error detected: Value at 'environment.variables' failed to satisfy "
        "constraint: Map keys must satisfy constraint: [Member must satisfy regular expression "
        "pattern: [a-zA-Z]([a-zA-Z0-9_])+, Member must not be null]",
    )


def test_a_member_name_is_lowered_only_in_its_first_letter(create_function):
    code, _, message = error_of(create_function, full_request(KMSKeyArn="not an arn"))
    assert code == "ValidationException"
    assert message.startswith("1 validation error detected: Value 'not an arn' at 'kMSKeyArn' ")


def test_a_string_where_an_integer_belongs_fails_deserialization(create_function):
    assert error_of(create_function, full_request(Timeout="30")) == (
        "SerializationException",
        400,
        "STRING_VALUE can not be converted to an Integer",
    )


def test_a_boolean_is_not_an_integer(create_function):
    assert error_of(create_function, full_request(MemorySize=True)) == (
        "SerializationException",
        400,
        "TRUE_VALUE can not be converted to an Integer",
    )


def test_a_scalar_where_a_list_belongs(create_function):
    assert error_of(create_function, full_request(Layers="arn")) == (
        "SerializationException",
        400,
        "STRING_VALUE can not be converted to a List",
    )


def test_members_outside_the_model_are_ignored(create_function):
    assert passes(create_function, full_request(NotInTheModel=object()))


def test_an_operation_without_input_checks_nothing(lam):
    assert passes(lam.operation_model("GetAccountSettings"), {})


def test_the_same_answer_twice(create_function):
    # the compiled checks are cached; a second call must not differ
    first = error_of(create_function, full_request(Timeout=0, Runtime="cobol"))
    assert error_of(create_function, full_request(Timeout=0, Runtime="cobol")) == first


# ---------------------------------------------------------------- other protocols, services


def test_sns_publish_without_message_is_a_query_validation_error():
    # SNS (query) answers ValidationError with Coral's text for a missing Message
    publish = load_service_model("sns").operation_model("Publish")
    params = {"TopicArn": "arn:aws:sns:us-east-1:000000000000:topic"}
    assert error_of(publish, params) == (
        "ValidationError",
        400,
        one("message", "Value null", "Member must not be null"),
    )


def test_iam_list_elements_get_the_element_path():
    tag_user = load_service_model("iam").operation_model("TagUser")
    params = {"UserName": "bob", "Tags": [{"Key": "ok", "Value": "v"}, {"Key": "#", "Value": "v"}]}
    assert error_of(tag_user, params) == (
        "ValidationError",
        400,
        one(
            "tags.2.member.key",
            "Value '#'",
            r"Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+",
        ),
    )


def test_sqs_names_a_missing_parameter():
    send = load_service_model("sqs").operation_model("SendMessage")
    params = {"QueueUrl": "http://localhost/000000000000/q"}
    assert error_of(send, params) == (
        "MissingParameter",
        400,
        "The request must contain the parameter MessageBody.",
    )


def test_the_protocol_of_the_request_decides_the_code_of_a_service_without_rules():
    # a service the table does not name answers as its protocol's family does
    op = model_op(
        {
            "In": {"type": "structure", "required": ["Name"], "members": {"Name": {"shape": "S"}}},
            "S": {"type": "string"},
        },
        name="unlisted",
    )
    expected = one("name", "Value null", "Member must not be null")
    assert error_of(op, {}) == ("ValidationException", 400, expected)
    assert error_of(op, {}, protocol="smithy-rpc-v2-cbor") == ("ValidationException", 400, expected)
    assert error_of(op, {}, protocol="query") == ("ValidationError", 400, expected)


def test_ec2_names_a_missing_parameter():
    delete_vpc = load_service_model("ec2").operation_model("DeleteVpc")
    assert error_of(delete_vpc, {}) == (
        "MissingParameter",
        400,
        "The request must contain the parameter VpcId",
    )


def test_s3_missing_body_is_malformed_xml():
    delete_objects = load_service_model("s3").operation_model("DeleteObjects")
    assert error_of(delete_objects, {"Bucket": "b"}) == (
        "MalformedXML",
        400,
        "The XML you provided was not well-formed or did not validate against our published schema",
    )


def test_s3_bad_header_value_is_an_invalid_argument():
    s3 = load_service_model("s3")
    put_object = s3.operation_model("PutObject")
    with pytest.raises(ServiceError) as excinfo:
        validate_input(put_object, {"Bucket": "b", "Key": "k", "ACL": "nope"})
    error = excinfo.value
    acls = ", ".join(s3.shape_for("ObjectCannedACL").enum)
    assert (error.code, error.status, error.message) == (
        "InvalidArgument",
        400,
        f"Invalid value for x-amz-acl: Member must satisfy enum value set: [{acls}]",
    )
    assert error.fields == {"ArgumentName": "x-amz-acl", "ArgumentValue": "nope"}


# ------------------------------------------------------------------- hand-made models

JSON_META = {"protocol": "json", "jsonVersion": "1.1", "targetPrefix": "T", "apiVersion": "x"}


def model_op(shapes: dict[str, Any], name: str = "test", metadata: dict | None = None):
    operations = {
        "Op": {
            "name": "Op",
            "http": {"method": "POST", "requestUri": "/"},
            "input": {"shape": "In"},
        }
    }
    service = service_model_from_parts(metadata or JSON_META, operations, shapes, name=name)
    return service.operation_model("Op")


def test_list_length_and_element_constraints():
    op = model_op(
        {
            "In": {"type": "structure", "members": {"Names": {"shape": "Names"}}},
            "Names": {"type": "list", "member": {"shape": "Name"}, "min": 1, "max": 2},
            "Name": {"type": "string", "min": 1, "max": 3},
        }
    )
    assert error_of(op, {"Names": []}) == (
        "ValidationException",
        400,
        one("names", "Value '[]'", "Member must have length greater than or equal to 1"),
    )
    # a service other than Lambda or IAM does not add "Member must not be null" to the listing
    assert error_of(op, {"Names": ["abcd", "ab", "x"]}) == (
        "ValidationException",
        400,
        "2 validation errors detected: "
        "Value '[abcd, ab, x]' at 'names' failed to satisfy constraint: "
        "Member must have length less than or equal to 2; "
        "Value '[abcd, ab, x]' at 'names' failed to satisfy constraint: "
        "Member must satisfy constraint: [Member must have length less than or equal to 3, "
        "Member must have length greater than or equal to 1]",
    )


def test_map_values_and_nested_structures_in_maps():
    op = model_op(
        {
            "In": {"type": "structure", "members": {"Tags": {"shape": "Tags"}}},
            "Tags": {"type": "map", "key": {"shape": "Key"}, "value": {"shape": "Value"}},
            "Key": {"type": "string", "min": 1, "max": 5},
            "Value": {"type": "string", "max": 2},
        }
    )
    assert error_of(op, {"Tags": {"a": "xyz"}}) == (
        "ValidationException",
        400,
        one(
            "tags",
            "Value '{a=xyz}'",
            "Map value must satisfy constraint: [Member must have length less than or equal to 2]",
        ),
    )
    assert error_of(op, {"Tags": {"": "x"}}) == (
        "ValidationException",
        400,
        one(
            "tags",
            "Value '{=x}'",
            "Map keys must satisfy constraint: [Member must have length less than or equal to 5, "
            "Member must have length greater than or equal to 1]",
        ),
    )
    nested = model_op(
        {
            "In": {"type": "structure", "members": {"Items": {"shape": "Items"}}},
            "Items": {"type": "map", "key": {"shape": "Key"}, "value": {"shape": "Item"}},
            "Key": {"type": "string"},
            "Item": {
                "type": "structure",
                "required": ["Name"],
                "members": {"Name": {"shape": "Key"}},
            },
        }
    )
    assert error_of(nested, {"Items": {"k1": {"Name": "n"}, "k2": {}}}) == (
        "ValidationException",
        400,
        one("items.k2.member.name", "Value null", "Member must not be null"),
    )


def test_required_members_deep_in_nested_structures():
    op = model_op(
        {
            "In": {"type": "structure", "members": {"Outer": {"shape": "Outer"}}},
            "Outer": {"type": "structure", "members": {"Inner": {"shape": "Inner"}}},
            "Inner": {
                "type": "structure",
                "required": ["Name"],
                "members": {"Name": {"shape": "S"}},
            },
            "S": {"type": "string"},
        }
    )
    assert passes(op, {})
    assert passes(op, {"Outer": {}})
    assert error_of(op, {"Outer": {"Inner": {}}}) == (
        "ValidationException",
        400,
        one("outer.inner.name", "Value null", "Member must not be null"),
    )


def test_recursive_shapes():
    op = model_op(
        {
            "In": {"type": "structure", "members": {"Node": {"shape": "Node"}}},
            "Node": {
                "type": "structure",
                "required": ["Id"],
                "members": {"Id": {"shape": "Id"}, "Children": {"shape": "Nodes"}},
            },
            "Nodes": {"type": "list", "member": {"shape": "Node"}},
            "Id": {"type": "integer", "min": 0},
        }
    )
    tree = {"Id": 1, "Children": [{"Id": 2}, {"Id": 3, "Children": [{"Id": -1}]}]}
    assert error_of(op, {"Node": tree}) == (
        "ValidationException",
        400,
        one(
            "node.children.2.member.children.1.member.id",
            "Value '-1'",
            "Member must have value greater than or equal to 0",
        ),
    )


def test_a_union_with_two_members_set():
    op = model_op(
        {
            "In": {"type": "structure", "members": {"Choice": {"shape": "Choice"}}},
            "Choice": {
                "type": "structure",
                "union": True,
                "members": {"A": {"shape": "S"}, "B": {"shape": "S"}},
            },
            "S": {"type": "string"},
        }
    )
    assert passes(op, {"Choice": {"A": "x"}})
    assert error_of(op, {"Choice": {"A": "x", "B": "y"}}) == (
        "ValidationException",
        400,
        one("choice", "Value '{A=x, B=y}'", "Member must have exactly one member set"),
    )


def test_blob_length_counts_bytes_and_prints_as_java_does():
    op = model_op(
        {
            "In": {
                "type": "structure",
                "members": {"Data": {"shape": "Data"}, "Secret": {"shape": "Secret"}},
            },
            "Data": {"type": "blob", "min": 1, "max": 4},
            "Secret": {"type": "blob", "min": 1, "sensitive": True},
        }
    )
    assert passes(op, {"Data": b"1234"})
    # Kinesis, Rekognition and KMS answer with Java's ByteBuffer.toString()
    assert error_of(op, {"Data": b""}) == (
        "ValidationException",
        400,
        one(
            "data",
            "Value 'java.nio.HeapByteBuffer[pos=0 lim=0 cap=0]'",
            "Member must have length greater than or equal to 1",
        ),
    )
    assert error_of(op, {"Data": b"12345"}) == (
        "ValidationException",
        400,
        one(
            "data",
            "Value 'java.nio.HeapByteBuffer[pos=0 lim=5 cap=5]'",
            "Member must have length less than or equal to 4",
        ),
    )
    assert error_of(op, {"Secret": b""}) == (
        "ValidationException",
        400,
        one("secret", "Value", "Member must have length greater than or equal to 1"),
    )


def test_string_length_counts_characters():
    op = model_op(
        {
            "In": {"type": "structure", "members": {"S": {"shape": "S"}}},
            "S": {"type": "string", "max": 3},
        }
    )
    assert passes(op, {"S": "ééé"})  # 6 bytes, 3 characters


def test_numeric_ranges_on_doubles_print_as_java():
    op = model_op(
        {
            "In": {"type": "structure", "members": {"D": {"shape": "D"}}},
            "D": {"type": "double", "min": 0, "max": 100},
        }
    )
    assert passes(op, {"D": 100})
    assert error_of(op, {"D": 100.5}) == (
        "ValidationException",
        400,
        one("d", "Value '100.5'", "Member must have value less than or equal to 100"),
    )
    assert error_of(op, {"D": 1e7}) == (
        "ValidationException",
        400,
        one("d", "Value '1.0E7'", "Member must have value less than or equal to 100"),
    )


def test_java_regex_posix_and_unicode_classes():
    op = model_op(
        {
            "In": {
                "type": "structure",
                "members": {"Id": {"shape": "Id"}, "Label": {"shape": "Label"}},
            },
            "Id": {"type": "string", "pattern": r"\p{Alnum}+"},
            "Label": {"type": "string", "pattern": r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$"},
        }
    )
    assert passes(op, {"Id": "abc123", "Label": "Grüße, 世界"[:5] + " 1"})
    assert error_of(op, {"Id": "abc-123"}) == (
        "ValidationException",
        400,
        one(
            "id",
            "Value 'abc-123'",
            r"Member must satisfy regular expression pattern: \p{Alnum}+",
        ),
    )
    # Java's POSIX classes are ASCII-only
    assert error_of(op, {"Id": "é"})[0] == "ValidationException"
    assert error_of(op, {"Label": "a#b"})[0] == "ValidationException"


def test_patterns_match_the_whole_value():
    op = model_op(
        {
            "In": {"type": "structure", "members": {"S": {"shape": "S"}}},
            "S": {"type": "string", "pattern": "[a-z]+|[0-9]+"},
        }
    )
    assert passes(op, {"S": "abc"})
    assert passes(op, {"S": "123"})
    assert error_of(op, {"S": "abc123"}) == (
        "ValidationException",
        400,
        one("s", "Value 'abc123'", "Member must satisfy regular expression pattern: [a-z]+|[0-9]+"),
    )


def test_java_regex_translation():
    assert matches(r"[\w-_]+", "a-b_c")  # '-' after a class escape
    assert not matches(r"(?!(?i)AWS_)[A-Z_]+", "AWS_X")  # inline flags
    assert matches(r"(?!(?i)AWS_)[A-Z_]+", "ABC")
    assert matches(r"a++b", "aab")  # possessive
    assert not matches(r"\QA.B\E", "AxB")
    assert matches(r"[^-A-Za-z]${1,4}", "1")  # a quantified anchor
    pair = r"[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF]*"  # surrogate pair escapes
    assert matches(pair, "emoji 😀")
    assert not matches(pair, "\x01")
    assert not matches(r"\d+", "١٢")  # Java's \d is ASCII
    assert translate_java_regex(r"(?<year>\d{4})") == r"(?P<year>\d{4})"


def test_a_pattern_python_cannot_read_is_skipped(caplog):
    pattern = r"[\p{Print}&&[^|:/]]+"  # a Java class intersection
    op = model_op(
        {
            "In": {"type": "structure", "members": {"S": {"shape": "S"}}},
            "S": {"type": "string", "pattern": pattern, "max": 3},
        },
        name="skips",
    )
    compile_pattern.cache_clear()
    with caplog.at_level(logging.DEBUG, logger="lamina.protocol.validate"):
        assert passes(op, {"S": "a|b"})
    assert any(
        record.getMessage().startswith("skipping the model pattern") and pattern in record.args
        for record in caplog.records
    )
    # the other constraints of the shape still hold
    assert error_of(op, {"S": "abcd"})[2] == one(
        "s", "Value 'abcd'", "Member must have length less than or equal to 3"
    )


def test_the_list_stops_at_ten_and_the_count_stays_true():
    members = {f"M{i}": {"shape": "S"} for i in range(12)}
    op = model_op(
        {
            "In": {"type": "structure", "required": list(members), "members": members},
            "S": {"type": "string"},
        }
    )
    code, status, message = error_of(op, {})
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("12 validation errors detected: Value null at 'm0' ")
    assert message.count("Member must not be null") == 10
    assert message.endswith(
        "Value null at 'm9' failed to satisfy constraint: Member must not be null"
    )


def test_a_query_service_uses_validation_error():
    op = model_op(
        {
            "In": {
                "type": "structure",
                "required": ["Name"],
                "members": {"Name": {"shape": "S"}, "Count": {"shape": "N"}},
            },
            "S": {"type": "string"},
            "N": {"type": "integer", "max": 5},
        },
        metadata={"protocol": "query", "apiVersion": "x"},
    )
    assert error_of(op, {"Count": 6}) == (
        "ValidationError",
        400,
        "2 validation errors detected: "
        "Value null at 'name' failed to satisfy constraint: Member must not be null; "
        "Value '6' at 'count' failed to satisfy constraint: "
        "Member must have value less than or equal to 5",
    )


def test_documents_and_timestamps_take_what_the_parser_gives():
    op = model_op(
        {
            "In": {
                "type": "structure",
                "members": {"Doc": {"shape": "Doc"}, "When": {"shape": "T"}},
            },
            "Doc": {"type": "structure", "members": {}, "document": True},
            "T": {"type": "timestamp"},
        }
    )
    when = dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
    assert passes(op, {"Doc": [1, {"a": None}], "When": when})
    assert passes(op, {"Doc": "text"})


def test_java_string():
    assert java_string(None) == "null"
    assert java_string(True) == "true"
    assert java_string(3) == "3"
    assert java_string(0.5) == "0.5"
    assert java_string(2.5e-5) == "2.5E-5"
    assert java_string(["a", 1]) == "[a, 1]"
    assert java_string({"k": ["v"]}) == "{k=[v]}"
    assert java_string(dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) == "Thu Jan 01 00:00:00 UTC 1970"


# ------------------------------------------------------------- each service's own answer

# Codes that are AWS's common errors rather than shapes of the service's model; the table gives
# them their status (400) itself.
COMMON_CODES = {"ValidationException", "ValidationError", "MissingParameter", "InvalidArgument"}


@pytest.mark.parametrize("service", sorted(RULES))
def test_every_code_of_the_table_is_in_the_model_or_a_common_error(service):
    model = load_service_model(service)
    rules = RULES[service]
    for code in filter(None, [rules.code, rules.missing, *rules.operations.values()]):
        assert error_shape(model, code) is not None or code in COMMON_CODES, code


@pytest.fixture(scope="module")
def cw():
    return load_service_model("cloudwatch")


def test_cloudwatch_names_missing_parameters_as_the_query_protocol_does(cw):
    put = cw.operation_model("PutMetricData")
    # the model's shape name: the serializer writes its query code, MissingParameter
    assert error_of(put, {}) == (
        "MissingRequiredParameterException",
        400,
        "The parameter Namespace is required.",
    )
    assert error_of(put, {}, protocol="query")[0] == "MissingRequiredParameterException"


def test_cloudwatch_words_each_kind_of_constraint(cw):
    put = cw.operation_model("PutMetricData")

    def datum(**fields: Any) -> dict[str, Any]:
        return {"Namespace": "App", "MetricData": [{"MetricName": "M", "Value": 1, **fields}]}

    dimensions = [{"Name": f"d{i}", "Value": "v"} for i in range(31)]
    assert error_of(put, datum(Dimensions=dimensions)) == (
        "InvalidParameterValueException",
        400,
        "The collection MetricData.member.1.Dimensions must not have a size greater than 30.",
    )
    assert error_of(put, datum(Dimensions=[{"Name": "n", "Value": "v" * 1025}])) == (
        "InvalidParameterValueException",
        400,
        "The parameter MetricData.member.1.Dimensions.member.1.Value must be shorter than "
        "1025 characters.",
    )
    assert error_of(put, datum(Unit="Parsecs")) == (
        "InvalidParameterValueException",
        400,
        "The value Parsecs for parameter MetricData.member.1.Unit is invalid.",
    )


def test_cloudwatch_names_the_list_element_that_failed(cw):
    stats = cw.operation_model("GetMetricStatistics")
    params = {
        "Namespace": "App",
        "MetricName": "M",
        "StartTime": dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        "EndTime": dt.datetime(2024, 1, 2, tzinfo=dt.UTC),
        "Period": 60,
        "Statistics": ["Sum", "Median"],
    }
    assert error_of(stats, params) == (
        "InvalidParameterValueException",
        400,
        "The value Median for parameter Statistics.member.2 is invalid.",
    )


def test_cloudwatch_get_metric_data_answers_validation_error(cw):
    data = cw.operation_model("GetMetricData")
    code, status, message = error_of(data, {})
    assert (code, status) == ("ValidationException", 400)  # ValidationError on the wire
    assert message.split("\n") == [
        "The parameter MetricDataQueries is required.",
        "The parameter StartTime is required.",
        "The parameter EndTime is required.",
    ]


def test_logs_answers_invalid_parameter_with_corals_text():
    create = load_service_model("logs").operation_model("CreateLogGroup")
    assert error_of(create, {"logGroupName": "a:b"}) == (
        "InvalidParameterException",
        400,
        one(
            "logGroupName",
            "Value 'a:b'",
            r"Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+",
        ),
    )


def test_logs_has_its_own_sentence_for_a_name_over_512():
    logs = load_service_model("logs")
    for operation, params in (
        ("CreateLogGroup", {"logGroupName": "a" * 513}),
        ("CreateLogStream", {"logGroupName": "g", "logStreamName": "s" * 513}),
    ):
        assert error_of(logs.operation_model(operation), params) == (
            "InvalidParameterException",
            400,
            "Invalid LogGroup or LogStream, both must have length less than or equal to 512.",
        )


def test_api_gateway_paths_start_with_the_operations_input():
    apigw = load_service_model("apigateway")
    put = apigw.operation_model("PutIntegration")
    types = ", ".join(apigw.shape_for("IntegrationType").enum)
    params = {"restApiId": "a", "resourceId": "r", "httpMethod": "GET", "type": "SOAP"}
    assert error_of(put, params) == (
        "ValidationException",
        400,
        one(
            "putIntegrationInput.type",
            "Value 'SOAP'",
            f"Member must satisfy enum value set: [{types}]",
        ),
    )


def test_dynamodb_events_and_step_functions_answer_corals_validation_exception():
    for service, operation, params in (
        ("dynamodb", "DescribeTable", {"TableName": ""}),
        ("events", "DescribeRule", {"Name": "x" * 65}),
        ("stepfunctions", "CreateActivity", {"name": "x" * 81}),
    ):
        op = load_service_model(service).operation_model(operation)
        code, status, message = error_of(op, params)
        assert (code, status) == ("ValidationException", 400), service
        assert message.startswith("1 validation error detected: Value '"), service


def test_sts_answers_validation_error():
    assume = load_service_model("sts").operation_model("AssumeRole")
    params = {"RoleArn": "arn:aws:iam::000000000000:role/r", "RoleSessionName": "a:b"}
    assert error_of(assume, params) == (
        "ValidationError",
        400,
        one(
            "roleSessionName",
            "Value 'a:b'",
            r"Member must satisfy regular expression pattern: [\w+=,.@-]*",
        ),
    )
