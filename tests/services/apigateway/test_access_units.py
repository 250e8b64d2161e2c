"""Units of access control: a Lambda authorizer's policy evaluated for a method ARN (wildcards
`*` and `?`, an explicit Deny winning, nothing matching denying), quota periods, the token
bucket."""

from __future__ import annotations

import datetime

from lamina.services.apigateway.lambda_authorizers import Answer
from lamina.services.apigateway.usage import UsageMeter
from lamina.token_bucket import TokenBucket

ARN = "arn:aws:execute-api:us-east-1:000000000000:abc/prod/GET/items/1"


def _answer(*statements: dict) -> Answer:
    return Answer("p", list(statements), {}, None)


def test_policy_evaluation():
    allow = {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": ARN}
    assert _answer(allow).decide(ARN) is True
    wild = {"Action": ["execute-api:*"], "Effect": "Allow",
            "Resource": ["arn:aws:execute-api:*:*:abc/prod/GET/item?/*"]}  # fmt: skip
    assert _answer(wild).decide(ARN) is True
    assert _answer(wild).decide(ARN.replace("/items/", "/itemsx/")) is None  # ? is one char
    deny = {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": "*"}
    assert _answer(allow, deny).decide(ARN) is False
    assert _answer(deny, allow).decide(ARN) is False
    other = {"Action": "s3:GetObject", "Effect": "Allow", "Resource": "*"}
    assert _answer(other).decide(ARN) is None
    brackets = {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "[a]*"}
    assert _answer(brackets).decide(ARN) is None  # only * and ? are wildcards


def test_quota_periods():
    thursday = datetime.date(2026, 12, 3)
    assert UsageMeter.period_start(thursday, {"period": "DAY"}) == thursday
    week = {"period": "WEEK", "offset": 0}  # from Sunday
    assert UsageMeter.period_start(thursday, week) == datetime.date(2026, 11, 29)
    assert UsageMeter.period_start(thursday, {**week, "offset": 4}) == thursday
    month = {"period": "MONTH", "offset": 9}  # from the 10th
    assert UsageMeter.period_start(thursday, month) == datetime.date(2026, 11, 10)
    assert UsageMeter.period_start(datetime.date(2026, 12, 10), month) == datetime.date(
        2026, 12, 10
    )
    assert UsageMeter.period_start(thursday, {"period": "MONTH"}) == datetime.date(2026, 12, 1)


def test_token_bucket():
    bucket = TokenBucket(rate=2.0, burst=3, now=0.0)
    assert [bucket.take(0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.take(0.5) is True  # one token back after half a second at 2 a second
    assert bucket.take(0.5) is False
