"""Which error each AWS service answers when input breaks its model's constraints (DESIGN
decision 2).

Services differ in the code, in the wording and even per operation, so the answer is looked up
in one table, RULES, by botocore service name. A service without an entry answers as its
protocol's family does (`wording.py`): Coral's ``ValidationException`` (json, rest-json, cbor)
or ``ValidationError`` (query), EC2's and S3's own forms.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from botocore.model import OperationModel

from lamina.protocol.errors import ServiceError
from lamina.protocol.validate.violations import Violation, java_string, segments

JSON_PROTOCOLS = frozenset({"json", "rest-json", "smithy-rpc-v2-cbor"})


Special = Callable[[OperationModel, list[Violation]], ServiceError | list[Violation]]


@dataclass(frozen=True)
class Rules:
    """How one service answers a constraint failure.

    `code`: the error code (a shape name of the model, or its query code) for the Coral
    message; None for the protocol family's own. `missing`: the code for a missing member,
    answered on its own with the service's own sentence, when the service does not fold it
    into Coral's message. `wording`: "coral", "cloudwatch" (one sentence per violation,
    joined by newlines), "sqs", "ec2" or "s3" (their own answers, see constraint_error).
    `operations`: codes that differ per operation. `element_not_null`: Coral's listing of an
    element shape's constraints ends with "Member must not be null" in this service.
    `input_prefix`: the path starts with the operation's input name
    ('putIntegrationInput.type'). `special`: a check of the service's own that runs first; it
    answers, or hands back the violations left over."""

    code: str | None = None
    missing: str | None = None
    wording: str = "coral"
    operations: Mapping[str, str] = field(default_factory=dict)
    element_not_null: bool = False
    input_prefix: bool = False
    special: Special | None = None


def _top_member(v: Violation) -> str | None:
    """The member name when the violation is on a member of the input itself."""
    parts = segments(v.path)
    return parts[0][1] if len(parts) == 1 and parts[0][0] == "m" else None


# Lambda refuses a runtime outside its list with its own code and text (not Coral's
# ValidationException), naming the runtimes it accepts for a new function in the order it
# prints them, which is a Java HashSet's: every observed list puts the names in ascending
# order of (String.hashCode spread) mod 32. This list is the one LocalStack recorded against
# AWS (localstack runtimes.py VALID_RUNTIMES, "matching snapshots in
# test_create_lambda_exceptions", late 2025); a real answer of 2018 (a serverless-haskell
# user's deploy log) reads the same way:
# "Value haskell at 'runtime' failed to satisfy constraint: Member must satisfy enum value set:
# [java8, nodejs6.10, ...] or be a valid ARN (... Error Code: InvalidParameterValueException".
LAMBDA_RUNTIMES = (
    "nodejs20.x, python3.14, provided.al2023, python3.12, python3.13, nodejs24.x, nodejs22.x, "
    "java17, nodejs16.x, java25, dotnet8, python3.10, java11, python3.11, dotnet6, java21, "
    "nodejs18.x, provided.al2, ruby3.3, ruby3.4, java8.al2, ruby3.2, python3.8, python3.9"
)
_RUNTIME_OPERATIONS = frozenset({"CreateFunction", "UpdateFunctionConfiguration"})


def _lambda_runtime(
    operation: OperationModel, violations: list[Violation]
) -> ServiceError | list[Violation]:
    if operation.name not in _RUNTIME_OPERATIONS:
        return violations
    runtime = next(
        (v for v in violations if v.kind == "enum" and _top_member(v) == "Runtime"), None
    )
    if runtime is None:
        return violations
    rest = [v for v in violations if v is not runtime]
    if rest:
        # Guessed: the model's other constraints are checked first, the runtime after them.
        return rest
    return ServiceError(
        "InvalidParameterValueException",
        f"Value {java_string(runtime.value)} at 'runtime' failed to satisfy constraint: Member "
        f"must satisfy enum value set: [{LAMBDA_RUNTIMES}] or be a valid ARN",
        400,
        Type="User",
    )


# CloudWatch Logs answers a name over 512 characters with a sentence of its own (recorded
# against AWS by LocalStack, test_logs_groups.py::test_create_log_group_invalid_name_length,
# 2026: CreateLogGroup with 513 characters). Its wording names streams too, so CreateLogStream
# is taken to answer the same (inferred).
_LOGS_NAME_OPERATIONS = frozenset({"CreateLogGroup", "CreateLogStream"})
_LOGS_NAMES = frozenset({"logGroupName", "logStreamName"})


def _logs_name_length(
    operation: OperationModel, violations: list[Violation]
) -> ServiceError | list[Violation]:
    if operation.name in _LOGS_NAME_OPERATIONS and any(
        v.kind == "max_len" and _top_member(v) in _LOGS_NAMES for v in violations
    ):
        return ServiceError(
            "InvalidParameterException",
            "Invalid LogGroup or LogStream, both must have length less than or equal to 512.",
            400,
        )
    return violations


def _sqs_attribute_names(
    operation: OperationModel, violations: list[Violation]
) -> ServiceError | list[Violation]:
    """SQS answers an attribute name outside its enum (a queue attribute's map key, a name in
    AttributeNames) with InvalidAttributeName, "Unknown Attribute X." (LocalStack's
    AWS-validated SQS tests; the error shape is the model's)."""
    for v in violations:
        if v.kind in ("keys", "elements") and v.element is not None:
            return ServiceError("InvalidAttributeName", f"Unknown Attribute {v.element[1]}.", 400)
    return violations


RULES: dict[str, Rules] = {
    # Coral's ValidationException (LocalStack's AWS-recorded Lambda snapshots; "Value '20000'
    # at 'memorySize' ..."), but the runtime has Lambda's own InvalidParameterValueException.
    # Element listings end with "Member must not be null" ("[Member must satisfy enum value
    # set: [x86_64, arm64], Member must not be null]", seen in real answers).
    "lambda": Rules("ValidationException", element_not_null=True, special=_lambda_runtime),
    # InvalidParameterException with Coral's text, missing members included: "1 validation
    # error detected: Value null at 'logEvents.1.member.timestamp' failed to satisfy
    # constraint: Member must not be null" (cloudwatch-logs-centralize-logs#5), "... at
    # 'logStreamName' ... pattern: [^:*]*" (crossfeed#374), "2 validation errors detected: ...
    # 'logGroupNamePrefix' ..." (fluent-plugin-cloudwatch-logs#223); moto's Logs tests expect it.
    "logs": Rules("InvalidParameterException", special=_logs_name_length),
    # CloudWatch's own sentences (see _cloudwatch_text) under InvalidParameterValue, a missing
    # member as MissingParameter ("The parameter Namespace is required.", AWSSDK.jl#2);
    # GetMetricData answers ValidationError ("ValidationError: The collection
    # MetricDataQueries must not have a size greater than 100.", yet-another-cloudwatch-
    # exporter; several joined by newlines, yace#1435). Shape names: the serializer puts the
    # query code (InvalidParameterValue, MissingParameter, ValidationError) on the wire.
    "cloudwatch": Rules(
        "InvalidParameterValueException",
        missing="MissingRequiredParameterException",
        wording="cloudwatch",
        operations={"GetMetricData": "ValidationException"},
    ),
    # Query services with Coral's text under ValidationError: "(ValidationError) when calling
    # the AssumeRole operation: 1 validation error detected: Value 'PowerUser/hjacobs' at
    # 'roleSessionName' ..." (aws-credentials-service#7; AWSCore.jl#38), IAM the same (its
    # element listings end with "Member must not be null", as reported for IAM).
    "sts": Rules("ValidationError"),
    "iam": Rules("ValidationError", element_not_null=True),
    # SNS: "ValidationError", "1 validation error detected: Value null at 'message' failed to
    # satisfy constraint: Member must not be null" for Publish without a Message (the answer
    # Comcast's CMB, an SNS clone, tests for).
    "sns": Rules("ValidationError"),
    # SQS: "MissingParameter", "The request must contain the parameter MessageBody." over
    # either protocol; its model has no other constraints. (MissingParameter is one of AWS's
    # common query errors, not a shape of the SQS model: the status is given.)
    "sqs": Rules(missing="MissingParameter", wording="sqs", special=_sqs_attribute_names),
    # Coral's ValidationException: "(ValidationException) when calling the PutRule operation:
    # 1 validation error detected: Value '...' at 'name' ... less than or equal to 64"
    # (custom-resource-helper#61; aws-service-catalog-factory#53).
    "events": Rules("ValidationException"),
    # "(ValidationException) ... 1 validation error detected: Value '\"smart-dcb-messages\"' at
    # 'tableName' ... pattern: [a-zA-Z0-9_.-]+" (aws-cli#790; loopback-connector-dynamodb#5).
    "dynamodb": Rules("ValidationException"),
    # "(ValidationException) when calling the StartExecution operation: 1 validation error
    # detected: Value '...' at 'name' ... less than or equal to 80" (moto#6438).
    "stepfunctions": Rules("ValidationException"),
    # API Gateway's paths start with the operation's input: "1 validation error detected: Value
    # 'X' at 'putIntegrationInput.type' failed to satisfy constraint: Member must satisfy enum
    # value set: [...]" (LocalStack's provider, written to AWS's answer). ValidationException
    # is not a shape of its model; the status is given.
    "apigateway": Rules("ValidationException", input_prefix=True),
    # Inferred, not seen: HTTP/WebSocket APIs answer bad input with BadRequestException, the
    # only 400 input error of their model ("BadRequestException: Currently, an API with a
    # protocol type of HTTP may only be associated with proxy integrations", aws-cli#6363).
    "apigatewayv2": Rules("BadRequestException"),
    # S3 (rest-xml) does no Coral validation: a missing body member is MalformedXML, other
    # violations InvalidArgument with ArgumentName / ArgumentValue (see _rest_xml_error).
    "s3": Rules("InvalidArgument", wording="s3"),
}


def _default(protocol: str) -> Rules:
    if protocol == "ec2":
        return Rules("InvalidParameterValue", missing="MissingParameter", wording="ec2")
    if protocol == "rest-xml":
        return RULES["s3"]
    return Rules("ValidationException" if protocol in JSON_PROTOCOLS else "ValidationError")


def rules_for(service: str, protocol: str) -> Rules:
    return RULES.get(service) or _default(protocol)


def code_for(rules: Rules, operation: OperationModel, protocol: str) -> str:
    code = rules.operations.get(operation.name) or rules.code
    return code or _default(protocol).code or "ValidationException"
