"""Invoke: synchronously (RequestResponse), as a dry run, or queued (Event, in async_invoke.py).
A synchronous answer is the function's own bytes, with Lambda's headers; an invocation over a
concurrency limit is refused with 429, as Lambda refuses it."""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

from lamina import ids
from lamina.context import RequestContext
from lamina.execution.concurrency import (
    ConcurrencyAccounting,
    FunctionKey,
    Slot,
    Throttled,
)
from lamina.execution.function import FunctionSnapshot, InvocationRequest, InvocationResult
from lamina.execution.runtimes import RuntimeUnavailable
from lamina.execution.streaming import StreamedResponse
from lamina.json_document import JsonDocument
from lamina.protocol.errors import ServiceError
from lamina.services.lambda_ import functions as repo
from lamina.services.lambda_.arns import FunctionRef
from lamina.services.lambda_.configuration import network_of
from lamina.services.lambda_.errors import (
    invalid_parameter,
    not_supported,
    request_too_large,
    too_many_requests,
)
from lamina.services.lambda_.metrics import LambdaMetrics, scopes_of

if TYPE_CHECKING:
    from lamina.services.lambda_.catalog import FunctionCatalog
    from lamina.services.lambda_.settings import ConcurrencySettings

SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024  # request and response, RequestResponse
CLIENT_CONTEXT_LIMIT = 3583  # bytes of base64, as Lambda documents


class Invoker:
    """Runs invocations: a synchronous Invoke, and each queued event (async_invoke.py)."""

    def __init__(
        self,
        functions: FunctionCatalog,
        limits: ConcurrencySettings,
        concurrency: ConcurrencyAccounting,
        metrics: LambdaMetrics,
    ) -> None:
        self.functions = functions
        self.limits = limits
        self.concurrency = concurrency
        self.metrics = metrics
        self.execution = functions.execution

    async def invoke(
        self, ctx: RequestContext, ref: FunctionRef, params: dict[str, Any]
    ) -> dict[str, Any]:
        """A RequestResponse or DryRun invoke (an Event goes to AsyncInvocations)."""
        invocation_type = params.get("InvocationType") or "RequestResponse"
        payload = params.get("Payload") or b""
        if len(payload) > SYNC_PAYLOAD_LIMIT:
            raise request_too_large(SYNC_PAYLOAD_LIMIT, "InvokeFunction")
        function = await self.functions.read(self.functions.find_for_invoke, ref)
        if invocation_type == "DryRun":
            return {"StatusCode": 204}
        request = invocation_request(ctx, ref, params, payload)
        slot = await self.take_slot(ref, function)
        try:
            result = await self.run_invocation(ref, function, request, slot)
        except RuntimeUnavailable as missing:
            raise ServiceError("InvalidRuntimeException", str(missing), 502, Type="User") from None
        answer: dict[str, Any] = {"StatusCode": 200, "ExecutedVersion": result.executed_version}
        body = result.payload
        if len(body) > SYNC_PAYLOAD_LIMIT:
            body = too_large(len(body))
            result.function_error = "Unhandled"
        answer["Payload"] = body
        if result.function_error:
            answer["FunctionError"] = result.function_error
        if params.get("LogType") == "Tail":
            answer["LogResult"] = result.log_tail
        return answer

    async def take_slot(self, ref: FunctionRef, function: repo.FunctionVersion) -> Slot:
        """A concurrency slot for one invocation, or Lambda's 429."""
        try:
            return await self.acquire_slot(ref, function)
        except Throttled as throttled:
            self.metrics.throttle(key_of(ref), scopes_of(ref.name, ref.qualifier, function.version))
            raise too_many_requests(throttled.reason) from None

    async def acquire_slot(self, ref: FunctionRef, function: repo.FunctionVersion) -> Slot:
        """A concurrency slot: a free provisioned environment of the version if it has one
        (its slot is set aside already), else an on-demand slot within what is left; raises
        Throttled."""
        limits = await self.limits.limits(ref, function)
        environment = None
        if limits.provisioned and self.execution is not None:
            environment = self.execution.take_provisioned(
                snapshot(ref.account_id, ref.region, function)
            )
        return self.concurrency.acquire(key_of(ref), limits, environment)

    async def run_invocation(
        self,
        ref: FunctionRef,
        function: repo.FunctionVersion,
        request: InvocationRequest,
        slot: Slot,
        patience_s: float = 0.0,
    ) -> InvocationResult:
        """Run one invocation in the concurrency slot it holds; the slot is given back however
        the invocation ends."""
        key = key_of(ref)
        scopes = scopes_of(ref.name, ref.qualifier, function.version)
        try:
            if self.execution is None:
                raise not_supported("invocation on this node")
            running = self.concurrency.running(key)
            in_account = self.concurrency.running_in_account(key[:2])
            self.metrics.concurrency(key, running, in_account, scopes)
            result = await self.execution.invoke(
                snapshot(ref.account_id, ref.region, function), request, patience_s,
                slot.environment,
            )  # fmt: skip
            result.executed_version = function.version
        finally:
            self.concurrency.release(slot)
        self.metrics.invocation(key, result.duration_ms, bool(result.function_error), scopes)
        if result.provisioned is not None:
            resource = f"{ref.name}:{ref.qualifier or function.version}"
            self.metrics.provisioned(key, resource, result.provisioned, result.provisioned_in_use)
        return result


