"""AWS's Extensions API for one environment, served beside its Runtime API (same port, as on
Lambda): external extensions register, then long-poll /event/next for INVOKE and SHUTDOWN.

The environment's init is done when the runtime and every extension started from
/opt/extensions have asked for their first event; after an invocation it is not reused until
every extension subscribed to INVOKE has asked for the next one (the caller has its answer
already, as on Lambda); at its end, SHUTDOWN goes to those subscribed, with a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from lamina.execution.runtime_api import http11
from lamina.execution.runtime_api.http11 import Request

EVENTS = ("INVOKE", "SHUTDOWN")
SHUTDOWN_DEADLINE_S = 2.0  # what Lambda gives extensions at the end of an environment
ROUTES = (
    ("POST", re.compile(r"/2020-01-01/extension/register"), "register"),
    ("GET", re.compile(r"/2020-01-01/extension/event/next"), "next"),
    ("POST", re.compile(r"/2020-01-01/extension/init/error"), "init_error"),
    ("POST", re.compile(r"/2020-01-01/extension/exit/error"), "exit_error"),
)


@dataclass
class Extension:
    name: str
    identifier: str
    events: tuple[str, ...]
    waiting: asyncio.Future[dict[str, Any]] | None = None  # a held /event/next
    queued: list[dict[str, Any]] = field(default_factory=list)
    asked: asyncio.Event = field(default_factory=asyncio.Event)  # set while it waits for one


class ExtensionsApi:
    def __init__(self, expected: int, function: dict[str, str], account_id: str = "") -> None:
        self.expected = expected  # how many executables /opt/extensions held
        self.function = function  # functionName, functionVersion, handler
        self.account_id = account_id
        self.extensions: dict[str, Extension] = {}
        self.initializing = True
        self.init_failed: asyncio.Future[dict[str, Any]] = (
            asyncio.get_running_loop().create_future()
        )
        self.failed = False  # one reported /exit/error: the environment is not reused
        self._changed = asyncio.Event()  # an extension registered or asked for an event
        # Every expected extension has registered: the runtime's own init may start (AWS
        # starts the runtime only then).
        self.registered = asyncio.Event()

    # -- the environment's side --------------------------------------------------------------

    async def ready(self) -> None:
        """Until every expected extension has registered and asked for its first event."""
        while not (
            len(self.extensions) >= self.expected
            and all(e.asked.is_set() for e in self.extensions.values())
        ):
            self._changed.clear()
            await self._changed.wait()
        self.initializing = False

    def invoke(self, header: dict[str, Any]) -> None:
        event = {
            "eventType": "INVOKE",
            "deadlineMs": int(header["deadline_ms"]),
            "requestId": header["request_id"],
            "invokedFunctionArn": header.get("invoked_function_arn") or "",
            "tracing": {"type": "X-Amzn-Trace-Id", "value": header.get("trace_id") or ""},
        }
        self._send("INVOKE", event)

    async def settled(self) -> None:
        """Until every extension given the last event has asked for the next."""
        for extension in list(self.extensions.values()):
            await extension.asked.wait()

    async def shutdown(self, reason: str = "spindown") -> None:
        """SHUTDOWN to those subscribed; until they have asked again, or the deadline."""
        deadline = time.time() + SHUTDOWN_DEADLINE_S
        event = {
            "eventType": "SHUTDOWN",
            "shutdownReason": reason,
            "deadlineMs": int(deadline * 1000),
        }
        if not self._send("SHUTDOWN", event):
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.settled(), SHUTDOWN_DEADLINE_S)

    def _send(self, kind: str, event: dict[str, Any]) -> bool:
        sent = False
        for extension in self.extensions.values():
            if kind not in extension.events:
                continue
            sent = True
            extension.asked.clear()
            if extension.waiting is not None and not extension.waiting.done():
                extension.waiting.set_result(event)
            else:
                extension.queued.append(event)
        return sent

    # -- the routes --------------------------------------------------------------------------

    async def dispatch(self, request: Request) -> bytes | None:
        """The answer to an Extensions API request; None: not one of its paths."""
        allowed = []
        for method, pattern, name in ROUTES:
            if pattern.fullmatch(request.path) is None:
                continue
            if request.method == method:
                answer: bytes = await getattr(self, name)(request)
                return answer
            allowed.append(method)
        if allowed:
            return http11.response(405, headers={"Allow": ", ".join(allowed)})
        return None

    async def register(self, request: Request) -> bytes:
        name = request.headers.get("lambda-extension-name")
        if not name:
            return _error(403, "Extension.InvalidExtensionName", "Empty extension name")
        if not self.initializing:
            return _error(
                403, "Extension.InvalidRegistration", "Extensions can only register during init"
            )
        if any(e.name == name for e in self.extensions.values()):
            return _error(
                409, "Extension.AlreadyRegistered", f"Extension {name} already registered"
            )
        try:
            events = tuple(json.loads(request.body or b"{}").get("events") or ())
        except (ValueError, AttributeError):
            return _error(400, "InvalidRequestFormat", "Invalid request body")
        unknown = [e for e in events if e not in EVENTS]
        if unknown:
            return _error(400, "Extension.InvalidEventType", f"Unknown event types: {unknown}")
        identifier = str(uuid.uuid4())
        self.extensions[identifier] = Extension(name, identifier, events)
        self._changed.set()
        if len(self.extensions) >= self.expected:
            self.registered.set()
        headers = {"Lambda-Extension-Identifier": identifier}
        answer = dict(self.function)
        features = request.headers.get("lambda-extension-accept-feature", "")
        if "accountId" in (f.strip() for f in features.split(",")):
            answer["accountId"] = self.account_id
        return http11.json_response(200, answer, headers)

    async def next(self, request: Request) -> bytes:
        extension, problem = self._caller(request)
        if extension is None:
            return problem
        if extension.queued:
            event = extension.queued.pop(0)
        else:
            extension.waiting = asyncio.get_running_loop().create_future()
            extension.asked.set()
            self._changed.set()
            try:
                event = await extension.waiting
            finally:
                extension.waiting = None
        headers = {"Lambda-Extension-Event-Identifier": str(uuid.uuid4())}
        return http11.json_response(200, event, headers)

    async def init_error(self, request: Request) -> bytes:
        extension, problem = self._caller(request)
        if extension is None:
            return problem
        error_type = request.headers.get("lambda-extension-function-error-type") or "Unknown"
        if not self.init_failed.done():
            self.init_failed.set_result(
                {
                    "errorType": f"Extension.{error_type.removeprefix('Extension.')}",
                    "errorMessage": f"Extension {extension.name} failed to initialize",
                }
            )
        return http11.json_response(202, {"status": "OK"})

    async def exit_error(self, request: Request) -> bytes:
        extension, problem = self._caller(request)
        if extension is None:
            return problem
        self.failed = True
        return http11.json_response(202, {"status": "OK"})

    def _caller(self, request: Request) -> tuple[Extension | None, bytes]:
        identifier = request.headers.get("lambda-extension-identifier")
        if not identifier:
            return None, _error(
                403, "Extension.MissingExtensionIdentifier", "Missing Lambda-Extension-Identifier"
            )
        found = self.extensions.get(identifier)
        if found is None:
            return None, _error(403, "Extension.InvalidExtensionIdentifier", "Invalid extension")
        return found, b""


def _error(status: int, error_type: str, message: str) -> bytes:
    return http11.json_response(status, {"errorMessage": message, "errorType": error_type})
