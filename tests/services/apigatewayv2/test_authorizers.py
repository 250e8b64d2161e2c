"""HTTP API authorizers: the control plane (Create/Get/Update/DeleteAuthorizer, routes naming
them), JWT authorizers against an issuer served from this test (discovery document and JWKS),
and Lambda (REQUEST) authorizers with simple and IAM policy responses, cached by identity."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import error_of, make_zip
from tests.services.apigatewayv2.helpers import (
    ARN,
    apigw,
    by_host,
    create_api_function,
    echo_function,
)
from tests.services.apigatewayv2.test_resources import integration

INVOCATIONS = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{}/invocations"

# Decides by the identity source: "allow…", "deny", "fail", "garbled"; says what it was given.
AUTHORIZER = """
import json, uuid
def handler(event, context):
    token = event["identitySource"] if event["version"] == "1.0" else event["identitySource"][0]
    if token == "fail":
        raise ValueError("boom")
    if token == "garbled":
        return "yes"
    said = {"seen": str(uuid.uuid4()), "type": event["type"], "version": event["version"],
            "hasBody": "body" in event}
    if event["version"] == "2.0" and event.get("routeArn", "").endswith("/simple"):
        said.update(routeArn=event["routeArn"], routeKey=event["routeKey"],
                    path=event["rawPath"], header=event["headers"].get("x-who", ""))
        return {"isAuthorized": token.startswith("allow"), "context": said}
    arn = event.get("methodArn") or event["routeArn"]
    said.update(arn=arn, token=event.get("authorizationToken", ""))
    base = arn.split("/", 1)[0]
    return {"principalId": "user-" + token, "context": said, "policyDocument": {
        "Version": "2012-10-17", "Statement": [
            {"Action": "execute-api:Invoke", "Effect": "Allow",
             "Resource": base + "/*/GET/items/*"},
            {"Action": "execute-api:*", "Effect": "Deny",
             "Resource": [base + "/*/GET/items/secret"]},
        ]}}
