"""Input that breaks the CloudWatch model: CloudWatch's own sentences, naming the parameter
as the query protocol sends it, under InvalidParameterValue / MissingParameter, in each of the
three protocols CloudWatch speaks (see lamina/protocol/validate/wording.py)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of
from tests.services.cloudwatch.conftest import protocol_client

PROTOCOLS = ["query", "json", "smithy-rpc-v2-cbor"]


@pytest.fixture(params=PROTOCOLS)
def cw(request, endpoint, models):
    return protocol_client(endpoint, models, request.param)


def test_a_name_too_long_is_invalid_parameter_value(cw):
    with pytest.raises(ClientError) as excinfo:
        cw.put_metric_data(Namespace="App", MetricData=[{"MetricName": "m" * 256, "Value": 1}])
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        400,
        "The parameter MetricData.member.1.MetricName must be shorter than 256 characters.",
    )
    assert cw.list_metrics(Namespace="App")["Metrics"] == []


def test_a_value_outside_the_enum_is_invalid_parameter_value(cw):
    with pytest.raises(ClientError) as excinfo:
        cw.put_metric_data(
            Namespace="App", MetricData=[{"MetricName": "M", "Value": 1, "Unit": "Parsecs"}]
        )
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        400,
        "The value Parsecs for parameter MetricData.member.1.Unit is invalid.",
    )


def test_a_missing_parameter_is_missing_parameter(unvalidated_cloudwatch):
    # boto3 refuses to send it without Namespace; other callers can
    cw = unvalidated_cloudwatch
    with pytest.raises(ClientError) as excinfo:
        cw.put_metric_data(MetricData=[{"MetricName": "M", "Value": 1}])
    assert error_of(excinfo) == ("MissingParameter", 400, "The parameter Namespace is required.")
