"""Patterns AWS refuses, and the reason it gives (EventBridge's wording, as real AWS answered:
"Event pattern is not valid. Reason: <reason>"). Rows marked "AWS" are recorded AWS answers."""

from __future__ import annotations

from typing import Any

import pytest

from lamina.patterns import Dialect, PatternError, compile_pattern

# (pattern, reason)
INVALID: list[tuple[Any, str]] = [
    # structure
    ('["not", "a", "dict"]', "Filter is not an object"),  # AWS
    ({"int": 42}, '"int" must be an object or an array'),  # AWS
    ({"string": "my-value"}, '"string" must be an object or an array'),  # AWS
    ({"a": None}, '"a" must be an object or an array'),
    ({"resources": []}, "Empty arrays are not allowed"),  # AWS
    ({}, "Empty objects are not allowed"),
    ({"detail": {}}, "Empty objects are not allowed"),
    ({"a": [["nested"]]}, "Match value must be String, number, true, false, or null"),
    # operator objects
    ({"my_key": [{"EXISTS": True}]}, "Unrecognized match type EXISTS"),  # AWS
    ({"d": {"equal": [{"NUMERIC": ["=", 5]}]}}, "Unrecognized match type NUMERIC"),  # AWS
    ({"a": [{"regex": "x"}]}, "Unrecognized match type regex"),
    ({"a": [{}]}, "Match expression name not found"),
    ({"a": [{"prefix": "a", "suffix": "b"}]}, "Only one key allowed in match expression"),
    ({"time": [{"prefix": ["2022-07-13"]}]}, "prefix match pattern must be a string"),  # AWS
    ({"time": [{"prefix": 123}]}, "prefix match pattern must be a string"),  # AWS
    ({"f": [{"suffix": 123}]}, "suffix match pattern must be a string"),  # AWS
    ({"f": [{"suffix": [".png"]}]}, "suffix match pattern must be a string"),  # AWS
    ({"f": [{"prefix": {"regex": "x"}}]}, "Unsupported prefix pattern: regex"),
    (
        {"f": [{"suffix": {"equals-ignore-case": 1}}]},
        "equals-ignore-case match pattern must be a string",
    ),
    ({"f": [{"prefix": {}}]}, "Prefix expression name not found"),
    (
        {"dt": [{"equals-ignore-case": ["ec2"]}]},
        "equals-ignore-case match pattern must be a string",
    ),  # AWS
    (
        {"dt": [{"equals-ignore-case": {"prefix": "ec2"}}]},
        "equals-ignore-case match pattern must be a string",
    ),  # AWS
    ({"a": [{"exists": "true"}]}, "exists match pattern must be either true or false."),
    ({"a": [{"exists": True, "prefix": "x"}]}, "Only one key allowed in match expression"),
    # wildcard
    ({"b": [{"wildcard": 123}]}, "wildcard match pattern must be a string"),  # AWS
    ({"b": [{"wildcard": ["a*"]}]}, "wildcard match pattern must be a string"),  # AWS
    (
        {"b": [{"wildcard": "arn:aws:events:us-east-1:**:event-bus/*"}]},
        "Consecutive wildcard characters at pos 26",
    ),  # AWS
    (
        {"b": [{"wildcard": "*:*:*:*:*:event-bus/*"}]},
        "Rule is too complex - try using fewer wildcard characters or fewer repeating character "
        "sequences after a wildcard character",
    ),  # AWS
    ({"b": [{"wildcard": "a\\b"}]}, "Invalid escape character at pos 2"),
    # numeric
    ({"c": [{"numeric": [">", 0, ">", 0]}]}, "Bad numeric range operator: >"),  # AWS
    ({"c": [{"numeric": [">", 0, "<"]}]}, "Value of < must be numeric"),  # AWS
    ({"c": [{"numeric": ">"}]}, "Value of numeric must be an array."),
    ({"c": [{"numeric": []}]}, "Invalid member in numeric match: ]"),
    ({"c": [{"numeric": [5]}]}, "Invalid member in numeric match: 5"),
    ({"c": [{"numeric": ["!=", 5]}]}, "Unrecognized numeric range operator: !="),
    ({"c": [{"numeric": ["=", "5"]}]}, "Value of equals must be numeric"),
    ({"c": [{"numeric": ["=", 5, "<", 6]}]}, "Too many elements in numeric expression"),
    ({"c": [{"numeric": ["<", 5, ">", 1]}]}, "Too many elements in numeric expression"),
    ({"c": [{"numeric": [">", 1, 5]}]}, "Bad value in numeric range: 5"),
    ({"c": [{"numeric": [">", 1, "<", 5, "<", 6]}]}, "Too many terms in numeric range expression"),
    ({"c": [{"numeric": [">", 5, "<", 1]}]}, "Bottom must be less than top"),
    ({"c": [{"numeric": [">", True]}]}, "Value of > must be numeric"),
    ({"c": [{"numeric": [">", 6e9]}]}, "Value must be between -5.0E9 and +5.0E9, inclusive"),
    ({"c": [{"numeric": [">", 0], "x": 1}]}, "Too many elements in numeric expression"),
    # anything-but
    (
        {"s": [{"anything-but": {"equals-ignore-case": 123}}]},
        "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
    ),
    (
        {"s": [{"anything-but": {"equals-ignore-case": [123, 456]}}]},
        "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
    ),
    (
        {"s": [{"anything-but": {"wildcard": [123, "*/dir/*"]}}]},
        "wildcard match pattern must be a string",
    ),  # AWS
    ({"s": [{"anything-but": {"wildcard": 123}}]}, "wildcard match pattern must be a string"),
    (
        {"s": [{"anything-but": {"suffix": [123, ".txt"]}}]},
        "prefix/suffix match pattern must be a string",
    ),  # AWS
    (
        {"s": [{"anything-but": {"suffix": 123}}]},
        "prefix/suffix match pattern must be a string",
    ),  # AWS
    (
        {"s": [{"anything-but": {"prefix": [123, "test"]}}]},
        "prefix/suffix match pattern must be a string",
    ),  # AWS
    (
        {"s": [{"anything-but": {"prefix": 123}}]},
        "prefix/suffix match pattern must be a string",
    ),  # AWS
    (
        {"s": [{"anything-but": {"prefix": {"equals-ignore-case": "file"}}}]},
        "Value of anything-but must be an array or single string/number value.",
    ),  # AWS
    (
        {"s": [{"anything-but": {"suffix": {"equals-ignore-case": ".png"}}}]},
        "Value of anything-but must be an array or single string/number value.",
    ),  # AWS
    ({"s": [{"anything-but": {"prefix": ""}}]}, "Null prefix/suffix not allowed"),
    ({"s": [{"anything-but": {"suffix": ["x", ""]}}]}, "Null prefix/suffix not allowed"),
    ({"s": [{"anything-but": {"numeric": [">", 1]}}]}, "Unsupported anything-but pattern: numeric"),
    ({"s": [{"anything-but": {}}]}, "Anything-But expression name not found"),
    (
        {"s": [{"anything-but": None}]},
        "Value of anything-but must be an array or single string/number value.",
    ),
    (
        {"s": [{"anything-but": True}]},
        "Value of anything-but must be an array or single string/number value.",
    ),
    (
        {"s": [{"anything-but": ["a", None]}]},
        "Inside anything but list, start|null|boolean is not supported.",
    ),
    (
        {"s": [{"anything-but": ["a", 1]}]},
        "Inside anything but list, either all values are number or string, mixed type is not "
        "supported",
    ),
    (
        {"s": [{"anything-but": []}]},
        "Inside anything but list, either all values are number or string, mixed type is not "
        "supported",
    ),
    ({"s": [{"anything-but": "a", "prefix": "b"}]}, "Too many elements in numeric expression"),
    # cidr
    ({"ip": [{"cidr": "10.0.0.0"}]}, "Malformed CIDR, one '/' required"),  # AWS
    ({"ip": [{"cidr": "10.0.0.0/x"}]}, "Malformed CIDR, mask bits must be an integer"),  # AWS
    ({"ip": [{"cidr": "xx.11.xx/24"}]}, "Nonstandard IP address: xx.11.xx"),  # AWS
    (
        {"ip": [{"cidr": "xxxx:db8:1234:1a00::/64"}]},
        "Nonstandard IP address: xxxx:db8:1234:1a00::",
    ),  # AWS
    ({"ip": [{"cidr": ["bad-type"]}]}, "prefix match pattern must be a string"),  # AWS
    ({"ip": [{"cidr": "10.0.0.0/33"}]}, "Malformed CIDR, mask bits must be between 0 and 32"),
    # $or
    ({"$or": {"a": [1]}}, "It must be an Array followed with $or."),
    ({"$or": [{"a": [1]}]}, "There must have at least 2 Objects in $or relationship."),
    ({"$or": [{"a": [1]}, "b"]}, "Only JSON object is allowed in array of $or relationship."),
    (
        {"$or": [{"a": [1]}, {"prefix": ["b"]}]},
        "prefix is Ruler reserved fieldName which cannot be used inside $or.",
    ),
    ({"$or": [{"a": [1]}, {}]}, "Empty objects are not allowed"),
]


