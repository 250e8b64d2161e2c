"""JWT authorizers: a token from the identity source (a `Bearer ` prefix stripped), its
signature checked with the issuer's keys (`{issuer}/.well-known/openid-configuration` names
the JWKS; both kept KEYS_TTL_S), then iss, aud or client_id, exp and nbf, and the route's
AuthorizationScopes against the token's `scope` or `scp`
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html).
Blocking (PyJWT fetches keys with urllib): the plane calls it from a thread."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

import jwt

KEYS_TTL_S = 300.0
FETCH_TIMEOUT_S = 5.0
# API Gateway takes RSA-signed tokens only.
_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]


@dataclass(frozen=True)
class Refused:
    """401 (unauthenticated) or 403 (a scope missing), with its www-authenticate value."""

    status: int
    challenge: str


def _invalid(description: str) -> Refused:
    return Refused(401, f'Bearer error="invalid_token" error_description="{description}"')


class JwtVerifier:
    def __init__(self) -> None:
        self._clients: dict[str, tuple[float, jwt.PyJWKClient]] = {}  # by issuer
        self._lock = threading.Lock()

    def _client(self, issuer: str) -> jwt.PyJWKClient:
        with self._lock:
            found = self._clients.get(issuer)
        if found and time.monotonic() - found[0] < KEYS_TTL_S:
            return found[1]
        url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_S) as answer:
            jwks_uri = json.loads(answer.read())["jwks_uri"]
        client = jwt.PyJWKClient(jwks_uri, lifespan=int(KEYS_TTL_S), timeout=int(FETCH_TIMEOUT_S))
        with self._lock:
            self._clients[issuer] = (time.monotonic(), client)
        return client

    def verify(
        self, token: str | None, settings: dict[str, Any], scopes: list[str]
    ) -> dict[str, Any] | Refused:
        """The token's claims and scopes ({"claims", "scopes"}), or why it is refused."""
        if not token:
            return Refused(401, "Bearer")
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        issuer = settings["Issuer"]
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return _invalid("the token is malformed")
        if header.get("alg") not in _ALGORITHMS:
            return _invalid(f"signing method {header.get('alg')} is invalid")
        try:
            key = self._client(issuer).get_signing_key_from_jwt(token)
        except (jwt.PyJWTError, OSError, ValueError, KeyError) as error:
            return _invalid(f"unable to find the signing key: {type(error).__name__}")
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=_ALGORITHMS,
                options={"verify_aud": False, "verify_iss": False, "require": ["exp"]},
            )
        except jwt.ExpiredSignatureError:
            return _invalid("the token has expired")
        except jwt.ImmatureSignatureError:
            return _invalid("the token is not valid yet")
        except jwt.PyJWTError:
            return _invalid("the token is not valid")
        if claims.get("iss") != issuer:
            return _invalid("the token does not have a valid issuer")
        audience = claims.get("aud", claims.get("client_id"))
        offered = audience if isinstance(audience, list) else [audience]
        if not set(offered) & set(settings["Audience"]):
            return _invalid("the token does not have a valid audience")
        granted = _scopes(claims)
        if scopes and not set(scopes) & set(granted):
            expected = " ".join(scopes)
            return Refused(
                403,
                f'Bearer scope="{expected}" error="insufficient_scope" '
                f'error_description="expected scopes: [{expected}]"',
            )
        return {"claims": {k: _text(v) for k, v in claims.items()}, "scopes": granted or None}


def _text(value: Any) -> str:
    """A claim as the event gives it: text, a list as `[a b]` (as AWS writes them)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + " ".join(_text(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value) if isinstance(value, dict) else str(value)


def _scopes(claims: dict[str, Any]) -> list[str]:
    found = claims.get("scope", claims.get("scp"))
    if isinstance(found, str):
        return found.split()
    return [str(s) for s in found] if isinstance(found, list) else []
