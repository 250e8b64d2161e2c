"""Shared by the input and output vector tests: where botocore's protocol vectors are, and how a
vector's plain-JSON values become the typed values Lamina's layers hand around."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.awsrequest import HeadersDict
from botocore.model import OperationModel, ServiceModel, Shape
from botocore.parsers import create_parser

from lamina.protocol import timestamps
from lamina.protocol.http import HttpResponse
from lamina.protocol.models import service_model_from_parts
from tests.protocol.fetch_vectors import botocore_version, fetched, vectors_dir

VECTORS = vectors_dir()
REQUIRED = os.environ.get("LAMINA_REQUIRE_PROTOCOL_VECTORS", "") not in ("", "0")


def require_vectors() -> None:
    """At the top of each vector test module: the vectors are there, or the module skips with
    the reason (a test run of its own with LAMINA_REQUIRE_PROTOCOL_VECTORS=1, as CI's, fails)."""
    if fetched():
        return
    reason = (
        f"botocore {botocore_version()}'s protocol vectors are not in {VECTORS}: "
        "`make install` fetches them from PyPI (python -m tests.protocol.fetch_vectors)"
    )
    if REQUIRED:
        raise RuntimeError(reason)
    pytest.skip(reason, allow_module_level=True)


SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def cases(kind: str) -> Iterator[tuple[str, dict, dict]]:
    """(id, suite, case) for every case of `kind` ('input' or 'output'), legacy ones too."""
    count = 0
    for folder, label in ((kind, ""), (f"legacy/{kind}", "legacy-")):
        for path in sorted((VECTORS / folder).glob("*.json")):
            for suite_index, suite in enumerate(json.loads(path.read_text())):
                for case_index, case in enumerate(suite["cases"]):
                    ident = f"{label}{path.stem}:{case.get('id') or f'{suite_index}.{case_index}'}"
                    count += 1
                    yield ident, suite, case
    if count == 0:  # never a silent zero: vectors present must give cases
        raise RuntimeError(f"no {kind} vectors in {VECTORS}")


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
