"""Layer: who is calling. The access key's Credential, from the node's credential source
(LAMINA_CREDENTIALS, IAM users' keys, STS sessions, behind a short cache), becomes the
request's Identity; a key nobody issued is the root of its account, as it always was.

Refused here whether or not signatures are verified: an IAM key made Inactive
(InvalidClientTokenId / UnrecognizedClientException) and an expired session (ExpiredToken /
ExpiredTokenException). Checking the signature itself is the SignatureLayer's job.
"""

from __future__ import annotations

import time
from concurrent.futures import Executor

from lamina.edge import auth_errors as errors
from lamina.edge.request import edge_request
from lamina.identity import CachedCredentials, Credential, unknown_key
from lamina.types import ASGIApp, Receive, Scope, Send


class IdentityLayer:
    def __init__(
        self,
        app: ASGIApp,
        credentials: CachedCredentials | None,
        executor: Executor | None = None,
        reads_inline: bool = True,
    ) -> None:
        self.app = app
        self.credentials = credentials
        self.executor = executor
        self.reads_inline = reads_inline  # a store read may run on the loop (SQLite WAL)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = edge_request(scope)
            if not request.http.path.startswith("/_lamina/"):
                credential = await self.credential(request.access_key)
                if credential is None:
                    identity = unknown_key(request.access_key)
                else:
                    if not credential.active:
                        raise errors.invalid_token(request.service)
                    if credential.expired(time.time()):
                        raise errors.expired_token(request.service)
                    identity = credential.identity
                request.credential = credential
                request.identity = identity
                request.account_id = identity.account_id
        await self.app(scope, receive, send)

    async def credential(self, access_key: str | None) -> Credential | None:
        if not access_key or self.credentials is None:
            return None
        return await self.credentials.find(access_key, self.executor, self.reads_inline)
