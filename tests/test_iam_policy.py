"""Policy statements as IAM evaluates them: Deny wins, `*` and `?` are the only wildcards."""

from __future__ import annotations

from lamina.execute_api_invoke import denial
from lamina.iam_identity_policies import Policies
from lamina.iam_policy import Caller, evaluate, matches
from lamina.identity import Identity

ARN = "arn:aws:execute-api:us-east-1:000000000000:abc123defg/prod/GET/items/1"


def statement(effect: str, resource: str | list[str], action: str = "execute-api:Invoke"):
    return {"Effect": effect, "Action": action, "Resource": resource}


def test_an_explicit_deny_wins_and_nothing_matching_allows_nothing():
    assert evaluate([statement("Allow", "*")], "execute-api:Invoke", ARN) is True
    assert (
        evaluate([statement("Allow", "*"), statement("Deny", ARN)], "execute-api:Invoke", ARN)
        is False
    )
    assert (
        evaluate([statement("Allow", "arn:aws:execute-api:*:*:other/*")], "execute-api:Invoke", ARN)
        is None
    )
    assert (
        evaluate(
            [statement("Allow", ARN, "execute-api:ManageConnections")], "execute-api:Invoke", ARN
        )
        is None
    )
    assert evaluate(
        [statement("Allow", [ARN.replace("GET", "POST"), ARN])], "execute-api:Invoke", ARN
    )


def test_only_star_and_question_mark_are_wildcards():
    assert matches("arn:aws:execute-api:*:*:abc123defg/*/GET/*", ARN)
    assert matches("execute-api:Inv?ke", "execute-api:Invoke")
    assert not matches("execute-api:Inv[o]ke", "execute-api:Invoke")  # brackets are literal
    assert not matches("execute-api:invoke", "execute-api:Invoke")  # case counts


def test_actions_match_regardless_of_case_resources_do_not():
    assert evaluate([statement("Allow", ARN, "Execute-API:invoke")], "execute-api:Invoke", ARN)
    assert evaluate([statement("Allow", ARN.upper())], "execute-api:Invoke", ARN) is None


def test_not_action_and_not_resource_match_everything_they_do_not_name():
    deny_but_get = {"Effect": "Deny", "Action": "execute-api:Invoke", "NotResource": "*/GET/*"}
    allow = statement("Allow", "*")
    assert evaluate([allow, deny_but_get], "execute-api:Invoke", ARN) is True
    assert evaluate([allow, deny_but_get], "execute-api:Invoke", ARN.replace("GET", "PUT")) is False
    not_invoke = {"Effect": "Allow", "NotAction": "execute-api:Invoke", "Resource": "*"}
    assert evaluate([not_invoke], "execute-api:Invoke", ARN) is None
    assert evaluate([not_invoke], "execute-api:ManageConnections", ARN) is True


def _conditioned(condition: dict, effect: str = "Allow") -> list[dict]:
    return [{**statement(effect, "*"), "Condition": condition}]


def test_conditions_hold_against_the_request_keys():
    context = {"aws:sourceip": "10.1.2.3", "aws:username": "alice", "aws:securetransport": "false"}
    ip = _conditioned({"IpAddress": {"aws:SourceIp": ["192.168.0.0/16", "10.0.0.0/8"]}})
    assert evaluate(ip, "execute-api:Invoke", ARN, context) is True
    assert evaluate(ip, "execute-api:Invoke", ARN, {"aws:sourceip": "8.8.8.8"}) is None
    both = _conditioned(
        {"StringLike": {"aws:username": "a*"}, "Bool": {"aws:SecureTransport": False}}
    )
    assert evaluate(both, "execute-api:Invoke", ARN, context) is True
    assert evaluate(both, "execute-api:Invoke", ARN, {**context, "aws:username": "bob"}) is None
    source = _conditioned({"ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:*:*:abc123defg/*"}})
    assert evaluate(source, "execute-api:Invoke", ARN, {"aws:sourcearn": ARN}) is True
    assert evaluate(source, "execute-api:Invoke", ARN, {}) is None  # the key is missing


def test_a_missing_key_fails_a_condition_but_not_a_negated_or_if_exists_one():
    assert evaluate(_conditioned({"StringNotEquals": {"aws:username": "x"}}),
                    "execute-api:Invoke", ARN, {}) is True  # fmt: skip
    assert evaluate(_conditioned({"StringEqualsIfExists": {"aws:username": "x"}}),
                    "execute-api:Invoke", ARN, {}) is True  # fmt: skip
    assert evaluate(_conditioned({"Null": {"aws:username": "true"}}),
                    "execute-api:Invoke", ARN, {}) is True  # fmt: skip
    assert evaluate(_conditioned({"Null": {"aws:username": "false"}}),
                    "execute-api:Invoke", ARN, {}) is None  # fmt: skip


def test_a_condition_lamina_cannot_evaluate_fails_closed():
    unknown = {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}
    assert evaluate(_conditioned(unknown), "execute-api:Invoke", ARN, {}) is None
    denied = [statement("Allow", "*"), *_conditioned(unknown, "Deny")]
    assert evaluate(denied, "execute-api:Invoke", ARN, {}) is False


def test_resource_policies_name_their_principals():
    service = Caller(service="apigateway.amazonaws.com")
    user = Caller("111111111111", ("arn:aws:iam::111111111111:user/u",))
    by_service = [{**statement("Allow", "*", "lambda:InvokeFunction"),
                   "Principal": {"Service": "apigateway.amazonaws.com"}}]  # fmt: skip
    assert evaluate(by_service, "lambda:InvokeFunction", ARN, caller=service) is True
    assert evaluate(by_service, "lambda:InvokeFunction", ARN, caller=user) is None
    by_account = [{**statement("Allow", "*"), "Principal": {"AWS": "111111111111"}}]
    assert evaluate(by_account, "execute-api:Invoke", ARN, caller=user) is True
    assert evaluate(by_account, "execute-api:Invoke", ARN, caller=service) is None
    anyone = [{**statement("Allow", "*"), "Principal": "*"}]
    assert evaluate(anyone, "execute-api:Invoke", ARN, caller=service) is True
    no_principal = [statement("Allow", "*")]
    assert evaluate(no_principal, "execute-api:Invoke", ARN, caller=user) is None


def test_a_permissions_boundary_caps_the_policies():
    get_only = (statement("Allow", "*/GET/*"),)
    policies = Policies((statement("Allow", "*"),), boundary=get_only)
    assert policies.decide("execute-api:Invoke", ARN) is True
    assert policies.decide("execute-api:Invoke", ARN.replace("GET", "PUT")) is None
    assert Policies((), boundary=get_only).decide("execute-api:Invoke", ARN) is None
    denied = Policies((statement("Allow", "*"),), boundary=(statement("Deny", "*"),))
    assert denied.decide("execute-api:Invoke", ARN) is False


def test_the_denial_masks_the_account_in_the_resource():
    identity = Identity("123456789012", "arn:aws:iam::123456789012:user/u", "AIDA", "iam-user")
    resource = "arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/items"
    assert denial(identity, resource, explicit=False) == (
        "User: arn:aws:iam::123456789012:user/u is not authorized to perform: "
        "execute-api:Invoke on resource: "
        "arn:aws:execute-api:us-east-1:********9012:abc/prod/GET/items"
    )
    assert denial(identity, resource, explicit=True).endswith(" with an explicit deny")
