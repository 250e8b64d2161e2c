"""The wording of AWS's answers per protocol family: Coral's (most services), CloudWatch's, SQS's,
EC2's and S3's, for a constraint failure or a value of the wrong type.

Coral's wording, which most services share::

    2 validation errors detected: Value '0' at 'timeout' failed to satisfy constraint: Member
    must have value greater than or equal to 1; Value null at 'role' failed to satisfy
    constraint: Member must not be null

A sensitive value is left out (``Value at 'password' ...``); a blob prints as Java's
ByteBuffer does.

Guessed, for want of a real answer to copy (and said again where it is done): the order of the
errors (AWS's own order is not stable), the S3/EC2 wordings other than MissingParameter and
MalformedXML, and the CloudWatch wordings other than those quoted in _cloudwatch_text.
"""

from __future__ import annotations

from collections.abc import Mapping

from botocore.model import OperationModel

from lamina.protocol.errors import ServiceError
from lamina.protocol.validate.rules import JSON_PROTOCOLS, code_for, rules_for
from lamina.protocol.validate.violations import (
    Violation,
    coral_path,
    java_string,
    query_path,
    segments,
    wire_path,
)
from lamina.protocol.validate.walk import TypeMismatch

MAX_LISTED = 10  # violations listed in one message; the count stays the true total

# Java type names in Coral's SerializationException ("an Boolean" is AWS's spelling).
_JAVA_TYPES = {
    "integer": "an Integer",
    "long": "a Long",
    "short": "a Short",
    "byte": "a Byte",
    "bigInteger": "a BigInteger",
    "float": "a Float",
    "double": "a Double",
    "bigDecimal": "a BigDecimal",
    "boolean": "an Boolean",
    "string": "a String",
    "blob": "a ByteBuffer",
    "timestamp": "a Date",
    "list": "a List",
    "map": "a Map",
    "structure": "a Structure",
}


def type_error(protocol: str, mismatch: TypeMismatch) -> ServiceError:
    value, node = mismatch.value, mismatch.node
    if protocol in JSON_PROTOCOLS:
        if isinstance(value, (list, tuple)):
            message = "Start of list found where not expected"
        elif isinstance(value, Mapping):
            message = "Start of structure or map found where not expected"
        else:
            if isinstance(value, bool):
                token = "TRUE_VALUE" if value else "FALSE_VALUE"
            elif isinstance(value, (int, float)):
                token = "NUMBER_VALUE"
            else:
                token = "STRING_VALUE"
            target = _JAVA_TYPES.get(node.type_name, f"a {node.type_name}")
            message = f"{token} can not be converted to {target}"
        return ServiceError("SerializationException", message, 400)
    name = wire_path(mismatch.path)
    text = f"Value ({java_string(value)}) for parameter {name} is invalid."
    if protocol == "rest-xml":
        return ServiceError(
            "InvalidArgument", text, 400, ArgumentName=name, ArgumentValue=java_string(value)
        )
    return ServiceError("InvalidParameterValue", text, 400)


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
    code = code_for(rules, operation, protocol)
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
