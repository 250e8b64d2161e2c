"""What each service's dialect accepts and limits: Lambda event filtering's documented subset,
SNS filter policies' operators and limits, and SNS message attributes as matched values."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lamina.patterns import Dialect, PatternError, compile_pattern
from lamina.patterns.sns import attributes_as_event

SNS_DIALECTS = [Dialect.SNS_MESSAGE_ATTRIBUTES, Dialect.SNS_MESSAGE_BODY]

# Lambda's filter rule syntax table: every row of it compiles.
LAMBDA_DOCUMENTED = [
    {"UserID": [None]},
    {"LastName": [""]},
    {"Name": ["Alice"]},
    {"Name": [{"equals-ignore-case": "alice"}]},
    {"Location": ["New York"], "Day": ["Monday"]},
    {"PaymentType": ["Credit", "Debit"]},
    {"$or": [{"PaymentType": ["Credit"]}, {"PaymentType": ["Debit"]}]},
    {"Weather": [{"anything-but": ["Raining"]}]},
    {"Price": [{"numeric": ["=", 100]}]},
    {"Price": [{"numeric": [">", 10, "<=", 20]}]},
    {"ProductName": [{"exists": True}]},
    {"ProductName": [{"exists": False}]},
    {"Region": [{"prefix": "us-"}]},
    {"FileName": [{"suffix": ".png"}]},
    {"body": {"Temperature": [{"numeric": [">", 0]}]}},
]


@pytest.mark.parametrize("pattern", LAMBDA_DOCUMENTED)
def test_lambda_accepts_its_documented_operators(pattern: dict[str, Any]):
    compile_pattern(json.dumps(pattern), Dialect.LAMBDA)


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ({"a": [{"wildcard": "a*"}]}, "Unrecognized match type wildcard"),
        ({"a": [{"cidr": "10.0.0.0/8"}]}, "Unrecognized match type cidr"),
        ({"a": [{"prefix": {"equals-ignore-case": "a"}}]}, "prefix match pattern must be a string"),
        ({"a": [{"anything-but": {"prefix": "a"}}]}, "Unsupported anything-but pattern: prefix"),
    ],
)
def test_lambda_refuses_what_it_does_not_support(pattern: dict[str, Any], reason: str):
    with pytest.raises(PatternError) as caught:
        compile_pattern(pattern, Dialect.LAMBDA)
    assert caught.value.reason == reason
    # The same pattern is fine for EventBridge.
    compile_pattern(pattern, Dialect.EVENTBRIDGE)


def test_lambda_filters_an_sqs_record_body():
    pattern = compile_pattern('{"body": {"Temperature": [{"numeric": [">", 0]}]}}', Dialect.LAMBDA)
    assert pattern.matches({"body": {"Temperature": 5}})
    assert not pattern.matches({"body": {"Temperature": -5}})


@pytest.mark.parametrize("dialect", SNS_DIALECTS)
@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ({"a": [{"wildcard": "a*"}]}, "Unrecognized match type wildcard"),
        (
            {"a": [{"anything-but": {"wildcard": "a*"}}]},
            "Unsupported anything-but pattern: wildcard",
        ),
        ({"a": [{"numeric": [">", 1.5e9]}]}, "Value must be between -1.0E9 and +1.0E9, inclusive"),
        ({k: ["v"] for k in "abcdef"}, "Filter policy can not have more than 5 keys"),
        # 6 * 5 * 6 = 180 combinations (AWS counts the product of each array's values)
        (
            {"a": list("123456"), "b": list("12345"), "c": list("123456")},
            "Filter policy is too complex",
        ),
    ],
)
def test_sns_refuses(dialect: Dialect, pattern: dict[str, Any], reason: str):
    with pytest.raises(PatternError) as caught:
        compile_pattern(pattern, dialect)
    assert caught.value.reason == reason


def test_sns_limits_count_each_or_branch():
    five = {k: ["v"] for k in "abcde"}
    compile_pattern(five, Dialect.SNS_MESSAGE_ATTRIBUTES)
    compile_pattern({"$or": [five, {"f": ["v"]}]}, Dialect.SNS_MESSAGE_BODY)
    # 5 * 5 * 5 = 125 per branch, two branches: 250 > 150
    big = {"a": list("12345"), "b": list("12345"), "c": list("12345")}
    compile_pattern(big, Dialect.SNS_MESSAGE_BODY)
    with pytest.raises(PatternError, match="too complex"):
        compile_pattern({"$or": [big, {**big, "d": ["x"]}]}, Dialect.SNS_MESSAGE_BODY)


def test_sns_attribute_scope_is_flat_and_body_scope_nests():
    nested = {"store": {"country": ["US"]}}
    with pytest.raises(PatternError) as caught:
        compile_pattern(nested, Dialect.SNS_MESSAGE_ATTRIBUTES)
    assert caught.value.reason == (
        "Filter policy scope MessageAttributes does not support nested filter policy"
    )
    assert compile_pattern(nested, Dialect.SNS_MESSAGE_BODY).matches({"store": {"country": "US"}})


def test_sns_policy_size_limit():
    huge = json.dumps({"a": ["x" * (256 * 1024)]})
    with pytest.raises(PatternError):
        compile_pattern(huge, Dialect.SNS_MESSAGE_BODY)


ATTRIBUTES = {
    "customer_interests": {"DataType": "String.Array", "StringValue": '["rugby", "football", 3]'},
    "store": {"DataType": "String", "StringValue": "example_corp"},
    "price_usd": {"DataType": "Number", "StringValue": "3.015e2"},
    "count": {"DataType": "Number", "StringValue": "7"},
    "blob": {"DataType": "Binary", "BinaryValue": b"\x00"},
    "event": {"DataType": "String.custom", "StringValue": "order_placed"},
}


def test_sns_attributes_become_values():
    assert attributes_as_event(ATTRIBUTES) == {
        "customer_interests": ["rugby", "football", 3],
        "store": "example_corp",
        "price_usd": 301.5,
        "count": 7,
        "event": "order_placed",
    }


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ({"store": ["example_corp"]}, True),
        ({"customer_interests": ["rugby"]}, True),  # SNS docs: any element of a String.Array
        ({"customer_interests": ["baseball"]}, False),
        ({"customer_interests": [{"numeric": ["=", 3]}]}, True),
        ({"price_usd": [{"numeric": ["=", 301.5]}]}, True),  # SNS docs: 3.015e2 == 301.5
        ({"price_usd": [{"numeric": [">=", 100, "<", 300]}]}, False),
        ({"count": [{"anything-but": [100, 500]}]}, True),  # SNS docs
        ({"store": [{"numeric": [">", 0]}]}, False),  # a String is not a number
        ({"blob": [{"exists": False}]}, True),  # Binary attributes are not compared
        ({"event": [{"prefix": "order"}]}, True),
        ({"missing": [{"exists": True}]}, False),
        ({"store": [{"anything-but": {"prefix": "example"}}]}, False),
        ({"$or": [{"store": ["x"]}, {"count": [7]}]}, True),
    ],
)
def test_sns_attribute_matching(policy: dict[str, Any], expected: bool):
    pattern = compile_pattern(policy, Dialect.SNS_MESSAGE_ATTRIBUTES)
    assert pattern.matches(attributes_as_event(ATTRIBUTES)) is expected


def test_sns_string_array_that_is_not_an_array_matches_nothing():
    event = attributes_as_event({"a": {"DataType": "String.Array", "StringValue": "rugby"}})
    assert not compile_pattern({"a": ["rugby"]}, Dialect.SNS_MESSAGE_ATTRIBUTES).matches(event)
