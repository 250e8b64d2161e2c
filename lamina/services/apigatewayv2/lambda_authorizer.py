"""Lambda (REQUEST) authorizers of HTTP APIs: the identity source's values picked from the
request, the authorizer function invoked with the authorizer event (payload format 2.0 or
1.0), its answer read as a simple response ({"isAuthorized", "context"}) or an IAM policy
(principalId, policyDocument: Allow/Deny on the routeArn, wildcards allowed), and kept for
AuthorizerResultTtlInSeconds by the identity source's values
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from lamina import iam_policy
from lamina.identity import root_of
from lamina.lambda_invoke_permission import InvokePermissions
from lamina.protocol.errors import ServiceError
from lamina.protocol.http import HttpRequest
from lamina.services.internal import InternalClient

TIMEOUT_S = 10.0  # API Gateway waits this long for an authorizer


@dataclass(frozen=True)
class Decision:
    allowed: bool
    context: dict[str, Any] | None
    principal_id: str | None = None


class AuthorizerFailed(Exception):
    """The function failed, answered what the gateway cannot read, or could not be invoked: 500."""


def identity_values(
    sources: list[str],
    request: HttpRequest,
    context: dict[str, Any],
    stage_variables: dict[str, str],
) -> list[str] | None:
    """The identity source's values in order, or None when one is missing or empty (401)."""
    values: list[str] = []
    query: dict[str, str] = {}
    for item in request.query.split("&"):
        if item:
            key, _, value = item.partition("=")
            query.setdefault(unquote_plus(key), unquote_plus(value))
    for source in sources:
        found: Any = None
        if source.startswith("$request.header."):
            found = request.headers.get(source[len("$request.header.") :])
        elif source.startswith("$request.querystring."):
            found = query.get(source[len("$request.querystring.") :])
        elif source.startswith("$stageVariables."):
            found = stage_variables.get(source[len("$stageVariables.") :])
        elif source.startswith("$context."):
            found = context
            for part in source[len("$context.") :].split("."):
                found = found.get(part) if isinstance(found, dict) else None
        if found in (None, ""):
            return None
        values.append(str(found))
    return values


def route_arn(region: str, account_id: str, api_id: str, stage: str, route_key: str,
              method: str, path: str) -> str:  # fmt: skip
    """execute-api's ARN of what the request calls: {stage}/{method}/{path}, or
    {stage}/$default for the $default route."""
    tail = "$default" if route_key == "$default" else f"{method}{path}"
    return f"arn:aws:execute-api:{region}:{account_id}:{api_id}/{stage}/{tail}"


def event_2_0(integration_event: bytes, arn: str, values: list[str]) -> bytes:
    """Built from the 2.0 integration event: the same request, without its body."""
    event = json.loads(integration_event)
    for name in ("body", "isBase64Encoded"):
        event.pop(name, None)
    event = {"version": "2.0", "type": "REQUEST", "routeArn": arn, "identitySource": values,
             **{k: v for k, v in event.items() if k != "version"}}  # fmt: skip
    return json.dumps(event, separators=(",", ":")).encode()


def event_1_0(integration_event: bytes, arn: str, values: list[str]) -> bytes:
    """Built from the 1.0 integration event: the REST REQUEST authorizer's shape."""
    event = json.loads(integration_event)
    for name in ("body", "isBase64Encoded"):
        event.pop(name, None)
    joined = ",".join(values)
    event = {"version": "1.0", "type": "REQUEST", "methodArn": arn, "identitySource": joined,
             "authorizationToken": joined,
             **{k: v for k, v in event.items() if k != "version"}}  # fmt: skip
    return json.dumps(event, separators=(",", ":")).encode()


