"""Lambda authorizers of REST APIs on the data plane: the identity picked from the request
(TOKEN: one header, checked against identityValidationExpression; REQUEST: every identity
source), the function invoked with the authorizer event as AWS builds it, its policy evaluated
for the method's ARN (execute-api:Invoke, `*` and `?` wildcards, an explicit Deny winning) and
its answer kept per identity for authorizerResultTtlInSeconds
(https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html,
…-lambda-authorizer-output.html)."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from lamina import iam_policy
from lamina.identity import service_identity
from lamina.protocol.errors import ServiceError
from lamina.services.apigateway.authorizers import sources
from lamina.services.apigateway.methods import LAMBDA_URI
from lamina.services.internal import InternalClient

PRINCIPAL = "apigateway.amazonaws.com"
TIMEOUT_S = 29.0  # the longest API Gateway waits for a Lambda it calls
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")
_CACHED = 10_000


class Unauthorized(Exception):
    """401: the identity is missing or invalid, or the function said "Unauthorized"."""


class Failed(Exception):
    """500: the function failed, timed out or answered what the gateway cannot read."""


@dataclass(frozen=True)
class Answer:
    """What an authorizer answered, kept for its TTL and evaluated per method ARN."""

    principal_id: str | None
    statements: list[dict[str, Any]]
    context: dict[str, Any]
    usage_identifier_key: str | None
    document: dict[str, Any] = field(default_factory=dict)  # the policy, as answered

    def decide(self, method_arn: str) -> bool | None:
        """True when allowed, False for an explicit deny, None when nothing allows it."""
        return iam_policy.evaluate(self.statements, "execute-api:Invoke", method_arn)


def function_of(authorizer: dict[str, Any], event: dict[str, Any]) -> str | None:
    """The function an authorizer's URI names, stage variables put in (None: not a function's)."""
    matched = LAMBDA_URI.match(authorizer.get("authorizerUri") or "")
    if matched is None:
        return None
    variables = event.get("stageVariables") or {}
    return _STAGE_VARIABLE.sub(lambda m: variables.get(m.group(1), ""), matched.group(1))


def method_arn(region: str, account_id: str, api_id: str, stage: str, verb: str,
               path: str) -> str:  # fmt: skip
    """arn:aws:execute-api:{region}:{account}:{api}/{stage}/{method}/{path}."""
    return f"arn:aws:execute-api:{region}:{account_id}:{api_id}/{stage}/{verb}{path}"


def identity(authorizer: dict[str, Any], event: dict[str, Any]) -> tuple[str, ...]:
    """The identity source's values, from the 1.0 proxy event of the request; Unauthorized
    when one is missing or empty, or a token fails the validation expression."""
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    query = event.get("queryStringParameters") or {}
    variables = event.get("stageVariables") or {}
    values: list[str] = []
    for source in sources(authorizer.get("identitySource")):
        found: Any = None
        if source.startswith("method.request.header."):
            found = headers.get(source.removeprefix("method.request.header.").lower())
        elif source.startswith("method.request.multivalueheader."):
            name = source.removeprefix("method.request.multivalueheader.").lower()
            multi = {k.lower(): v for k, v in (event.get("multiValueHeaders") or {}).items()}
            found = ",".join(multi.get(name) or []) or None
        elif source.startswith("method.request.querystring."):
            found = query.get(source.removeprefix("method.request.querystring."))
        elif source.startswith("method.request.multivaluequerystring."):
            name = source.removeprefix("method.request.multivaluequerystring.")
            found = ",".join((event.get("multiValueQueryStringParameters") or {}).get(name) or [])
        elif source.startswith("stageVariables."):
            found = variables.get(source.removeprefix("stageVariables."))
        elif source.startswith("context."):
            found = event.get("requestContext")
            for part in source.removeprefix("context.").split("."):
                found = found.get(part) if isinstance(found, dict) else None
        if found in (None, ""):
            raise Unauthorized()
        values.append(str(found))
    expression = authorizer.get("identityValidationExpression")
    if authorizer["type"] == "TOKEN" and expression and not re.fullmatch(expression, values[0]):
        raise Unauthorized()
    return tuple(values)


def authorizer_event(authorizer: dict[str, Any], event: dict[str, Any], arn: str,
                     values: tuple[str, ...]) -> dict[str, Any]:  # fmt: skip
    if authorizer["type"] == "TOKEN":
        return {"type": "TOKEN", "methodArn": arn, "authorizationToken": values[0]}
    built: dict[str, Any] = {"type": "REQUEST", "methodArn": arn}
    for name in ("resource", "path", "httpMethod", "headers", "multiValueHeaders",
                 "queryStringParameters", "multiValueQueryStringParameters", "pathParameters",
                 "stageVariables", "requestContext"):  # fmt: skip
        built[name] = event.get(name)
    return built


def read_answer(payload: bytes) -> Answer:
    try:
        answer = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        raise Failed("the authorizer's answer is not JSON") from None
    if not isinstance(answer, dict):
        raise Failed("the authorizer's answer is not an object")
    document = answer.get("policyDocument")
    if not isinstance(document, dict):
        raise Failed("the answer has no policyDocument")
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not all(isinstance(s, dict) for s in statements):
        raise Failed("the policyDocument has no Statement list")
    context = answer.get("context") or {}
    if not isinstance(context, dict):
        raise Failed("the context is not an object")
    for value in context.values():
        if isinstance(value, (dict, list)):  # AWS takes strings, numbers and booleans only
            raise Failed("a context value is an object or an array")
    principal = answer.get("principalId")
    key = answer.get("usageIdentifierKey")
    return Answer(None if principal is None else str(principal), statements, context,
                  None if key is None else str(key), document)  # fmt: skip


class Cache:
    """Answers by (authorizer and its settings, identity), each until its TTL."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, tuple[str, ...]], tuple[float, Answer]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, tuple[str, ...]], now: float) -> Answer | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None or found[0] <= now:
                return None
            return found[1]

    def put(self, key: tuple[str, tuple[str, ...]], answer: Answer, until: float) -> None:
        with self._lock:
            if len(self._entries) >= _CACHED:
                self._entries.clear()
            self._entries[key] = (until, answer)

    def forget(self) -> None:
        with self._lock:
            self._entries.clear()

    def forget_stage(self, api_id: str, stage: str) -> None:
        """FlushStageAuthorizersCache: the answers kept for one stage of an API."""
        prefix = f"{api_id}/{stage}/"
        with self._lock:
            for key in [key for key in self._entries if key[0].startswith(prefix)]:
                del self._entries[key]


