"""Timestamp formats of the AWS protocols: iso8601, epoch-seconds and rfc822 (HTTP date)."""

from __future__ import annotations

import calendar
import datetime as dt
from email.utils import format_datetime

from botocore.utils import parse_timestamp as _botocore_parse

UTC = dt.UTC


def parse(value: str | int | float) -> dt.datetime:
    """Any of the formats AWS accepts, to an aware UTC datetime."""
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value, UTC)
    parsed = _botocore_parse(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _as_utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso8601(value: dt.datetime) -> str:
    value = _as_utc(value)
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_seconds(value: dt.datetime) -> int | float:
    value = _as_utc(value)
    seconds = calendar.timegm(value.timetuple())
    if value.microsecond:
        return round(seconds + value.microsecond / 1_000_000, 3)
    return seconds


def rfc822(value: dt.datetime) -> str:
    return format_datetime(_as_utc(value), usegmt=True)


def format_timestamp(value: dt.datetime, fmt: str) -> str | int | float:
    """`fmt` is a shape's timestampFormat: 'iso8601', 'unixTimestamp' or 'rfc822'."""
    if fmt == "unixTimestamp":
        return epoch_seconds(value)
    if fmt == "rfc822":
        return rfc822(value)
    return iso8601(value)
