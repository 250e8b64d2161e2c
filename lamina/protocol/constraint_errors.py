"""What each AWS service answers when input breaks its model's constraints (DESIGN decision 2).

`validate.py` finds the violations; this module words them the way the service at hand does.
Services differ in the code, in the wording and even per operation, so the answer is looked up
in one table, RULES, by botocore service name. A service without an entry answers as its
protocol's family does: Coral's ``ValidationException`` (json, rest-json, cbor) or
``ValidationError`` (query), EC2's and S3's own forms.

Coral's wording, which most services share::

    2 validation errors detected: Value '0' at 'timeout' failed to satisfy constraint: Member
    must have value greater than or equal to 1; Value null at 'role' failed to satisfy
    constraint: Member must not be null

The path is the member name with its first letter lowered (``kMSKeyArn``), nested with '.', a
list element ``<list>.<n>.member`` (1-based), a map value ``<map>.<key>.member``. A sensitive
value is left out (``Value at 'password' ...``); a blob prints as Java's ByteBuffer does.

Guessed, for want of a real answer to copy (and said again where it is done): the order of the
errors (AWS's own order is not stable), the S3/EC2 wordings other than MissingParameter and
MalformedXML, and the CloudWatch wordings other than those quoted in _cloudwatch_text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from botocore.model import OperationModel, Shape

from lamina.protocol.errors import ServiceError

MAX_LISTED = 10  # violations listed in one message; the count stays the true total

JSON_PROTOCOLS = frozenset({"json", "rest-json", "smithy-rpc-v2-cbor"})

# ---------------------------------------------------------------------------------------------
# Paths and violations

# A path is linked, built as the walk goes down at the cost of one tuple per step:
# None at the root, else (parent, kind, item) with kind 'm' (member name), 'i' (1-based list
# index) or 'k' (map key).
Path = tuple[Any, str, Any] | None


def segments(path: Path) -> list[tuple[str, Any]]:
    out = []
    while path is not None:
        path, kind, item = path
        out.append((kind, item))
    out.reverse()
    return out


class Violation:
    """One failed constraint. `kind`: missing, max_len, min_len, max_val, min_val, pattern,
    enum, union, or elements / keys / values (an element shape's constraints, reported on the
    collection; `element` is then the path and value of the first element that failed)."""

    __slots__ = ("constraint", "element", "kind", "limit", "missing", "path", "sensitive", "value")

    def __init__(
        self,
        path: Path,
        value: Any,
        constraint: str,
        sensitive: bool,
        kind: str,
        limit: Any = None,
        element: tuple[Path, Any] | None = None,
    ) -> None:
        self.path = path
        self.value = value
        self.constraint = constraint
        self.sensitive = sensitive
        self.kind = kind
        self.limit = limit
        self.element = element
        self.missing = kind == "missing"


def missing(path: Path) -> Violation:
    return Violation(path, None, "Member must not be null", False, "missing")


def coral_path(path: Path) -> str:
    parts = []
    for kind, item in segments(path):
        if kind == "m":
            parts.append(item[:1].lower() + item[1:])
        else:
            parts.append(f"{item}.member")
    return ".".join(parts)


def wire_path(path: Path) -> str:
    return ".".join(str(item) for _, item in segments(path))


def query_path(operation: OperationModel, path: Path) -> str:
    """The parameter's name as the query protocol sends it: MetricData.member.1.Dimensions."""
    shape: Shape | None = operation.input_shape
    parts: list[str] = []
    for kind, item in segments(path):
        if kind == "m":
            member = shape.members.get(item) if shape is not None else None
            parts.append(member.serialization.get("name", item) if member is not None else item)
            shape = member
        elif kind == "i":
            element = getattr(shape, "member", None)
            if shape is not None and not shape.serialization.get("flattened"):
                name = element.serialization.get("name") if element is not None else None
                parts.append(name or "member")
            parts.append(str(item))
            shape = element
        else:
            parts.append(str(item))
            shape = getattr(shape, "value", None)
    return ".".join(parts)


# ---------------------------------------------------------------------------------------------
# How a Java service prints values


