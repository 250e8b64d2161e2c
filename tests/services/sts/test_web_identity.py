"""AssumeRoleWithWebIdentity: JWTs of configured OIDC issuers (RS256 by JWKS, HS256 by a
shared secret), the Federated principal and the aud/sub conditions; unsigned, as AWS allows,
even with signature checking on."""

from __future__ import annotations

import json
import time

import boto3
import jwt
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import error_of, own_server
from tests.services.sts.conftest import sts_with

GITHUB = "https://token.actions.githubusercontent.com"
SHARED = "https://idp.example.test"
ROOT = {"aws_access_key_id": "AKIDWEB", "aws_secret_access_key": "web-secret"}


@pytest.fixture(scope="module")
def oidc(tmp_path_factory, engine):
    here = tmp_path_factory.mktemp("oidc")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    (here / "jwks.json").write_text(json.dumps({"keys": [{**public, "kid": "k1", "use": "sig"}]}))
    issuers = {
        GITHUB: {"jwks_file": str(here / "jwks.json")},
        SHARED: {"hs256_secret": "a-shared-secret-of-thirty-two-bytes!"},
    }
    env = {
        "LAMINA_OIDC_ISSUERS": json.dumps(issuers),
        "LAMINA_VERIFY_SIGNATURES": "1",
        "LAMINA_CREDENTIALS": "AKIDWEB:web-secret",
    }
    with own_server(here / "data", engine, "sts_web_identity", env) as lamina:
        yield lamina, key


def token(key, issuer=GITHUB, sub="repo:acme/app:ref:refs/heads/main", aud="sts.amazonaws.com",
          expires_in=300, kid="k1"):  # fmt: skip
    claims = {"iss": issuer, "sub": sub, "aud": aud, "iat": int(time.time()),
              "exp": int(time.time()) + expires_in}  # fmt: skip
    if issuer == SHARED:
        return jwt.encode(claims, "a-shared-secret-of-thirty-two-bytes!", algorithm="HS256")
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def federated_trust(provider: str, condition: dict | None = None) -> str:
    statement = {
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::000000000000:oidc-provider/{provider}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def unsigned_sts(url: str):
    return boto3.client("sts", endpoint_url=url, region_name="us-east-1",
                        config=Config(signature_version=UNSIGNED))  # fmt: skip


def role(url: str, name: str, policy: str) -> str:
    iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1", **ROOT)
    with_name = iam.create_role(RoleName=name, AssumeRolePolicyDocument=policy)["Role"]
    return str(with_name["Arn"])


def test_a_github_actions_token_assumes_a_role(oidc):
    lamina, key = oidc
    condition = {
        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
        "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"},
    }
    arn = role(
        lamina.url, "deploy", federated_trust("token.actions.githubusercontent.com", condition)
    )
    answer = unsigned_sts(lamina.url).assume_role_with_web_identity(
        RoleArn=arn, RoleSessionName="gha", WebIdentityToken=token(key)
    )
    assert answer["SubjectFromWebIdentityToken"] == "repo:acme/app:ref:refs/heads/main"
    assert answer["Audience"] == "sts.amazonaws.com"
    assert answer["Provider"] == GITHUB
    assert answer["AssumedRoleUser"]["Arn"] == "arn:aws:sts::000000000000:assumed-role/deploy/gha"
    identity = sts_with(lamina.url, answer["Credentials"]).get_caller_identity()
    assert identity["Arn"] == "arn:aws:sts::000000000000:assumed-role/deploy/gha"


def test_a_subject_the_condition_does_not_allow_is_denied(oidc):
    lamina, key = oidc
    condition = {"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:acme/other"}}
    arn = role(
        lamina.url, "strict", federated_trust("token.actions.githubusercontent.com", condition)
    )
    with pytest.raises(ClientError) as excinfo:
        unsigned_sts(lamina.url).assume_role_with_web_identity(
            RoleArn=arn, RoleSessionName="gha", WebIdentityToken=token(key)
        )
    assert error_of(excinfo) == (
        "AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity"
    )  # fmt: skip


def test_a_shared_secret_issuer_and_the_wrong_provider(oidc):
    lamina, key = oidc
    arn = role(lamina.url, "shared", federated_trust("idp.example.test"))
    sts = unsigned_sts(lamina.url)
    answer = sts.assume_role_with_web_identity(
        RoleArn=arn, RoleSessionName="app", WebIdentityToken=token(None, issuer=SHARED)
    )
    assert answer["Provider"] == SHARED
    with pytest.raises(ClientError) as excinfo:  # a GitHub token for a role trusting idp.example
        sts.assume_role_with_web_identity(
            RoleArn=arn, RoleSessionName="app", WebIdentityToken=token(key)
        )
    assert error_of(excinfo)[0] == "AccessDenied"


def test_bad_tokens(oidc):
    lamina, key = oidc
    arn = role(lamina.url, "any", federated_trust("token.actions.githubusercontent.com"))
    sts = unsigned_sts(lamina.url)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cases = [
        (token(other), "InvalidIdentityToken"),  # signed by a key not the issuer's
        (token(key, issuer="https://unknown.example"), "InvalidIdentityToken"),
        (token(key, expires_in=-60), "ExpiredTokenException"),
        ("not-a-jwt-at-all", "InvalidIdentityToken"),
    ]
    for web_token, code in cases:
        with pytest.raises(ClientError) as excinfo:
            sts.assume_role_with_web_identity(
                RoleArn=arn, RoleSessionName="x1", WebIdentityToken=web_token
            )
        assert error_of(excinfo)[:2] == (code, 400), web_token
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role_with_web_identity(
            RoleArn=arn,
            RoleSessionName="x1",
            WebIdentityToken=token(key, issuer="https://unknown.example"),
        )
    assert (
        "No OpenIDConnect provider found in your account for https://unknown.example"
        in (error_of(excinfo)[2])
    )


def test_an_unevaluated_condition_operator_is_refused(oidc):
    lamina, key = oidc
    condition = {"ForAnyValue:StringLike": {"token.actions.githubusercontent.com:sub": "*"}}
    arn = role(
        lamina.url, "fancy", federated_trust("token.actions.githubusercontent.com", condition)
    )
    with pytest.raises(ClientError) as excinfo:
        unsigned_sts(lamina.url).assume_role_with_web_identity(
            RoleArn=arn, RoleSessionName="x1", WebIdentityToken=token(key)
        )
    assert error_of(excinfo)[:2] == ("NotImplementedException", 501)
