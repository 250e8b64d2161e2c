"""Shared by the input and output vector tests: where botocore's protocol vectors are, and how a
vector's plain-JSON values become the typed values Lamina's layers hand around."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from botocore.awsrequest import HeadersDict
from botocore.model import OperationModel, ServiceModel, Shape
from botocore.parsers import create_parser

from lamina.protocol import timestamps
from lamina.protocol.http import HttpResponse
from lamina.protocol.models import service_model_from_parts

VECTORS = Path(__file__).parents[2].parent / "shared" / "protocol-tests"
SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def cases(kind: str) -> Iterator[tuple[str, dict, dict]]:
    """(id, suite, case) for every case of `kind` ('input' or 'output'), legacy ones too."""
    for folder, label in ((kind, ""), (f"legacy/{kind}", "legacy-")):
        for path in sorted((VECTORS / folder).glob("*.json")):
            for suite_index, suite in enumerate(json.loads(path.read_text())):
                for case_index, case in enumerate(suite["cases"]):
                    ident = f"{label}{path.stem}:{case.get('id') or f'{suite_index}.{case_index}'}"
                    yield ident, suite, case


def service_for(suite: dict, case: dict) -> ServiceModel:
    given = case["given"]
    return service_model_from_parts(suite["metadata"], {given["name"]: given}, suite["shapes"])


def typed(shape: Shape | None, value: Any) -> Any:
    """A vector's value as Lamina's layers carry it: datetimes, bytes, floats for NaN."""
    if value is None or shape is None:
        return value
    kind = shape.type_name
    if kind == "structure":
        if shape.metadata.get("document"):
            return value
        members = shape.members  # type: ignore[attr-defined]
        return {k: typed(members[k], v) for k, v in value.items() if v is not None}
    if kind == "list":
        return [typed(shape.member, item) for item in value]  # type: ignore[attr-defined]
    if kind == "map":
        return {k: typed(shape.value, v) for k, v in value.items()}  # type: ignore[attr-defined]
    if kind == "timestamp":
        return value if isinstance(value, dt.datetime) else timestamps.parse(value)
    if kind == "blob":
        return value.encode() if isinstance(value, str) else value
    if kind in ("float", "double") and isinstance(value, str):
        return SPECIAL_FLOATS[value]
    return value


def canon(value: Any) -> Any:
    """A form where equal means equal: bools are not numbers, NaN equals NaN, instants compare."""
    if isinstance(value, dict):
        return {key: canon(item) for key, item in value.items()}
    if isinstance(value, list):
        return [canon(item) for item in value]
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", "NaN" if math.isnan(value) else float(value))
    if isinstance(value, dt.datetime):
        return ("instant", value.timestamp())
    if isinstance(value, bytes | bytearray):
        return ("bytes", bytes(value))
    return value


def botocore_reads(service: ServiceModel, operation: OperationModel, response: HttpResponse):
    """What a boto3 client makes of the response, modeled error fields included (as botocore's
    endpoint adds them)."""
    wire = {
        "status_code": response.status,
        "headers": HeadersDict(response.headers),
        "body": response.body,
    }
    protocol = service.metadata["protocol"]
    parser = create_parser(protocol)
    shape = operation.output_shape
    if protocol == "query" and shape is not None:
        # Real query models name the Result element; the vectors leave it to the client's test.
        shape.serialization.setdefault("resultWrapper", f"{operation.name}Result")
    parsed = parser.parse(wire, shape)
    if response.status >= 300:
        shape = service.shape_for_error_code(parsed.get("Error", {}).get("Code"))
        if shape is not None:
            parsed.update(parser.parse(wire, shape))
    parsed.pop("ResponseMetadata", None)
    return parsed
