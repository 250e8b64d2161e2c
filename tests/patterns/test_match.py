"""Which events a pattern matches, table-driven. Rows marked "AWS" are answers real AWS gave
(EventBridge TestEventPattern, as recorded in public AWS-validated snapshots) or the examples in
AWS's documentation; the rest follow from the documented rules."""

from __future__ import annotations

from typing import Any

import pytest

from lamina.patterns import Dialect, compile_pattern

EC2_EVENT = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "111122223333",
    "time": "2017-12-22T18:43:48Z",
    "region": "us-west-1",
    "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated"},
}

# (name, pattern, event, matches)
CASES: list[tuple[str, dict[str, Any], dict[str, Any], bool]] = [
    # exact values, AND across fields, OR within an array (AWS docs' EC2 example)
    ("docs ec2", {"source": ["aws.ec2"], "detail": {"state": ["terminated"]}}, EC2_EVENT, True),
    ("or within array", {"source": ["aws.fargate", "aws.ec2"]}, EC2_EVENT, True),
    (
        "one field fails",
        {"source": ["aws.ec2"], "detail": {"state": ["running"]}},
        EC2_EVENT,
        False,
    ),
    ("missing field", {"detail": {"nope": ["x"]}}, EC2_EVENT, False),
    ("key case sensitive (AWS)", {"Source": ["aws.ec2"]}, EC2_EVENT, False),
    ("value case sensitive", {"source": ["AWS.EC2"]}, EC2_EVENT, False),
    ("pattern object vs event string", {"source": {"x": ["y"]}}, EC2_EVENT, False),
    (
        "array element (AWS)",
        {"resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"]},
        EC2_EVENT,
        True,
    ),
    ("array no element", {"resources": ["arn:other"]}, EC2_EVENT, False),
    ("nested arrays flattened", {"a": [3]}, {"a": [[1, 2], [3]]}, True),
    ("empty event array vs null (AWS)", {"resources": [None]}, {"resources": []}, False),
    ("empty string (AWS)", {"a": [""]}, {"a": ""}, True),
    ("empty string vs missing", {"a": [""]}, {}, False),
    ("null value (AWS)", {"a": [None]}, {"a": None}, True),
    ("null vs missing", {"a": [None]}, {}, False),
    ("null vs string null", {"a": [None]}, {"a": "null"}, False),
    ("boolean (AWS)", {"a": [True]}, {"a": True}, True),
    ("boolean false", {"a": [True]}, {"a": False}, False),
    ("boolean vs 1", {"a": [True]}, {"a": 1}, False),
    ("1 vs boolean", {"a": [1]}, {"a": True}, False),
    ("number exact", {"a": [300]}, {"a": 300}, True),
    ("number numeric equal (AWS docs 3.0e2)", {"a": [300]}, {"a": 3.0e2}, True),
    ("number float int (AWS)", {"a": [5.0]}, {"a": 5}, True),
    ("number vs string", {"a": [300]}, {"a": "300"}, False),
    ("string vs number", {"a": ["300"]}, {"a": 300}, False),
    ("large account number", {"account": [123456789012]}, {"account": 123456789012}, True),
    # dotted paths: AWS flattens keys with dots on both sides
    (
        "dot in pattern key (AWS)",
        {"detail": {"state.status": ["running"]}},
        {"detail": {"state": {"status": "running"}}},
        True,
    ),
    (
        "dot in event key",
        {"detail": {"state": {"status": ["running"]}}},
        {"detail": {"state.status": "running"}},
        True,
    ),
    (
        "dot path too deep (AWS)",
        {"detail": {"state.status": {"status": ["running"]}}},
        {"detail": {"state": {"status": "running"}}},
        False,
    ),
    # prefix / suffix / equals-ignore-case
    ("prefix (AWS)", {"time": [{"prefix": "2017-12-22"}]}, EC2_EVENT, True),
    ("prefix no", {"time": [{"prefix": "2018"}]}, EC2_EVENT, False),
    ("prefix empty matches any string", {"a": [{"prefix": ""}]}, {"a": "x"}, True),
    ("prefix not number", {"a": [{"prefix": "1"}]}, {"a": 12}, False),
    (
        "prefix ignore case (AWS)",
        {"source": [{"prefix": {"equals-ignore-case": "AWS."}}]},
        EC2_EVENT,
        True,
    ),
    ("suffix (AWS)", {"f": [{"suffix": ".png"}]}, {"f": "image.png"}, True),
    ("suffix no (AWS)", {"f": [{"suffix": ".png"}]}, {"f": "image.PNG"}, False),
    (
        "suffix ignore case (AWS)",
        {"f": [{"suffix": {"equals-ignore-case": ".png"}}]},
        {"f": "image.PNG"},
        True,
    ),
    (
        "equals-ignore-case (AWS)",
        {"detail-type": [{"equals-ignore-case": "ec2 instance state-change notification"}]},
        EC2_EVENT,
        True,
    ),
    ("equals-ignore-case no", {"detail-type": [{"equals-ignore-case": "ec2"}]}, EC2_EVENT, False),
    ("equals-ignore-case empty (AWS)", {"a": [{"equals-ignore-case": ""}]}, {"a": ""}, True),
    (
        "equals-ignore-case empty vs text (AWS)",
        {"a": [{"equals-ignore-case": ""}]},
        {"a": "x"},
        False,
    ),
    # anything-but
    (
        "anything-but string (AWS)",
        {"state": [{"anything-but": "initializing"}]},
        {"state": "running"},
        True,
    ),
    (
        "anything-but string equal (AWS)",
        {"state": [{"anything-but": "initializing"}]},
        {"state": "initializing"},
        False,
    ),
    (
        "anything-but matches null (AWS)",
        {"state": [{"anything-but": "initializing"}]},
        {"state": None},
        True,
    ),
    ("anything-but missing (AWS)", {"state": [{"anything-but": "initializing"}]}, {}, False),
    (
        "anything-but list (AWS)",
        {"state": [{"anything-but": ["stopped", "overloaded"]}]},
        {"state": "running"},
        True,
    ),
    (
        "anything-but list hit (AWS)",
        {"state": [{"anything-but": ["stopped", "overloaded"]}]},
        {"state": "stopped"},
        False,
    ),
    ("anything-but number (AWS)", {"x": [{"anything-but": 123}]}, {"x": 789}, True),
    ("anything-but number equal (AWS)", {"x": [{"anything-but": 123}]}, {"x": 123.0}, False),
    (
        "anything-but number list (AWS)",
        {"x": [{"anything-but": [100, 200, 300]}]},
        {"x": 301},
        True,
    ),
    ("anything-but zero", {"x": [{"anything-but": 0}]}, {"x": 0}, False),
    ("anything-but array any element", {"x": [{"anything-but": "a"}]}, {"x": ["a", "b"]}, True),
    ("anything-but array all excluded", {"x": [{"anything-but": "a"}]}, {"x": ["a", "a"]}, False),
    (
        "anything-but prefix (AWS)",
        {"s": [{"anything-but": {"prefix": "init"}}]},
        {"s": "running"},
        True,
    ),
    (
        "anything-but prefix hit (AWS)",
        {"s": [{"anything-but": {"prefix": "init"}}]},
        {"s": "initializing"},
        False,
    ),
    (
        "anything-but prefix number (AWS)",
        {"s": [{"anything-but": {"prefix": "init"}}]},
        {"s": 12},
        True,
    ),
    (
        "anything-but prefix null (AWS)",
        {"s": [{"anything-but": {"prefix": "init"}}]},
        {"s": None},
        True,
    ),
    ("anything-but prefix missing (AWS)", {"s": [{"anything-but": {"prefix": "init"}}]}, {}, False),
    (
        "anything-but prefix list (AWS)",
        {"s": [{"anything-but": {"prefix": ["init", "stop"]}}]},
        {"s": "stopped"},
        False,
    ),
    (
        "anything-but suffix (AWS)",
        {"f": [{"anything-but": {"suffix": ".txt"}}]},
        {"f": "a.png"},
        True,
    ),
    (
        "anything-but suffix hit (AWS)",
        {"f": [{"anything-but": {"suffix": ".txt"}}]},
        {"f": "a.txt"},
        False,
    ),
    (
        "anything-but ignore case (AWS)",
        {"s": [{"anything-but": {"equals-ignore-case": "X"}}]},
        {"s": "y"},
        True,
    ),
    (
        "anything-but ignore case hit (AWS)",
        {"s": [{"anything-but": {"equals-ignore-case": ["X", "Y"]}}]},
        {"s": "y"},
        False,
    ),
    (
        "anything-but wildcard (AWS)",
        {"p": [{"anything-but": {"wildcard": "*/dir/*"}}]},
        {"p": "/a/other/b"},
        True,
    ),
    (
        "anything-but wildcard hit (AWS)",
        {"p": [{"anything-but": {"wildcard": "*/dir/*"}}]},
        {"p": "/a/dir/b"},
        False,
    ),
    (
        "anything-but wildcard number (AWS)",
        {"p": [{"anything-but": {"wildcard": "*/dir/*"}}]},
        {"p": 123},
        True,
    ),
    # numeric
    ("numeric range (AWS docs)", {"c": [{"numeric": [">", 0, "<=", 5]}]}, {"c": 5}, True),
    ("numeric range open top", {"c": [{"numeric": [">", 0, "<", 5]}]}, {"c": 5}, False),
    ("numeric range open bottom", {"c": [{"numeric": [">", 0, "<=", 5]}]}, {"c": 0}, False),
    ("numeric >= closed", {"c": [{"numeric": [">=", 0]}]}, {"c": 0}, True),
    ("numeric <", {"c": [{"numeric": ["<", 10]}]}, {"c": -3.5}, True),
    ("numeric <=", {"c": [{"numeric": ["<=", 10]}]}, {"c": 10.5}, False),
    ("numeric = (AWS docs 3.018e2)", {"x": [{"numeric": ["=", 3.018e2]}]}, {"x": 301.8}, True),
    ("numeric on string (AWS)", {"x": [{"numeric": [">", 0]}]}, {"x": "5"}, False),
    ("numeric on null (AWS)", {"x": [{"numeric": [">", 0]}]}, {"x": None}, False),
    ("numeric on boolean", {"x": [{"numeric": [">", 0]}]}, {"x": True}, False),
    ("numeric float vs int (AWS)", {"x": [{"numeric": ["<", 1.5]}]}, {"x": 1}, True),
    (
        "numeric two in list, AND within one",
        {"x": [{"numeric": [">", 0, "<", 1]}, {"numeric": [">", 10]}]},
        {"x": 11},
        True,
    ),
    ("numeric beyond range not comparable", {"x": [{"numeric": [">", 0]}]}, {"x": 6e9}, False),
    # exists
    ("exists true (AWS)", {"detail": {"state": [{"exists": True}]}}, EC2_EVENT, True),
    ("exists true missing (AWS)", {"detail": {"nope": [{"exists": True}]}}, EC2_EVENT, False),
    ("exists false missing (AWS)", {"detail": {"nope": [{"exists": False}]}}, EC2_EVENT, True),
    ("exists false present (AWS)", {"detail": {"state": [{"exists": False}]}}, EC2_EVENT, False),
    ("exists true on null", {"a": [{"exists": True}]}, {"a": None}, True),
    (
        "exists true on empty array (AWS)",
        {"resources": [{"exists": True}]},
        {"resources": []},
        False,
    ),
    ("exists false on empty array", {"resources": [{"exists": False}]}, {"resources": []}, True),
    ("exists true on object: not a leaf", {"detail": [{"exists": True}]}, EC2_EVENT, False),
    ("exists false on object: not a leaf", {"detail": [{"exists": False}]}, EC2_EVENT, True),
    (
        "exists false deep missing (AWS)",
        {"detail": {"l1": {"l2": {"l3": [{"exists": False}]}}}},
        {"detail": {"l1": {"l2x": "v"}}},
        True,
    ),
    (
        "exists in array of objects (AWS)",
        {"detail": {"automations": {"id": [{"exists": True}]}}},
        {"detail": {"automations": [{"k": "v"}, {"id": "x"}, {"k2": "v"}]}},
        True,
    ),
    (
        "exists or anything-but, absent (AWS)",
        {
            "dynamodb": {
                "NewImage": {"homemade": {"S": [{"anything-but": ["roses"]}, {"exists": False}]}}
            }
        },
        {"dynamodb": {"NewImage": {"purchased": {"N": "789"}}}},
        True,
    ),
    (
        "exists or anything-but, excluded value",
        {"h": [{"anything-but": ["roses"]}, {"exists": False}]},
        {"h": "roses"},
        False,
    ),
    # cidr and IP exact values
    ("cidr v4 (AWS)", {"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "10.0.0.255"}, True),
    ("cidr v4 outside (AWS)", {"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "10.0.1.0"}, False),
    ("cidr host bits ignored", {"ip": [{"cidr": "10.0.0.7/24"}]}, {"ip": "10.0.0.1"}, True),
    (
        "cidr v6 (AWS)",
        {"ip": [{"cidr": "2001:db8:1234:1a00::/64"}]},
        {"ip": "2001:db8:1234:1a00::1"},
        True,
    ),
    (
        "cidr v6 outside (AWS)",
        {"ip": [{"cidr": "2001:db8:1234:1a00::/64"}]},
        {"ip": "2001:db8:1234:1a01::1"},
        False,
    ),
    ("cidr v4 vs v6", {"ip": [{"cidr": "0.0.0.0/0"}]}, {"ip": "::1"}, False),
    ("cidr not an ip (AWS)", {"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "not-an-ip"}, False),
    ("cidr number (AWS)", {"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": 10}, False),
    ("exact ip other spelling", {"ip": ["2001:db8::1"]}, {"ip": "2001:0db8:0:0:0:0:0:1"}, True),
    # wildcard
    ("wildcard (AWS)", {"f": [{"wildcard": "dir/*.png"}]}, {"f": "dir/a/b.png"}, True),
    ("wildcard no (AWS)", {"f": [{"wildcard": "dir/*.png"}]}, {"f": "other/a.png"}, False),
    ("wildcard matches empty run", {"f": [{"wildcard": "a*b"}]}, {"f": "ab"}, True),
    (
        "wildcard repeating (AWS)",
        {"f": [{"wildcard": "/Users/*/dir/dir/dir/dir/dir/doc.txt"}]},
        {"f": "/Users/ls_user/dir/dir/dir/dir/dir/doc.txt"},
        True,
    ),
    (
        "wildcard nonrepeating",
        {"f": [{"wildcard": "/Users/*/dir/dir/dir/dir/dir/doc.txt"}]},
        {"f": "/Users/ls_user/dir/dir/dir/dir/doc.txt"},
        False,
    ),
    ("wildcard escaped star", {"f": [{"wildcard": "a\\*b"}]}, {"f": "a*b"}, True),
    ("wildcard escaped star is literal", {"f": [{"wildcard": "a\\*b"}]}, {"f": "axb"}, False),
    ("wildcard escaped backslash", {"f": [{"wildcard": "a\\\\*"}]}, {"f": "a\\zz"}, True),
    ("wildcard regex chars literal", {"f": [{"wildcard": "a.c*"}]}, {"f": "abc"}, False),
    ("wildcard on number", {"f": [{"wildcard": "1*"}]}, {"f": 12}, False),
    (
        "wildcard simplified arn (AWS)",
        {"arn": [{"wildcard": "arn:aws:events:*:event-bus/*"}]},
        {"arn": "arn:aws:events:us-east-1:123456789012:event-bus/bus"},
        True,
    ),
    # $or
    (
        "$or first (AWS docs)",
        {"$or": [{"c": [{"numeric": [">", 0, "<=", 5]}]}, {"d": [{"numeric": ["<", 10]}]}]},
        {"c": 3},
        True,
    ),
    ("$or second", {"$or": [{"c": [1]}, {"d": [2]}]}, {"d": 2}, True),
    ("$or none", {"$or": [{"c": [1]}, {"d": [2]}]}, {"c": 2, "d": 1}, False),
    (
        "$or with outer AND",
        {"source": ["s"], "$or": [{"c": [1]}, {"d": [2]}]},
        {"source": "x", "c": 1},
        False,
    ),
    ("$or nested level", {"detail": {"$or": [{"c": [1]}, {"d": [2]}]}}, {"detail": {"d": 2}}, True),
    ("$or nested in $or", {"$or": [{"a": [1]}, {"$or": [{"b": [2]}, {"c": [3]}]}]}, {"c": 3}, True),
    ("$or field after", {"$or": [{"a": [1]}, {"b": [2]}], "z": [0]}, {"b": 2, "z": 1}, False),
    ("$or exists (AWS)", {"$or": [{"a": [{"exists": True}]}, {"b": ["x"]}]}, {"a": None}, True),
    (
        "$or numeric or anything-but (AWS)",
        {"$or": [{"n": [{"numeric": [">", 10]}]}, {"s": [{"anything-but": "x"}]}]},
        {"n": 5, "s": "x"},
        False,
    ),
    # more recorded AWS answers
    (
        "json in a string is not looked into (AWS)",
        {"detail": {"my-key": ["my-value"]}},
        {"detail": '{"my-key": "my-value"}'},
        False,
    ),
    (
        "exists on an object is not a leaf (AWS)",
        {"dynamodb": {"presentKey": [{"exists": True}]}},
        {"dynamodb": {"id": {"S": "test1234"}, "presentKey": {"S": "test123"}}},
        False,
    ),
    (
        "several operators in one list (AWS)",
        {"my_key": [{"exists": True}, {"prefix": "IGNORED"}, {"suffix": "IGNORED"}]},
        {"my_key": "my-value"},
        True,
    ),
    (
        "anything-but empty wildcard (AWS)",
        {"p": [{"anything-but": {"wildcard": ""}}]},
        {"p": "dir/init/file"},
        True,
    ),
    (
        "complex example, excluded number (AWS)",
        {
            "time": [{"prefix": "2022-07-13"}],
            "detail": {
                "state": [{"anything-but": "initializing"}],
                "c-count": [{"numeric": [">", 0, "<=", 5]}],
                "d-count": [{"numeric": ["<", 10]}],
                "x-limit": [{"anything-but": [100, 200, 300]}],
            },
        },
        {
            "time": "2022-07-13T13:48:01Z",
            "detail": {"state": "processing", "c-count": 3, "d-count": 9, "x-limit": 300},
        },
        False,
    ),
    (
        "numeric AND of three fields, one at its open bound (AWS)",
        {
            "detail": {
                "c-count": [{"numeric": [">", 0, "<=", 5]}],
                "d-count": [{"numeric": ["<", 10]}],
                "x-limit": [{"numeric": ["=", 3.018e2]}],
            }
        },
        {"detail": {"c-count": 3, "d-count": 10, "x-limit": 3.018e2}},
        False,
    ),
    (
        "arrays, no element listed (AWS)",
        {
            "resources": [
                "arn:aws:ec2:us-east-1:1:instance/i-1",
                "arn:aws:ec2:us-east-1:2:instance/i-1",
            ]
        },
        {"resources": ["arn:aws:autoscaling:us-east-1:1:autoScalingGroup:x"]},
        False,
    ),
    # array consistency: fields reaching into one array match within one element
    (
        "array consistency same element",
        {"a": {"b": [1], "c": [2]}},
        {"a": [{"b": 1, "c": 2}, {"b": 3, "c": 4}]},
        True,
    ),
    (
        "array consistency across elements",
        {"a": {"b": [1], "c": [4]}},
        {"a": [{"b": 1, "c": 2}, {"b": 3, "c": 4}]},
        False,
    ),
    (
        "array consistency different arrays",
        {"a": {"b": [1]}, "x": {"y": [4]}},
        {"a": [{"b": 1}], "x": [{"y": 3}, {"y": 4}]},
        True,
    ),
    (
        "array consistency nested",
        {"a": {"b": {"c": [1], "d": [2]}}},
        {"a": [{"b": [{"c": 1, "d": 0}, {"c": 0, "d": 2}]}, {"b": [{"c": 1, "d": 2}]}]},
        True,
    ),
    (
        "array consistency nested across",
        {"a": {"b": {"c": [1], "d": [2]}}},
        {"a": [{"b": [{"c": 1, "d": 0}, {"c": 0, "d": 2}]}]},
        False,
    ),
]


@pytest.mark.parametrize(
    ("pattern", "event", "expected"),
    [pytest.param(p, e, m, id=name) for name, p, e, m in CASES],
)
def test_eventbridge_matching(pattern: dict[str, Any], event: dict[str, Any], expected: bool):
    assert compile_pattern(pattern, Dialect.EVENTBRIDGE).matches(event) is expected


def test_a_string_pattern_is_the_same_pattern():
    as_text = '{"detail": {"state": ["terminated"]}, "source": ["aws.ec2"]}'
    pattern = compile_pattern(as_text, Dialect.EVENTBRIDGE)
    assert pattern.matches(EC2_EVENT)
    assert not pattern.matches({**EC2_EVENT, "source": "aws.s3"})


def test_compiled_once_matches_many():
    pattern = compile_pattern({"n": [{"numeric": [">=", 10]}]}, Dialect.EVENTBRIDGE)
    assert [pattern.matches({"n": n}) for n in range(8, 12)] == [False, False, True, True]


def test_non_object_events_match_nothing_but_absence():
    assert not compile_pattern({"a": [1]}, Dialect.EVENTBRIDGE).matches("plain text")
    assert compile_pattern({"a": [{"exists": False}]}, Dialect.EVENTBRIDGE).matches("text")
