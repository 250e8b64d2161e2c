"""Function URLs' data plane: an HTTP request for a url-id (the edge found it, by Host or by
the /_lamina/url/ path) becomes a payload format 2.0 event, is invoked through Lambda's own
Invoke (so concurrency, logs and metrics apply as to any invoke), and the function's answer
becomes the HTTP response; with InvokeMode RESPONSE_STREAM, through InvokeWithResponseStream,
and the response is sent as the function writes it (v2_stream.py). AuthType NONE serves only
when the resource-based policy allows it; AWS_IAM only a request SigV4-signed for the service
`lambda` with a key Lamina knows (the edge checks the signature and says who signed;
identity-based policies are not evaluated yet)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from lamina.context import RequestContext
from lamina.execution.streaming import Guarded
from lamina.http_events import cors, v2, v2_response, v2_stream
from lamina.http_events.url_call import UrlCall
from lamina.identity import Credential
from lamina.protocol.errors import ServiceError
from lamina.protocol.http import HttpResponse
from lamina.services.lambda_.function_urls import FunctionUrl, FunctionUrls
from lamina.services.lambda_.policies import ResourcePolicies
from lamina.services.lambda_.stream_invoke import StreamingInvocation
from lamina.store import Store

Invoke = Callable[[RequestContext, dict[str, Any]], Awaitable[dict[str, Any]]]
StartStreaming = Callable[[RequestContext, dict[str, Any]], Awaitable[StreamingInvocation]]
JSON = "application/json"


def _message(status: int, message: str) -> HttpResponse:
    body = json.dumps({"Message": message}).encode()
    return HttpResponse(status, [("Content-Type", "application/json")], body)


def forbidden() -> HttpResponse:
    return _message(403, "Forbidden")


class FunctionUrlPlane:
    def __init__(
        self,
        store: Store,
        urls: FunctionUrls,
        policies: ResourcePolicies,
        invoke: Invoke,
        start_streaming: StartStreaming,
    ) -> None:
        self.store = store
        self.urls = urls
        self.policies = policies
        self.invoke = invoke
        self.start_streaming = start_streaming

    async def serve(self, call: UrlCall) -> HttpResponse:
        """Answer one request for a function URL."""
        found = await self._read(self.urls.lookup, call.url_id)
        if found is None:
            return _message(404, "Not Found")  # no URL of that id (or deleted)
        http = call.http
        settings = found.config.get("Cors")
        if settings and cors.is_preflight(http.method, http.headers):
            return cors.preflight(settings, http.headers)
        domain = call.domain or f"{found.url_id}.lambda-url.{found.region}.localhost"
        route = v2.Route(found.url_id, domain, call.source_ip, call.request_id)
        if found.config["AuthType"] == "AWS_IAM":
            if call.caller is None:
                return forbidden()
            route.account_id = call.caller.identity.account_id
            route.authorizer = {"iam": _iam_authorizer(call.caller)}
        else:
            public = self.policies.allows_public_url
            if not await self._read(public, found.function_id, found.qualifier):
                return forbidden()
        answer = await self._invoke(
            found, v2.event(http, call.path, route, call.raw_headers), call.request_id
        )
        if settings:
            cors.decorate(settings, http.headers, answer)
        return answer

    async def _invoke(self, found: FunctionUrl, event: bytes, request_id: str) -> HttpResponse:
        streaming = found.config.get("InvokeMode") == "RESPONSE_STREAM"
        ctx = RequestContext(
            account_id=found.account_id,
            region=found.region,
            request_id=request_id,
            service="lambda",
            operation="InvokeWithResponseStream" if streaming else "Invoke",
            base_url="",
        )
        params: dict[str, Any] = {"FunctionName": found.name, "Payload": event}
        if found.qualifier:
            params["Qualifier"] = found.qualifier
        try:
            if streaming:
                return await self._stream(ctx, params)
            result = await self.invoke(ctx, params)
        except ServiceError as error:
            if error.code == "TooManyRequestsException":
                return _message(429, "Rate Exceeded.")
            if error.code == "ResourceNotFoundException":
                return _message(404, "Not Found")  # the function went with its URL
            if error.code == "RequestEntityTooLargeException":
                return _message(413, "Request must be smaller than 6291456 bytes")
            return v2_response.bad_gateway()
        return v2_response.response(result.get("Payload") or b"", result.get("FunctionError"))

    async def _stream(self, ctx: RequestContext, params: dict[str, Any]) -> HttpResponse:
        """RESPONSE_STREAM: the response goes out as the function writes it. A function that
        does not stream (Python, a Node handler without streamifyResponse) has its answer
        sent as it is, in one piece: Lambda streams every answer of such a URL, and reads no
        {statusCode, body} out of it."""
        running = await self.start_streaming(ctx, params)
        if running.answered:
            result = await running.result()
            if result.function_error:
                return v2_response.bad_gateway()
            return HttpResponse(200, [("Content-Type", JSON)], result.payload)
        content_type = running.response.started.result()
        chunks = Guarded(running.response.chunks(), running.abandon)
        try:
            answer = await v2_stream.response(content_type, chunks)
        except BaseException:
            await chunks.aclose()
            raise
        if answer.stream is None:  # a 502 made of a bad prelude: nothing more will be read
            await chunks.aclose()
        if not answer.body and running.task.done() and running.task.result().function_error:
            return v2_response.bad_gateway()  # it failed before its first byte
        return answer

    async def _read(self, read: Any, *args: Any) -> Any:
        if not self.store.reads_wait:
            return read(*args)  # SQLite: a brief read on the loop costs less than a thread
        return await asyncio.get_running_loop().run_in_executor(None, read, *args)


def _iam_authorizer(credential: Credential) -> dict[str, Any]:
    identity = credential.identity
    return {
        "accessKey": credential.access_key_id,
        "accountId": identity.account_id,
        "callerId": identity.user_id,
        "cognitoIdentity": None,
        "principalOrgId": None,
        "userArn": identity.arn,
        "userId": identity.user_id,
    }
