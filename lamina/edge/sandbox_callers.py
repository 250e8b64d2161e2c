"""Layer: a request that arrived on a sandboxes' listener (one per sandbox network, see
lamina/execution/sandbox/networks.py) is marked as a function's, so Lamina's own routes can
refuse it (issue 14): the listener it came in on says so, not anything the caller sends."""

from __future__ import annotations

from lamina.types import ASGIApp, Receive, Scope, Send

SCOPE_KEY = "lamina.from_sandbox"


class SandboxCallersLayer:
    """Outermost on the sandboxes' listeners only; the node's own port never passes it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[SCOPE_KEY] = True
        await self.app(scope, receive, send)


def from_sandbox(scope: Scope) -> bool:
    return bool(scope.get(SCOPE_KEY))
