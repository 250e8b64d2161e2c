"""Layer: check SigV4 signatures, when enabled (LAMINA_VERIFY_SIGNATURES=1).

Off by default, as local tools send any key. When on, every request (the Authorization header
form, or a presigned URL's X-Amz-Signature) must be signed with the secret of a key Lamina
knows: LAMINA_CREDENTIALS, an IAM user's active key, or an unexpired STS session, whose
X-Amz-Security-Token must then be the session's. The IdentityLayer before this one has found
the key's Credential (and refused inactive keys and expired sessions, on or off).

The signature is recomputed over the request as received (SigV4: canonical request, string to
sign, the signing key derived from the secret, date, region and service, cached) and compared
in constant time. Operations the model marks as unauthenticated (AssumeRoleWithWebIdentity)
may come unsigned. S3's aws-chunked streaming payloads are refused while verification is on.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import threading
import time
from email.utils import parsedate_to_datetime
from urllib.parse import quote, unquote

from botocore.utils import normalize_url_path

from lamina.edge import auth_errors as errors
from lamina.edge.request import EdgeRequest, edge_request
from lamina.protocol.errors import ServiceError
from lamina.types import ASGIApp, Receive, Scope, Send

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


class SigningKeys:
    """Derived signing keys per (secret, date, region, service): four HMACs saved per request."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._keys: dict[tuple[str, str, str, str], bytes] = {}
        self._lock = threading.Lock()

    def get(self, secret: str, date: str, region: str, service: str) -> bytes:
        cache_key = (secret, date, region, service)
        key = self._keys.get(cache_key)
        if key is None:
            key = _hmac(f"AWS4{secret}".encode(), date)
            for part in (region, service, "aws4_request"):
                key = _hmac(key, part)
            with self._lock:
                if len(self._keys) >= self.size:
                    self._keys.clear()
                self._keys[cache_key] = key
        return key


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


class SignedRequest:
    """The parts of a SigV4 signature, from the Authorization header or a presigned query."""

    def __init__(
        self,
        access_key: str,
        scope: list[str],  # date, region, service, 'aws4_request'
        signed_headers: list[str],
        signature: str,
        stamp: str,
        presigned: bool,
        expires: int | None = None,
        token: str | None = None,
    ) -> None:
        self.access_key = access_key
        self.scope = scope
        self.signed_headers = signed_headers
        self.signature = signature
        self.stamp = stamp
        self.presigned = presigned
        self.expires = expires
        self.token = token


def _incomplete(request: EdgeRequest, message: str) -> ServiceError:
    return errors.incomplete_signature(request.service, message)