async def authorize(internal: InternalClient, cache: Cache, authorizer: dict[str, Any],
                    event: dict[str, Any], arn: str, owner: tuple[str, str], api_id: str,
                    stage: str, request_id: str) -> tuple[Answer, int]:  # fmt: skip
    """The authorizer's answer for this request (and the ms it took, 0 when kept), or
    Unauthorized / Failed."""
    values = identity(authorizer, event)
    ttl = int(authorizer.get("authorizerResultTtlInSeconds", 300))
    settings = json.dumps(authorizer, sort_keys=True)
    key = (f"{api_id}/{stage}/{settings}", values)  # kept per stage, flushed per stage
    now = time.monotonic()
    if ttl > 0 and (kept := cache.get(key, now)) is not None:
        return kept, 0
    matched = LAMBDA_URI.match(authorizer.get("authorizerUri") or "")
    if matched is None:
        raise Failed("the authorizerUri is not a Lambda function's")
    variables = event.get("stageVariables") or {}
    function = _STAGE_VARIABLE.sub(lambda m: variables.get(m.group(1), ""), matched.group(1))
    parts = function.split(":")
    account_id, region = owner
    if len(parts) > 4 and parts[0] == "arn":
        region, account_id = parts[3], parts[4]
    payload = json.dumps(authorizer_event(authorizer, event, arn, values)).encode()
    started = time.monotonic()
    try:
        result = await asyncio.wait_for(
            internal.call_async(
                "lambda", "Invoke", {"FunctionName": function, "Payload": payload},
                identity=service_identity(PRINCIPAL, account_id), region=region,
                request_id=request_id,
            ),
            TIMEOUT_S,
        )  # fmt: skip
    except (TimeoutError, ServiceError) as error:
        raise Failed(f"invoking {function} failed: {error}") from None
    took = int((time.monotonic() - started) * 1000)
    body = result.get("Payload") or b""
    if result.get("FunctionError"):
        try:
            message = json.loads(body).get("errorMessage")
        except (ValueError, AttributeError, UnicodeDecodeError):
            message = None
        if message == "Unauthorized":
            raise Unauthorized()
        raise Failed(f"the authorizer failed: {message}")
    answer = read_answer(body)
    if ttl > 0:
        cache.put(key, answer, time.monotonic() + ttl)
    return answer, took
