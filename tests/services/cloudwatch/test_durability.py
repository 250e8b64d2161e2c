"""Metric data acknowledged by PutMetricData survives a killed server (SIGKILL), on both engines."""

from __future__ import annotations

import datetime as dt
import signal
import time

import pytest

from tests.conftest import ENGINES, client, engine_env
from tests.server import LaminaServer


@pytest.mark.parametrize("engine", ENGINES)
def test_put_metric_data_survives_sigkill(tmp_path, engine):
    lamina = LaminaServer(tmp_path / "data", engine_env(engine))
    lamina.start()
    key = f"{time.time_ns() % 10**12:012d}"  # an account of its own on a shared store
    cw = client("cloudwatch", lamina.url, access_key=key)
    at = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) - dt.timedelta(minutes=2)
    cw.put_metric_data(
        Namespace="Durable", MetricData=[{"MetricName": "M", "Value": 4.0, "Timestamp": at}]
    )
    lamina.stop(signal.SIGKILL)  # right after the answer: nothing may be lost
    lamina.start()
    try:
        answer = cw.get_metric_statistics(
            Namespace="Durable",
            MetricName="M",
            StartTime=at,
            EndTime=at + dt.timedelta(minutes=1),
            Period=60,
            Statistics=["Sum", "SampleCount"],
        )
        assert [(p["Sum"], p["SampleCount"]) for p in answer["Datapoints"]] == [(4.0, 1.0)]
    finally:
        lamina.stop()