def read_signature(request: EdgeRequest) -> SignedRequest | None:
    """The signature a request carries, None when it carries none."""
    http = request.http
    authorization = http.headers.get("authorization")
    if authorization:
        algorithm, _, rest = authorization.strip().partition(" ")
        if algorithm != ALGORITHM:
            raise _incomplete(request, f"Unsupported authorization type: {algorithm}")
        parts: dict[str, str] = {}
        for item in rest.split(","):
            name, _, value = item.strip().partition("=")
            parts[name] = value
        credential, signed, signature = (
            parts.get(k) for k in ("Credential", "SignedHeaders", "Signature")
        )
        stamp = http.headers.get("x-amz-date") or _from_date_header(http.headers.get("date"))
        if not (credential and signed and signature and stamp):
            raise _incomplete(
                request,
                "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' "
                "parameters, and an 'X-Amz-Date' or 'Date' header.",
            )
        token = http.headers.get("x-amz-security-token")
        key, scope = _split_credential(request, credential)
        return SignedRequest(key, scope, signed.split(";"), signature, stamp, False, None, token)
    if "X-Amz-Signature=" not in http.query:
        return None
    query = _query_pairs(http.query)
    fields = {unquote(k): unquote(v) for k, v in query}
    needed = ("X-Amz-Credential", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Date")
    if fields.get("X-Amz-Algorithm") != ALGORITHM or not all(fields.get(k) for k in needed):
        raise _incomplete(
            request,
            "A presigned request requires X-Amz-Algorithm=AWS4-HMAC-SHA256, X-Amz-Credential, "
            "X-Amz-SignedHeaders, X-Amz-Signature and X-Amz-Date.",
        )
    try:
        expires = int(fields.get("X-Amz-Expires") or 604800)
    except ValueError:
        raise _incomplete(request, "X-Amz-Expires must be a number of seconds.") from None
    key, scope = _split_credential(request, fields["X-Amz-Credential"])
    return SignedRequest(
        key, scope, fields["X-Amz-SignedHeaders"].split(";"), fields["X-Amz-Signature"],
        fields["X-Amz-Date"], True, expires, fields.get("X-Amz-Security-Token"),
    )  # fmt: skip


def _split_credential(request: EdgeRequest, credential: str) -> tuple[str, list[str]]:
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise _incomplete(
            request,
            f"Credential should be scoped to a valid region, not '{credential}'. "
            "It reads AKID/YYYYMMDD/REGION/SERVICE/aws4_request.",
        )
    return parts[0], parts[1:]


def _from_date_header(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).strftime("%Y%m%dT%H%M%SZ")
    except (TypeError, ValueError):
        return None


def _query_pairs(query: str) -> list[tuple[str, str]]:
    pairs = []
    for item in query.split("&"):
        if item:
            key, _, value = item.partition("=")
            pairs.append((key, value))
    return pairs


def stamp_seconds(stamp: str) -> float | None:
    """Seconds since the epoch of an ISO 8601 basic stamp (20240131T120000Z)."""
    if len(stamp) != 16 or stamp[8] != "T" or stamp[15] != "Z":
        return None
    try:
        fields = (stamp[0:4], stamp[4:6], stamp[6:8], stamp[9:11], stamp[11:13], stamp[13:15])
        return float(calendar.timegm(tuple(int(f) for f in fields)))
    except ValueError:
        return None


def canonical_request(request: EdgeRequest, signed: SignedRequest) -> str:
    http = request.http
    service = signed.scope[1] if len(signed.scope) > 1 else ""
    path = http.path or "/"
    if service != "s3":  # S3 signs its path as sent; the others a normalized, re-encoded one
        path = quote(normalize_url_path(path), safe="/~")
    pairs = []
    for key, value in _query_pairs(http.query):
        if signed.presigned and key == "X-Amz-Signature":
            continue
        pairs.append((quote(unquote(key), safe="-_.~"), quote(unquote(value), safe="-_.~")))
    query = "&".join(f"{k}={v}" for k, v in sorted(pairs))
    names = sorted(name.lower() for name in signed.signed_headers)
    headers = "".join(f"{n}:{' '.join(http.headers.get(n, '').split())}\n" for n in names)
    payload = payload_hash(request, signed, service)
    return f"{http.method}\n{path}\n{query}\n{headers}\n{';'.join(names)}\n{payload}"


def payload_hash(request: EdgeRequest, signed: SignedRequest, service: str) -> str:
    declared = request.http.headers.get("x-amz-content-sha256")
    if declared:
        if declared.startswith("STREAMING-"):
            raise errors.streaming_refused(request.service)
        if declared != UNSIGNED_PAYLOAD and declared != _body_hash(request):
            raise ServiceError(
                "XAmzContentSHA256Mismatch",
                "The provided 'x-amz-content-sha256' header does not match what was computed.",
                400,
            )
        return declared
    if signed.presigned and service == "s3":
        return UNSIGNED_PAYLOAD
    return _body_hash(request)


def _body_hash(request: EdgeRequest) -> str:
    body = request.http.body
    return hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256


class Verifier:
    def __init__(self) -> None:
        self.keys = SigningKeys()

    def verify(self, request: EdgeRequest, now: float) -> None:
        service = request.service
        signed = read_signature(request)
        if signed is None:
            if _unauthenticated(request):
                return
            raise errors.missing_authentication(service)
        credential = request.credential
        if credential is None or credential.access_key_id != signed.access_key:
            raise errors.invalid_token(service)
        if "host" not in (name.lower() for name in signed.signed_headers):
            raise _incomplete(request, "'Host' must be a 'SignedHeader' in the AWS Authorization.")
        signed_at = stamp_seconds(signed.stamp)
        if signed_at is None:
            raise _incomplete(request, f"Invalid X-Amz-Date: {signed.stamp}")
        if signed.presigned:
            if signed_at > now + errors.SKEW_S:
                raise errors.skewed(service, signed_at, now)
            if now > signed_at + (signed.expires or 0):
                raise errors.presign_expired(service)
        elif abs(now - signed_at) > errors.SKEW_S:
            raise errors.skewed(service, signed_at, now)
        if credential.session_token is not None:
            if not signed.token or not hmac.compare_digest(signed.token, credential.session_token):
                raise errors.invalid_token(service)
        elif signed.token:  # a token sent with long-term keys names no session of theirs
            raise errors.invalid_token(service)
        canonical = canonical_request(request, signed)
        scope = "/".join(signed.scope)
        to_sign = (
            f"{ALGORITHM}\n{signed.stamp}\n{scope}\n"
            f"{hashlib.sha256(canonical.encode()).hexdigest()}"
        )
        date, region, name = signed.scope[0], signed.scope[1], signed.scope[2]
        key = self.keys.get(credential.secret, date, region, name)
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signed.signature):
            raise errors.bad_signature(service)


def _unauthenticated(request: EdgeRequest) -> bool:
    """Operations the model lets through unsigned (smithy.api#noAuth, authtype none)."""
    service = request.service
    if service is None:
        return False
    try:
        operation, _ = service.router.match(request.http)
    except ServiceError:
        return False
    auth = getattr(operation, "auth", None) or []
    return operation.auth_type == "none" or list(auth) == ["smithy.api#noAuth"]


class SignatureLayer:
    def __init__(self, app: ASGIApp, enabled: bool) -> None:
        self.app = app
        self.enabled = enabled
        self.verifier = Verifier()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.enabled and scope["type"] == "http":
            request = edge_request(scope)
            if not request.http.path.startswith("/_lamina/"):
                self.verifier.verify(request, time.time())
        await self.app(scope, receive, send)