def key_of(ref: FunctionRef) -> FunctionKey:
    return (ref.account_id, ref.region, ref.name)


def snapshot(account_id: str, region: str, function: repo.FunctionVersion) -> FunctionSnapshot:
    """What the execution layer runs of a version; made once per version read (the read is
    kept and shared by invokes for a second, and the snapshot with it)."""
    made: FunctionSnapshot | None = function.__dict__.get("_snapshot")
    if made is not None and made.account_id == account_id and made.region == region:
        return made
    made = _snapshot(account_id, region, function)
    object.__setattr__(function, "_snapshot", made)  # frozen: a memo, not a change
    return made


def _snapshot(account_id: str, region: str, function: repo.FunctionVersion) -> FunctionSnapshot:
    config = function.config
    return FunctionSnapshot(
        account_id=account_id,
        region=region,
        name=function.name,
        version=function.version,
        arn=config["FunctionArn"],
        runtime=config["Runtime"],
        handler=config["Handler"],
        memory_mb=config["MemorySize"],
        timeout_s=config["Timeout"],
        ephemeral_storage_mb=config.get("EphemeralStorage", {}).get("Size", 512),
        code_digest=function.code_digest,
        revision_id=function.revision_id,
        environment=dict(config.get("Environment", {}).get("Variables", {})),
        layers=tuple(layer["Digest"] for layer in config.get("Layers", ())),
        role=config.get("Role", ""),
        network=network_of(config),
    )


def invocation_request(
    ctx: RequestContext,
    ref: FunctionRef,
    params: dict[str, Any],
    payload: bytes,
    stream: StreamedResponse | None = None,
) -> InvocationRequest:
    """A synchronous invoke's request, once its payload is known to be JSON."""
    check_json(payload)
    return InvocationRequest(
        request_id=ctx.request_id,
        payload=payload,
        invoked_arn=ref.qualified_arn,
        trace_id=new_trace_id(),
        client_context=client_context(params.get("ClientContext")),
        stream=stream,
    )


def check_json(payload: bytes) -> None:
    if type(payload) is JsonDocument or not payload.strip():  # made by json.dumps: JSON
        return
    try:
        json.loads(payload)
    except (ValueError, UnicodeDecodeError) as error:
        raise ServiceError(
            "InvalidRequestContentException",
            f"Could not parse request body into json: {error}",
            400,
            Type="User",
        ) from None


def client_context(value: str | None) -> dict | None:
    if not value:
        return None
    if len(value) > CLIENT_CONTEXT_LIMIT:
        raise invalid_parameter("Client context must be 3583 bytes or fewer.")
    try:
        decoded = json.loads(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid_parameter(
            "Client context must be a valid Base64-encoded JSON object."
        ) from None
    return decoded if isinstance(decoded, dict) else None


def new_trace_id() -> str:
    """A new X-Ray trace header, as Lambda sets _X_AMZN_TRACE_ID for each invocation."""
    return ids.trace_header()


def too_large(size: int, limit: int = SYNC_PAYLOAD_LIMIT) -> bytes:
    message = (
        f"Response payload size ({size} bytes) exceeded maximum allowed payload size "
        f"({limit} bytes)."
    )
    return json.dumps(
        {"errorMessage": message, "errorType": "Function.ResponseSizeTooLarge"}
    ).encode()
