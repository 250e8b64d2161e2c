"""Input that breaks the Logs model: InvalidParameterException with Coral's text, as AWS
answers (see lamina/protocol/validate/rules.py for the real answers this copies)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of


def test_a_constraint_failure_is_invalid_parameter_exception(unvalidated_logs):
    with pytest.raises(ClientError) as excinfo:
        unvalidated_logs.create_log_group(logGroupName="has:colon")
    assert error_of(excinfo) == (
        "InvalidParameterException",
        400,
        "1 validation error detected: Value 'has:colon' at 'logGroupName' failed to satisfy "
        r"constraint: Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+",
    )
    assert unvalidated_logs.describe_log_groups()["logGroups"] == []


def test_a_missing_member_is_reported_the_same_way(unvalidated_logs):
    unvalidated_logs.create_log_group(logGroupName="g")
    unvalidated_logs.create_log_stream(logGroupName="g", logStreamName="s")
    with pytest.raises(ClientError) as excinfo:
        unvalidated_logs.put_log_events(
            logGroupName="g", logStreamName="s", logEvents=[{"message": "no timestamp"}]
        )
    assert error_of(excinfo) == (
        "InvalidParameterException",
        400,
        "1 validation error detected: Value null at 'logEvents.1.member.timestamp' failed to "
        "satisfy constraint: Member must not be null",
    )


def test_a_name_over_512_characters_has_its_own_sentence(logs):
    # boto3 does not check lengths: this is what its callers see from AWS
    with pytest.raises(ClientError) as excinfo:
        logs.create_log_group(logGroupName="a" * 513)
    assert error_of(excinfo) == (
        "InvalidParameterException",
        400,
        "Invalid LogGroup or LogStream, both must have length less than or equal to 512.",
    )
