"""The management API's callers (PostToConnection, GetConnection, DeleteConnection) sign with
SigV4 for `execute-api`, as AWS requires. Its requests reach the data plane before the edge's
SignatureLayer, so with LAMINA_VERIFY_SIGNATURES=1 the signature is checked here, with the same
keys and verifier; a request it refuses is answered 403 ForbiddenException, as API Gateway
answers. IAM policies are not evaluated (Lamina does not enforce IAM yet)."""

from __future__ import annotations

import asyncio
import time

from lamina.edge.auth import Verifier, read_signature
from lamina.edge.request import EdgeRequest
from lamina.identity import MISS, CachedCredentials, Credential
from lamina.protocol.errors import ServiceError
from lamina.protocol.http import HttpRequest


class ManagementCallers:
    def __init__(self, credentials: CachedCredentials) -> None:
        self.credentials = credentials
        self.verifier = Verifier()

    async def refusal(self, http: HttpRequest) -> str | None:
        """Why the request may not call the management API; None when its signature holds."""
        request = EdgeRequest(http)
        try:
            signed = read_signature(request)
        except ServiceError as error:
            return error.message
        if signed is None:
            return "Missing Authentication Token"
        credential = await self._credential(signed.access_key)
        if credential is None or not credential.active or credential.expired():
            return "The security token included in the request is invalid."
        request.credential = credential
        try:
            self.verifier.verify(request, time.time())
        except ServiceError as error:
            return error.message
        return None

    async def _credential(self, access_key: str) -> Credential | None:
        found = self.credentials.cached(access_key)
        if found is not MISS:
            return found  # type: ignore[return-value]
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self.credentials.lookup, access_key)