@pytest.mark.parametrize(("pattern", "reason"), INVALID, ids=[r for _, r in INVALID])
def test_eventbridge_refuses(pattern: Any, reason: str):
    with pytest.raises(PatternError) as caught:
        compile_pattern(pattern, Dialect.EVENTBRIDGE)
    assert caught.value.reason == reason
    assert caught.value.eventbridge_message() == f"Event pattern is not valid. Reason: {reason}"


@pytest.mark.parametrize(
    "text", ["this is not json", "{'bad': 'quotation'}", '{"not": closed mark"', '{"a": [NaN]}']
)
def test_text_that_is_not_json_is_refused(text: str):
    with pytest.raises(PatternError):
        compile_pattern(text, Dialect.EVENTBRIDGE)


VALID = [
    {"a": [{"prefix": ""}]},
    {"a": [{"equals-ignore-case": ""}]},
    {"a": [{"anything-but": {"prefix": []}}]},
    {"a": [{"numeric": ["=", 0]}, {"numeric": ["<", -5e9]}]},
    {"a": [{"wildcard": "a*b*c*d*e*"}]},
    {"a": [{"cidr": "::/0"}]},
    {"a": [1], "b": {"c": [True, False, None, "", 2.5]}},
    {"$or": [{"a": [1]}, {"b": [2]}, {"c": {"$or": [{"d": [1]}, {"e": [1]}]}}]},
]


@pytest.mark.parametrize("pattern", VALID)
def test_eventbridge_accepts(pattern: dict[str, Any]):
    compile_pattern(pattern, Dialect.EVENTBRIDGE)


def test_a_later_path_overrides_an_earlier_one():
    # AWS keeps the last pattern given for a path ("a.b" and {"a": {"b"}} are one path).
    pattern = compile_pattern({"a.b": [1], "a": {"b": [2]}}, Dialect.EVENTBRIDGE)
    assert pattern.matches({"a": {"b": 2}})
    assert not pattern.matches({"a": {"b": 1}})
