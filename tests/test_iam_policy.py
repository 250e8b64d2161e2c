"""Policy statements as IAM evaluates them: Deny wins, `*` and `?` are the only wildcards."""

from __future__ import annotations

from lamina.iam_policy import evaluate, matches

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