"""


def _api_with_routes(endpoint: str, lambda_client, **route) -> tuple[object, str, str]:
    """(client, api id, the integration's target), with a $default AutoDeploy stage."""
    api = apigw(endpoint)
    api_id = api.create_api(Name="auth", ProtocolType="HTTP")["ApiId"]
    arn = echo_function(lambda_client)
    target = f"integrations/{integration(api, api_id, IntegrationUri=arn)}"
    api.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    return api, api_id, target


def test_authorizers_are_kept_checked_and_named_by_routes(endpoint):
    api = apigw(endpoint)
    api_id = api.create_api(Name="a", ProtocolType="HTTP")["ApiId"]
    issuer = "https://issuer.example.com"
    made = api.create_authorizer(
        ApiId=api_id, Name="jwt", AuthorizerType="JWT",
        IdentitySource=["$request.header.Authorization"],
        JwtConfiguration={"Issuer": issuer, "Audience": ["app"]},
    )  # fmt: skip
    jwt_id = made["AuthorizerId"]
    assert made["JwtConfiguration"] == {"Issuer": issuer, "Audience": ["app"]}
    lambda_uri = INVOCATIONS.format(f"{ARN}:auth")
    made = api.create_authorizer(
        ApiId=api_id, Name="fn", AuthorizerType="REQUEST", AuthorizerUri=lambda_uri,
        IdentitySource=["$request.header.X-Key"], AuthorizerPayloadFormatVersion="2.0",
        EnableSimpleResponses=True, AuthorizerResultTtlInSeconds=60,
    )  # fmt: skip
    fn_id = made["AuthorizerId"]
    assert (made["AuthorizerUri"], made["EnableSimpleResponses"]) == (lambda_uri, True)
    assert made["AuthorizerResultTtlInSeconds"] == 60
    assert api.get_authorizer(ApiId=api_id, AuthorizerId=fn_id)["Name"] == "fn"
    assert [a["AuthorizerId"] for a in api.get_authorizers(ApiId=api_id)["Items"]] == [
        jwt_id, fn_id,
    ]  # fmt: skip
    updated = api.update_authorizer(ApiId=api_id, AuthorizerId=fn_id, Name="fn2",
                                    AuthorizerResultTtlInSeconds=0)  # fmt: skip
    assert (updated["Name"], updated["AuthorizerResultTtlInSeconds"]) == ("fn2", 0)
    assert updated["AuthorizerUri"] == lambda_uri

    wrong = [
        dict(AuthorizerType="JWT", IdentitySource=["$request.header.Authorization"],
             JwtConfiguration={"Audience": ["app"]}),
        dict(AuthorizerType="JWT", IdentitySource=["$request.header.Authorization"],
             JwtConfiguration={"Issuer": issuer}),
        dict(AuthorizerType="REQUEST", IdentitySource=[], AuthorizerUri="arn:aws:s3:::b",
             AuthorizerPayloadFormatVersion="2.0"),
        dict(AuthorizerType="REQUEST", IdentitySource=[], AuthorizerUri=lambda_uri),
        dict(AuthorizerType="REQUEST", IdentitySource=["$request.header.k"],
             AuthorizerUri=lambda_uri, AuthorizerPayloadFormatVersion="1.0",
             EnableSimpleResponses=True),
        dict(AuthorizerType="REQUEST", IdentitySource=[], AuthorizerUri=lambda_uri,
             AuthorizerPayloadFormatVersion="2.0", AuthorizerResultTtlInSeconds=30),
        dict(AuthorizerType="TOKEN", IdentitySource=["$request.header.k"]),
    ]  # fmt: skip
    for params in wrong:
        with pytest.raises(ClientError) as excinfo:
            api.create_authorizer(ApiId=api_id, Name="bad", **params)
        assert error_of(excinfo)[:2] == ("BadRequestException", 400), params
    with pytest.raises(ClientError) as excinfo:
        api.get_authorizer(ApiId=api_id, AuthorizerId="nope123")
    assert error_of(excinfo)[:2] == ("NotFoundException", 404)

    route = api.create_route(ApiId=api_id, RouteKey="GET /me", AuthorizationType="JWT",
                             AuthorizerId=jwt_id, AuthorizationScopes=["read"])  # fmt: skip
    got = api.get_route(ApiId=api_id, RouteId=route["RouteId"])
    assert (got["AuthorizationType"], got["AuthorizerId"]) == ("JWT", jwt_id)
    assert got["AuthorizationScopes"] == ["read"]
    for params in (
        dict(AuthorizationType="JWT", AuthorizerId=fn_id),  # not a JWT authorizer
        dict(AuthorizationType="CUSTOM", AuthorizerId=jwt_id),
        dict(AuthorizationType="CUSTOM"),
        dict(AuthorizationType="CUSTOM", AuthorizerId=fn_id, AuthorizationScopes=["x"]),
        dict(AuthorizationType="AWS_IAM", AuthorizerId=fn_id),
        dict(AuthorizationType="JWT", AuthorizerId="missing"),
    ):
        with pytest.raises(ClientError) as excinfo:
            api.create_route(ApiId=api_id, RouteKey="GET /bad", **params)
        assert error_of(excinfo)[:2] == ("BadRequestException", 400), params
    with pytest.raises(ClientError) as excinfo:  # a route still names it
        api.delete_authorizer(ApiId=api_id, AuthorizerId=jwt_id)
    assert error_of(excinfo)[:2] == ("BadRequestException", 400)
    got = api.update_route(ApiId=api_id, RouteId=route["RouteId"], AuthorizationType="NONE",
                           AuthorizationScopes=[])  # fmt: skip
    assert got["AuthorizationType"] == "NONE" and "AuthorizerId" not in got
    api.delete_authorizer(ApiId=api_id, AuthorizerId=jwt_id)
    assert [a["AuthorizerId"] for a in api.get_authorizers(ApiId=api_id)["Items"]] == [fn_id]


class _Issuer:
    """An OpenID issuer on a free local port: its discovery document and JWKS, and tokens."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwks = json.dumps({"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]})
        self.fetches = 0
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                issuer.fetches += 1
                if self.path == "/.well-known/openid-configuration":
                    body = json.dumps({"issuer": issuer.url, "jwks_uri": issuer.url + "/jwks"})
                elif self.path == "/jwks":
                    body = jwks
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args: object) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()

    def token(self, key=None, kid: str = "k1", **claims) -> str:
        now = int(time.time())
        body = {"iss": self.url, "aud": "app", "sub": "alice", "iat": now, "exp": now + 600,
                **claims}  # fmt: skip
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": kid})

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()
        self.thread.join()


@pytest.fixture
def issuer() -> Iterator[_Issuer]:
    served = _Issuer()
    yield served
    served.close()


def test_jwt_authorizer_checks_the_token_and_hands_its_claims_on(endpoint, lambda_client, issuer):
    api, api_id, target = _api_with_routes(endpoint, lambda_client)
    authorizer_id = api.create_authorizer(
        ApiId=api_id, Name="jwt", AuthorizerType="JWT",
        IdentitySource=["$request.header.Authorization"],
        JwtConfiguration={"Issuer": issuer.url, "Audience": ["app", "other"]},
    )["AuthorizerId"]  # fmt: skip
    for key, scopes in (("GET /me", []), ("GET /read", ["read", "admin"])):
        api.create_route(ApiId=api_id, RouteKey=key, Target=target, AuthorizationType="JWT",
                         AuthorizerId=authorizer_id, AuthorizationScopes=scopes)  # fmt: skip
    api.create_route(ApiId=api_id, RouteKey="GET /open", Target=target)
    v1 = integration(api, api_id, IntegrationUri=f"{ARN}:echo", PayloadFormatVersion="1.0")
    api.create_route(ApiId=api_id, RouteKey="GET /v1", Target=f"integrations/{v1}",
                     AuthorizationType="JWT", AuthorizerId=authorizer_id)  # fmt: skip

    def get(path: str, token: str | None):
        headers = {"Authorization": token} if token is not None else {}
        return by_host(endpoint, api_id, path, headers=headers)

    assert get("/open", None).status_code == 200
    answer = get("/me", None)
    assert (answer.status_code, answer.json()) == (401, {"message": "Unauthorized"})
    assert answer.headers["www-authenticate"] == "Bearer"

    answer = get("/me", "Bearer " + issuer.token(groups=["a", "b"]))
    assert answer.status_code == 200, answer.text
    authorizer = answer.json()["requestContext"]["authorizer"]["jwt"]
    assert authorizer["claims"]["sub"] == "alice" and authorizer["claims"]["aud"] == "app"
    assert authorizer["claims"]["groups"] == "[a b]"
    assert authorizer["claims"]["exp"].isdigit()
    assert authorizer["scopes"] is None
    # without the prefix, with client_id in place of aud, with the scope as scp
    answer = get("/read", issuer.token(aud=None, client_id="other", scp=["admin"]))
    assert answer.status_code == 200, answer.text
    assert answer.json()["requestContext"]["authorizer"]["jwt"]["scopes"] == ["admin"]
    answer = get("/v1", issuer.token())
    assert answer.json()["requestContext"]["authorizer"]["claims"]["sub"] == "alice"
    fetched = issuer.fetches
    assert get("/read", issuer.token(scope="write read")).status_code == 200
    assert issuer.fetches == fetched  # the keys were kept

    answer = get("/read", issuer.token(scope="write"))
    assert (answer.status_code, answer.json()) == (403, {"message": "Forbidden"})
    assert 'error="insufficient_scope"' in answer.headers["www-authenticate"]
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for token, why in (
        ("garbage", "malformed"),
        (issuer.token(exp=int(time.time()) - 60), "expired"),
        (issuer.token(nbf=int(time.time()) + 600), "not valid yet"),
        (issuer.token(aud="elsewhere"), "audience"),
        (issuer.token(iss="https://someone.else"), "issuer"),
        (issuer.token(key=other_key), "not valid"),  # the issuer's kid, not its key
        (issuer.token(key=other_key, kid="k2"), "signing key"),
        (issuer.token(exp=None), "not valid"),
        (jwt.encode({"iss": issuer.url, "aud": "app"}, "s" * 32, algorithm="HS256"), "HS256"),
    ):
        answer = get("/me", token)
        assert (answer.status_code, answer.json()) == (401, {"message": "Unauthorized"}), why
        challenge = answer.headers["www-authenticate"]
        assert challenge.startswith('Bearer error="invalid_token"') and why in challenge, why


def test_lambda_authorizer_simple_responses_cached_by_identity(endpoint, lambda_client):
    api, api_id, target = _api_with_routes(endpoint, lambda_client)
    code = {"ZipFile": make_zip({"handler.py": AUTHORIZER})}
    create_api_function(lambda_client, "auth", Code=code)
    made = {}
    for ttl in (0, 300):
        made[ttl] = api.create_authorizer(
            ApiId=api_id, Name=f"fn{ttl}", AuthorizerType="REQUEST",
            AuthorizerUri=INVOCATIONS.format(f"{ARN}:auth"),
            IdentitySource=["$request.header.Authorization", "$request.querystring.q"],
            AuthorizerPayloadFormatVersion="2.0", EnableSimpleResponses=True,
            AuthorizerResultTtlInSeconds=ttl,
        )["AuthorizerId"]  # fmt: skip
    for ttl, prefix in ((0, "/fresh"), (300, "/kept")):
        api.create_route(ApiId=api_id, RouteKey=f"GET {prefix}/simple", Target=target,
                         AuthorizationType="CUSTOM", AuthorizerId=made[ttl])  # fmt: skip

    def get(path: str, token: str | None, query: str = "?q=1"):
        headers = {"X-Who": "me", **({"Authorization": token} if token else {})}
        return by_host(endpoint, api_id, path + query, headers=headers)

    answer = get("/fresh/simple", "allow")
    assert answer.status_code == 200, answer.text
    said = answer.json()["requestContext"]["authorizer"]["lambda"]
    assert (said["type"], said["version"], said["hasBody"]) == ("REQUEST", "2.0", False)
    assert said["routeArn"] == (
        f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/$default/GET/fresh/simple"
    )
    assert (said["routeKey"], said["path"], said["header"]) == (
        "GET /fresh/simple", "/fresh/simple", "me",
    )  # fmt: skip
    assert (
        get("/fresh/simple", "allow").json()["requestContext"]["authorizer"]["lambda"]["seen"]
        != said["seen"]
    )  # fmt: skip  (TTL 0: asked every time)
    first = get("/kept/simple", "allow-1").json()["requestContext"]["authorizer"]["lambda"]
    again = get("/kept/simple", "allow-1").json()["requestContext"]["authorizer"]["lambda"]
    assert again["seen"] == first["seen"]  # the kept answer
    other = get("/kept/simple", "allow-1", "?q=2").json()["requestContext"]["authorizer"]
    assert other["lambda"]["seen"] != first["seen"]  # another identity is asked anew
    api.update_authorizer(ApiId=api_id, AuthorizerId=made[300], AuthorizerResultTtlInSeconds=200)
    changed = get("/kept/simple", "allow-1").json()["requestContext"]["authorizer"]["lambda"]
    assert changed["seen"] != first["seen"]  # an updated authorizer is asked anew
    kept = get("/kept/simple", "allow-1").json()["requestContext"]["authorizer"]["lambda"]
    assert kept["seen"] == changed["seen"]
    api.reset_authorizers_cache(ApiId=api_id, StageName="$default")
    reset = get("/kept/simple", "allow-1").json()["requestContext"]["authorizer"]["lambda"]
    assert reset["seen"] != changed["seen"]  # the stage's kept answers are gone
    again = get("/kept/simple", "allow-1").json()["requestContext"]["authorizer"]["lambda"]
    assert again["seen"] == reset["seen"]  # and the new one is kept
    with pytest.raises(ClientError) as caught:
        api.reset_authorizers_cache(ApiId=api_id, StageName="nostage")
    assert error_of(caught) == (
        "NotFoundException", 404,
        f"Invalid stage identifier specified 000000000000:{api_id}:nostage",
    )  # fmt: skip

    for token, query, status, message in (
        (None, "?q=1", 401, "Unauthorized"),  # an identity source missing
        ("allow", "", 401, "Unauthorized"),
        ("deny", "?q=1", 403, "Forbidden"),
        ("fail", "?q=1", 500, "Internal Server Error"),
        ("garbled", "?q=1", 500, "Internal Server Error"),
    ):
        answer = get("/fresh/simple", token, query)
        assert (answer.status_code, answer.json()) == (status, {"message": message}), token


def test_lambda_authorizer_iam_policies_on_the_route_arn_with_payload_1_0(endpoint, lambda_client):
    api, api_id, target = _api_with_routes(endpoint, lambda_client)
    create_api_function(
        lambda_client, "auth", Code={"ZipFile": make_zip({"handler.py": AUTHORIZER})}
    )
    authorizer_id = api.create_authorizer(
        ApiId=api_id, Name="policy", AuthorizerType="REQUEST",
        AuthorizerUri=INVOCATIONS.format(f"{ARN}:auth"),
        IdentitySource=["$request.header.X-Token"], AuthorizerPayloadFormatVersion="1.0",
        AuthorizerResultTtlInSeconds=300,
    )["AuthorizerId"]  # fmt: skip
    for key in ("GET /items/{id}", "POST /items/{id}"):
        api.create_route(ApiId=api_id, RouteKey=key, Target=target,
                         AuthorizationType="CUSTOM", AuthorizerId=authorizer_id)  # fmt: skip

    answer = by_host(endpoint, api_id, "/items/7", headers={"X-Token": "t1"})
    assert answer.status_code == 200, answer.text
    authorizer = answer.json()["requestContext"]["authorizer"]
    assert authorizer["principalId"] == "user-t1"
    said = authorizer["lambda"]
    assert (said["type"], said["version"], said["token"]) == ("REQUEST", "1.0", "t1")
    assert said["arn"].endswith(f":{api_id}/$default/GET/items/7")
    # the kept policy is checked against each request's ARN: Deny wins, nothing matching denies
    for method, path, status in (("GET", "/items/secret", 403), ("POST", "/items/7", 403),
                                 ("GET", "/items/8", 200)):  # fmt: skip
        answer = by_host(endpoint, api_id, path, method=method, headers={"X-Token": "t1"})
        assert answer.status_code == status, (method, path, answer.text)
    assert answer.json()["requestContext"]["authorizer"]["lambda"]["seen"] == said["seen"]
