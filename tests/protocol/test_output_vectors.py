"""botocore's protocol output vectors, run in reverse: Lamina serializes the case's result (or
error), and botocore's own response parser must read back exactly what the case expects.

Values are compared after parsing, not as bytes (key order and white space may differ).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.model import OperationModel, ServiceModel

from lamina.protocol.errors import ServiceError
from lamina.protocol.serialize import serialize_error, serialize_response
from tests.protocol.vectors import (
    VECTORS,
    botocore_reads,
    canon,
    cases,
    require_vectors,
    service_for,
    typed,
)

require_vectors()

REQUEST_ID = "lamina-request-id"

IGNORE_LIST = json.loads((VECTORS / "protocol-tests-ignore-list.json").read_text())
# Cases botocore's own parser cannot read (its ignore list): what AWS sends is not what botocore
# makes of it, so the round trip proves nothing. Where the case is about headers, the headers
# Lamina writes are compared with the ones the vector says AWS sends.
BOTOCORE_CANNOT_READ = {
    f"{protocol}:{case}"
    for protocol, lists in IGNORE_LIST["protocols"].items()
    for case in lists.get("output", {}).get("cases", [])
}
_EVENT_STREAM = (
    "event-stream output in the json and rest-xml protocols: Lamina writes event streams in "
    "rest-json only so far (Lambda's InvokeWithResponseStream; protocol/eventstream.py)"
)
_UNKNOWN_MEMBER = "client-only: SDK_UNKNOWN_MEMBER is how botocore reports a union member it lacks"
_CATCH_ALL_HEADERS = (
    "a header map with an empty prefix gathers every response header, including the ones the "
    "server adds (Content-Type), so it never reads back as the result alone"
)
_MEDIA_TYPE = (
    "ambiguous: Smithy's mediaType header is base64 of the raw string, but botocore models it as "
    "jsonvalue, so Lamina writes base64 of JSON, which is what botocore's clients read"
)
SKIPPED: dict[str, str] = {
    "rest-json:MediaTypeHeaderOutputBase64": _MEDIA_TYPE,
    "legacy-json:6.0": _EVENT_STREAM,
    "legacy-rest-xml:14.0": _EVENT_STREAM,
    "legacy-rest-xml:14.1": _EVENT_STREAM,
    "legacy-rest-xml:14.2": _EVENT_STREAM,
    "legacy-rest-json:17.2": _UNKNOWN_MEMBER,
    "legacy-rest-xml:16.2": _UNKNOWN_MEMBER,
}


def _load() -> list[Any]:
    params = []
    for ident, suite, case in cases("output"):
        service = service_for(suite, case)
        operation = service.operation_model(case["given"]["name"])
        marks = [pytest.mark.skip(reason=SKIPPED[ident])] if ident in SKIPPED else []
        params.append(pytest.param(service, operation, case, id=ident, marks=marks))
    return params


def _error(service: ServiceModel, case: dict) -> ServiceError:
    fields = dict(case.get("error") or {})
    for key in ("Message", "message"):
        fields.pop(key, None)
    return ServiceError(case["errorCode"], case.get("errorMessage", ""), **fields)


def _headers_only(operation: OperationModel, case: dict) -> None:
    result = typed(operation.output_shape, case.get("result") or {})
    response = serialize_response(operation, result, request_id=REQUEST_ID)
    expected = {k.lower(): v for k, v in case["response"].get("headers", {}).items()}
    for added_elsewhere in ("content-type", "content-length"):  # the edge writes the length
        expected.pop(added_elsewhere, None)
    if not expected:
        pytest.skip("botocore's parser cannot read this case (its ignore list)")
    written = {k.lower(): v for k, v in response.headers}
    assert {k: written.get(k) for k in expected} == expected


@pytest.mark.parametrize(("service", "operation", "case"), _load())
def test_serialize(service: ServiceModel, operation: OperationModel, case: dict) -> None:
    ident = f"{service.metadata['protocol']}:{case.get('id')}"
    ignored = ident in BOTOCORE_CANNOT_READ or f"json_1_0:{case.get('id')}" in BOTOCORE_CANNOT_READ
    if ignored and "errorCode" not in case:
        _headers_only(operation, case)
        return
    if "errorCode" in case:
        error = _error(service, case)
        response = serialize_error(service, operation, error, request_id=REQUEST_ID)
        parsed = botocore_reads(service, operation, response)
        assert response.status >= 400
        assert parsed["Error"]["Code"] == case["errorCode"]
        assert (parsed["Error"].get("Message") or "") == case.get("errorMessage", "")
        shape = service.shape_for_error_code(case["errorCode"])
        for key, value in (case.get("error") or {}).items():
            member = shape.members[key]
            assert canon(typed(member, parsed.get(key))) == canon(typed(member, value)), key
        return
    result = typed(operation.output_shape, case.get("result") or {})
    response = serialize_response(operation, result, request_id=REQUEST_ID)
    parsed = botocore_reads(service, operation, response)
    assert response.status < 300
    # botocore leaves some values as sent (NaN strings, payload blobs): compare typed values.
    assert canon(typed(operation.output_shape, parsed)) == canon(result)
