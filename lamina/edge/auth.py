"""Layer: check SigV4 signatures, when enabled (LAMINA_VERIFY_SIGNATURES=1).

Off by default, as local tools send any key. When on, each access key must be known
(LAMINA_CREDENTIALS="AKID:SECRET,…") and the signature is recomputed with botocore's own
signer over the request as received, then compared in constant time.
"""

from __future__ import annotations

import hmac
import os
import re

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from lamina.edge.request import EdgeRequest, edge_request
from lamina.protocol.errors import ServiceError
from lamina.types import ASGIApp, Receive, Scope, Send

_SIGNED_HEADERS = re.compile(r"SignedHeaders=([^,\s]+)")
_SIGNATURE = re.compile(r"Signature=([0-9a-f]+)")


class SignatureError(ServiceError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message, 403)


def known_credentials() -> dict[str, str]:
    pairs = (item.split(":", 1) for item in os.environ.get("LAMINA_CREDENTIALS", "").split(","))
    return {key.strip(): secret.strip() for key, secret in (p for p in pairs if len(p) == 2)}


def expected_signature(request: EdgeRequest, secret: str, signed: list[str], stamp: str) -> str:
    http = request.http
    host = http.headers.get("host", "")
    url = f"http://{host}{http.path}" + (f"?{http.query}" if http.query else "")
    headers = {name: http.headers.get(name, "") for name in signed}
    aws_request = AWSRequest(method=http.method, url=url, headers=headers, data=http.body)
    aws_request.context["timestamp"] = stamp
    signer = SigV4Auth(
        Credentials(request.access_key or "", secret),
        request.signing_service or "",
        request.region,
    )
    canonical = signer.canonical_request(aws_request)
    return str(signer.signature(signer.string_to_sign(aws_request, canonical), aws_request))


def verify(request: EdgeRequest, credentials: dict[str, str]) -> None:
    authorization = request.http.headers.get("authorization", "")
    if not authorization.startswith("AWS4-HMAC-SHA256"):
        raise SignatureError("MissingAuthenticationTokenException", "Missing Authentication Token")
    signed = _SIGNED_HEADERS.search(authorization)
    signature = _SIGNATURE.search(authorization)
    stamp = request.http.headers.get("x-amz-date")
    if not (signed and signature and stamp and request.access_key):
        raise SignatureError(
            "IncompleteSignatureException",
            "Authorization header requires Credential, "
            "SignedHeaders, Signature and an X-Amz-Date header.",
        )
    secret = credentials.get(request.access_key)
    if secret is None:
        raise SignatureError(
            "UnrecognizedClientException", "The security token included in the request is invalid."
        )
    expected = expected_signature(request, secret, signed.group(1).split(";"), stamp)
    if not hmac.compare_digest(expected, signature.group(1)):
        raise SignatureError(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. "
            "Consult the service documentation for details.",
        )


class SignatureLayer:
    def __init__(self, app: ASGIApp, enabled: bool) -> None:
        self.app = app
        self.enabled = enabled
        self.credentials = known_credentials() if enabled else {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.enabled and scope["type"] == "http":
            request = edge_request(scope)
            if not request.http.path.startswith("/_lamina/"):
                verify(request, self.credentials)
        await self.app(scope, receive, send)