def _java_double(value: float) -> str:
    """Java's Double.toString."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    magnitude = abs(value)
    if value == 0 or 1e-3 <= magnitude < 1e7:
        return repr(value)
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    numerals = "".join(map(str, digits)).rstrip("0") or "0"
    power = len(digits) + int(exponent) - 1
    return f"{'-' if sign else ''}{numerals[0]}.{numerals[1:] or '0'}E{power}"


def java_string(value: Any) -> str:
    """How a Java service prints a value in its messages (String.valueOf of the Java object)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _java_double(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        size = value.nbytes if isinstance(value, memoryview) else len(value)
        return f"java.nio.HeapByteBuffer[pos=0 lim={size} cap={size}]"
    if isinstance(value, dt.datetime):
        when = value.astimezone(dt.UTC) if value.tzinfo else value
        return when.strftime("%a %b %d %H:%M:%S UTC %Y")
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{java_string(k)}={java_string(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(java_string(v) for v in value) + "]"
    return str(value)


# ---------------------------------------------------------------------------------------------
# Wordings


def coral_text(v: Violation, prefix: str = "") -> str:
    where = prefix + coral_path(v.path)
    if v.missing or v.value is None:
        shown = "Value null"
    elif v.sensitive:
        shown = "Value"
    else:
        shown = f"Value '{java_string(v.value)}'"
    return f"{shown} at '{where}' failed to satisfy constraint: {v.constraint}"


def coral_message(texts: list[str]) -> str:
    """'N validation error(s) detected: a; b; ...', listing at most MAX_LISTED."""
    count = len(texts)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(texts[:MAX_LISTED])


def _cloudwatch_text(operation: OperationModel, v: Violation) -> str:
    """CloudWatch's sentences, which name the parameter as the query protocol sends it. Seen
    in real answers: "The parameter Namespace is required." (MissingParameter), "The parameter
    MetricData.member.20.Dimensions.member.4.Value must be shorter than 257 characters."
    (amazon-cloudwatch-agent#240), "The collection MetricData.member.1.Values must not have a
    size greater than 150." (InvalidParameterValue, AWS SDK for Java logs), "The value NaN for
    parameter MetricData.member.1.Value is invalid." (Netflix servo's notes of AWS's answers;
    moto's tests). That last one stands, guessed, for every
    other kind of constraint (enums, patterns, ranges, minimum lengths)."""
    where = query_path(operation, v.path)
    if v.missing:
        return f"The parameter {where} is required."
    if v.kind == "max_len":
        if isinstance(v.value, (list, tuple, Mapping)):
            return f"The collection {where} must not have a size greater than {v.limit}."
        return f"The parameter {where} must be shorter than {v.limit + 1} characters."
    value = v.value
    if v.element is not None:
        where, value = query_path(operation, v.element[0]), v.element[1]
    shown = "" if v.sensitive else f"{java_string(value)} "
    return f"The value {shown}for parameter {where} is invalid."


# ---------------------------------------------------------------------------------------------
# The table

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


def _code(rules: Rules, operation: OperationModel, protocol: str) -> str:
    code = rules.operations.get(operation.name) or rules.code
    return code or _default(protocol).code or "ValidationException"


# ---------------------------------------------------------------------------------------------


def constraint_error(
    protocol: str, operation: OperationModel, violations: list[Violation]
) -> ServiceError:
    """The error `operation`'s service answers for `violations` (not empty)."""
    rules = rules_for(operation.service_model.service_name, protocol)
    if rules.special is not None:
        answer = rules.special(operation, violations)
        if isinstance(answer, ServiceError):
            return answer
        violations = answer
    if rules.wording == "s3":
        return _rest_xml_error(operation, next((v for v in violations if v.missing), violations[0]))
    absent = [v for v in violations if v.missing]
    if rules.wording == "sqs" and absent:
        name = wire_path(absent[0].path)
        return ServiceError(
            rules.missing or "MissingParameter",
            f"The request must contain the parameter {name}.",
            400,
        )
    if rules.wording == "ec2":
        return _ec2_error(absent, violations)
    code = _code(rules, operation, protocol)
    if rules.wording == "cloudwatch":
        if absent and operation.name not in rules.operations:
            code, violations = rules.missing or code, absent
        texts = [_cloudwatch_text(operation, v) for v in violations[:MAX_LISTED]]
        return ServiceError(code, "\n".join(texts), 400)
    prefix = f"{operation.name[:1].lower()}{operation.name[1:]}Input." if rules.input_prefix else ""
    return ServiceError(code, coral_message([coral_text(v, prefix) for v in violations]), 400)


def _ec2_error(absent: list[Violation], violations: list[Violation]) -> ServiceError:
    if absent:
        return ServiceError(
            "MissingParameter",
            f"The request must contain the parameter {wire_path(absent[0].path)}",
            400,
        )
    first = violations[0]
    return ServiceError(
        "InvalidParameterValue",
        f"Value ({java_string(first.value)}) for parameter {wire_path(first.path)} is "
        f"invalid. {first.constraint}.",
        400,
    )


def _rest_xml_error(operation: OperationModel, violation: Violation) -> ServiceError:
    """S3's answers: it does not validate the Coral way."""
    parts = segments(violation.path)
    location, wire = None, wire_path(violation.path)
    if len(parts) == 1 and operation.input_shape is not None:
        name = parts[0][1]
        member = operation.input_shape.members.get(name)
        if member is not None:
            location = member.serialization.get("location")
            wire = member.serialization.get("name", name)
    if violation.missing:
        if location == "header":
            return ServiceError(
                "InvalidRequest", f"Missing required header for this request: {wire}", 400
            )
        if location in ("querystring", "uri"):
            return ServiceError("InvalidRequest", f"Missing required parameter: {wire}", 400)
        return ServiceError(
            "MalformedXML",
            "The XML you provided was not well-formed or did not validate against our "
            "published schema",
            400,
        )
    shown = "" if violation.sensitive else java_string(violation.value)
    return ServiceError(
        "InvalidArgument",
        f"Invalid value for {wire}: {violation.constraint}",
        400,
        ArgumentName=wire,
        ArgumentValue=shown,
    )
