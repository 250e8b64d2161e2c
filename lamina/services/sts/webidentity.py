"""OIDC issuers Lamina trusts for AssumeRoleWithWebIdentity, and the verification of their
tokens (PyJWT).

LAMINA_OIDC_ISSUERS is a JSON object (inline, or the path of a file holding it) mapping an
issuer URL (the token's `iss`) to how its signatures are checked:

    {"https://token.actions.githubusercontent.com": {"jwks_file": "/etc/lamina/gh.json"},
     "https://idp.example": {"hs256_secret": "a shared secret"}}

A JWKS file's keys (RS256, ES256…) are chosen by the token's `kid`. The issuer's id in trust
policies is the URL without its scheme (`token.actions.githubusercontent.com`): the Federated
principal is `arn:aws:iam::ACCOUNT:oidc-provider/ID` (or the bare id, as for
accounts.google.com), and the condition keys are `ID:aud` and `ID:sub`. Lamina has no IAM
OIDC-provider objects yet, so a configured issuer stands for such a provider in every
account.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from lamina.services.sts.errors import expired_web_token, invalid_identity_token

_UNREADABLE = (
    "The web identity token that was passed could not be validated by AWS. Get a new identity "
    "token from the identity provider and then retry the request."
)
_ASYMMETRIC = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"]


@dataclass(frozen=True)
class Issuer:
    url: str
    keys: dict[str | None, Any]  # kid → key (None: the only key, or the HS256 secret)
    algorithms: list[str]

    @property
    def id(self) -> str:
        return self.url.split("://", 1)[-1].rstrip("/")

    def principals(self, account_id: str) -> list[str]:
        return [f"arn:aws:iam::{account_id}:oidc-provider/{self.id}", self.id]


def load_issuers(spec: str | None) -> dict[str, Issuer]:
    if not spec:
        return {}
    text = spec if spec.lstrip().startswith("{") else Path(spec).read_text()
    config = json.loads(text)
    issuers = {}
    for url, how in config.items():
        if "hs256_secret" in how:
            issuers[url.rstrip("/")] = Issuer(url, {None: how["hs256_secret"]}, ["HS256"])
        elif "jwks_file" in how:
            jwks = jwt.PyJWKSet.from_dict(json.loads(Path(how["jwks_file"]).read_text()))
            keys: dict[str | None, Any] = {k.key_id: k.key for k in jwks.keys}
            if len(jwks.keys) == 1:
                keys[None] = jwks.keys[0].key
            issuers[url.rstrip("/")] = Issuer(url, keys, _ASYMMETRIC)
        else:
            raise ValueError(f"LAMINA_OIDC_ISSUERS: {url}: give jwks_file or hs256_secret")
    return issuers


def issuers_from_env() -> dict[str, Issuer]:
    return load_issuers(os.environ.get("LAMINA_OIDC_ISSUERS"))


@dataclass(frozen=True)
class WebIdentity:
    issuer: Issuer
    subject: str
    audiences: list[str]
    claims: dict[str, Any]


def verify(token: str, issuers: dict[str, Issuer], now: float | None = None) -> WebIdentity:
    """The verified claims of `token`, or AWS's InvalidIdentityToken / ExpiredTokenException."""
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise invalid_identity_token(_UNREADABLE) from None
    iss = str(unverified.get("iss", "")).rstrip("/")
    issuer = issuers.get(iss)
    if issuer is None:
        raise invalid_identity_token(f"No OpenIDConnect provider found in your account for {iss}")
    key = issuer.keys.get(header.get("kid")) or issuer.keys.get(None)
    if key is None:
        raise invalid_identity_token("The web identity token's key (kid) is not the issuer's.")
    exp = unverified.get("exp")
    current = time.time() if now is None else now
    if isinstance(exp, int | float) and exp <= current:
        raise expired_web_token(
            "Token expired: current date/time "
            f"{int(current)} must be before the expiration date/time {int(exp)}"
        )
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=issuer.algorithms,
            options={"verify_aud": False, "require": ["iss", "sub", "exp"]},
            leeway=0,
        )
    except jwt.PyJWTError as problem:
        raise invalid_identity_token(
            f"The web identity token that was passed could not be validated: {problem}"
        ) from None
    aud = claims.get("aud", [])
    audiences = [str(a) for a in (aud if isinstance(aud, list) else [aud])]
    return WebIdentity(issuer, str(claims["sub"]), audiences, claims)