def decide(payload: bytes, simple: bool, arn: str) -> Decision:
    try:
        answer = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        raise AuthorizerFailed("the authorizer's answer is not JSON") from None
    if not isinstance(answer, dict):
        raise AuthorizerFailed("the authorizer's answer is not an object")
    context = answer.get("context")
    if context is not None and not isinstance(context, dict):
        raise AuthorizerFailed("the authorizer's context is not an object")
    if simple:
        allowed = answer.get("isAuthorized")
        if not isinstance(allowed, bool):
            raise AuthorizerFailed("a simple response needs isAuthorized, true or false")
        return Decision(allowed, context)
    document = answer.get("policyDocument")
    if not isinstance(document, dict) or not isinstance(document.get("Statement"), list):
        raise AuthorizerFailed("an IAM policy response needs a policyDocument")
    principal = answer.get("principalId")
    return Decision(_allows(document["Statement"], arn), context,
                    None if principal is None else str(principal))  # fmt: skip


def _allows(statements: list[Any], arn: str) -> bool:
    """An explicit Deny wins, then an Allow; nothing matching denies."""
    if not all(isinstance(statement, dict) for statement in statements):
        raise AuthorizerFailed("a policy statement is not an object")
    return iam_policy.evaluate(statements, "execute-api:Invoke", arn) is True


class Cache:
    """Authorizer answers by (authorizer, identity values), each for its TTL. The authorizer
    is named by its id and its settings, so an updated one is asked anew. An answer kept
    before a stage's ResetAuthorizersCache (`not_before`, wall-clock seconds, which every node
    of a fleet reads from the stage) is not used on that stage."""

    def __init__(self) -> None:
        # key → (expires, monotonic; stored at, wall clock; the answer)
        self._entries: dict[tuple[str, str, tuple[str, ...]], tuple[float, float, bytes]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(authorizer_id: str, settings: dict[str, Any], values: list[str]) -> Any:
        return authorizer_id, json.dumps(settings, sort_keys=True), tuple(values)

    def get(
        self,
        authorizer_id: str,
        settings: dict[str, Any],
        values: list[str],
        not_before: float = 0.0,
    ) -> bytes | None:
        with self._lock:
            found = self._entries.get(self._key(authorizer_id, settings, values))
        if found is None or time.monotonic() > found[0] or found[1] < not_before:
            return None
        return found[2]

    def put(
        self, authorizer_id: str, settings: dict[str, Any], values: list[str], payload: bytes
    ) -> None:
        ttl_s = settings["AuthorizerResultTtlInSeconds"]
        now = time.monotonic()
        with self._lock:
            if len(self._entries) > 10_000:  # bounded: expired entries go first
                self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
            key = self._key(authorizer_id, settings, values)
            self._entries[key] = (now + ttl_s, time.time(), payload)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


async def invoke(
    internal: InternalClient,
    permissions: InvokePermissions,
    function: str,
    event: bytes,
    where: tuple[str, str, str, str],
    request_id: str,
) -> bytes:
    """The authorizer function's answer to `event`, once its policy lets API Gateway invoke it;
    `where`: (region, account, API id, authorizer id) of the API it authorizes for."""
    region, account_id, api_id, authorizer_id = where
    source = f"arn:aws:execute-api:{region}:{account_id}:{api_id}/authorizers/{authorizer_id}"
    why = await permissions.refusal(api_id, function, source, account_id, function.split(":")[3])
    if why is not None:
        raise AuthorizerFailed(f"Invalid permissions on Lambda function: {why}")
    try:
        result = await asyncio.wait_for(
            internal.call_async(
                "lambda", "Invoke", {"FunctionName": function, "Payload": event},
                identity=root_of(account_id), region=function.split(":")[3],
                request_id=request_id,
            ),
            TIMEOUT_S,
        )  # fmt: skip
    except ServiceError as error:
        raise AuthorizerFailed(error.message) from None
    except TimeoutError:
        raise AuthorizerFailed("the authorizer timed out") from None
    if result.get("FunctionError"):
        raise AuthorizerFailed(f"the function failed: {result['FunctionError']}")
    payload: bytes = result.get("Payload") or b""
    return payload
