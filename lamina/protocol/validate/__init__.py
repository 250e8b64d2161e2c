"""Input validation against the service model, as AWS's servers do it (DESIGN decision 1).

The parser hands over typed Python values; this module checks them against the model's
constraints (required members, types, enums, lengths, patterns, ranges, list and map sizes,
unions) and raises the error AWS would answer with.

The package, by job: `shapes.py` compiles a model's shapes into checks, once; `walk.py` walks
the params over them and `constraints.py` checks each constraint kind (length, range, pattern,
enum), finding the violations (each failed constraint of a value is its own; constraints on the
elements of a list, or on the keys or values of a map, are reported once, on the collection,
listing all of the element shape's constraints: ``Member must satisfy constraint: [...]``,
``Map keys must satisfy constraint: [...]``, ``Map value must satisfy constraint: [...]``).
`rules.py` says which error each service answers and `wording.py` words it as the protocol's
family does (DESIGN decision 2); `violations.py` holds the violations and their paths, and
`java_regex.py` with `unicode_classes.py` reads the model's patterns, which are Java's.

A value of the wrong type, in the JSON protocols, fails deserialization before any validation:
``SerializationException`` "STRING_VALUE can not be converted to an Integer". Guessed, for want
of a real answer to copy: the union text ("Member must have exactly one member set") and the
SerializationException text for a scalar where a list, map or structure belongs.

Per shape, the checks are compiled once (cached per service model) with a flag saying whether
anything below a shape can fail, so constraint-free subtrees are never walked (and so the types
of the values inside them are not checked either: the parser typed them).
"""

from __future__ import annotations

from typing import Any

from botocore.model import OperationModel, ServiceModel

from lamina.protocol.validate.java_regex import compile_pattern, translate_java_regex
from lamina.protocol.validate.rules import rules_for
from lamina.protocol.validate.shapes import compiler_for
from lamina.protocol.validate.violations import java_string
from lamina.protocol.validate.walk import TypeMismatch, Walker
from lamina.protocol.validate.wording import constraint_error, coral_message, type_error


def precompile(service: ServiceModel) -> None:
    """Compile the checks of every operation of `service` now (start-up), so that the first
    request of each operation, and the first pattern with a Unicode class (about 0.2 s for
    the category tables), do not pay for it."""
    compiler = compiler_for(service)
    for name in service.operation_names:
        compiler.operation(service.operation_model(name))


def validate_input(
    operation: OperationModel, params: dict[str, Any], *, protocol: str | None = None
) -> None:
    """Raise the ServiceError AWS would answer when `params` (as the parser gives them) break
    the constraints of `operation`'s input shape; return None when they are valid.

    `protocol` is the one the request came in by (a service may speak several); by default
    the model's own."""
    service = operation.service_model
    root = compiler_for(service).operation(operation)
    if root is None:
        return
    protocol = protocol or operation.metadata.get("protocol") or "json"
    walker = Walker(rules_for(service.service_name, protocol).element_not_null)
    try:
        walker.walk(root, params if params is not None else {}, None)
    except TypeMismatch as mismatch:
        raise type_error(protocol, mismatch) from None
    if walker.violations:
        raise constraint_error(protocol, operation, walker.violations)


__all__ = [
    "compile_pattern",
    "coral_message",
    "java_string",
    "precompile",
    "translate_java_regex",
    "validate_input",
]
