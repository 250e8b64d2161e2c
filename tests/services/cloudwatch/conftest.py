"""CloudWatch clients for the live server, in each protocol CloudWatch speaks, and helpers."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import boto3
import botocore
import botocore.session
import pytest
from botocore.config import Config

from tests.conftest import client

MODEL = Path(botocore.__file__).parent / "data" / "cloudwatch" / "2010-08-01" / "service-2.json.gz"


@pytest.fixture
def cloudwatch(endpoint: str):
    """botocore's own choice of protocol for CloudWatch (json, for the botocore installed)."""
    return client("cloudwatch", endpoint)


@pytest.fixture
def unvalidated_cloudwatch(endpoint: str):
    return client("cloudwatch", endpoint, validate=False)


@pytest.fixture(scope="session")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Per protocol, a data directory whose CloudWatch model speaks only that protocol: how
    older SDKs (query) or newer ones (smithy-rpc-v2-cbor) talk to CloudWatch."""
    model = json.loads(gzip.decompress(MODEL.read_bytes()))
    paths = {}
    for protocol in ("query", "json", "smithy-rpc-v2-cbor"):
        root = tmp_path_factory.mktemp(f"model-{protocol}")
        folder = root / "cloudwatch" / "2010-08-01"
        folder.mkdir(parents=True)
        model["metadata"]["protocol"] = protocol
        model["metadata"]["protocols"] = [protocol]
        (folder / "service-2.json").write_text(json.dumps(model))
        paths[protocol] = root
    return paths


def protocol_client(endpoint: str, models: dict[str, Path], protocol: str):
    session = botocore.session.Session()
    session.get_component("data_loader").search_paths.insert(0, str(models[protocol]))
    return boto3.Session(botocore_session=session).client(
        "cloudwatch",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )


def minute(minutes_ago: int, second: int = 0) -> dt.datetime:
    """A whole minute some minutes ago (plus `second`), so tests know their buckets."""
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    return now - dt.timedelta(minutes=minutes_ago) + dt.timedelta(seconds=second)


def dims(**pairs: str) -> list[dict[str, str]]:
    return [{"Name": name, "Value": value} for name, value in pairs.items()]


ALL_STATISTICS = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"]


def statistics(cw, name: str, start: dt.datetime, end: dt.datetime, period: int = 60, **extra):
    """GetMetricStatistics of namespace 'App', all five statistics; its datapoints in order."""
    answer = cw.get_metric_statistics(
        Namespace=extra.pop("Namespace", "App"),
        MetricName=name,
        StartTime=start,
        EndTime=end,
        Period=period,
        Statistics=extra.pop("Statistics", ALL_STATISTICS),
        **extra,
    )
    return sorted(answer["Datapoints"], key=lambda point: point["Timestamp"])
