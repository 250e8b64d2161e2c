"""Queue URLs and ARNs.

A queue's URL is `http://sqs.<region>.localhost:<port>/<account>/<name>`, the port the one the
caller reached Lamina on. Any URL whose path is `/<account>/<name>` names the queue, whatever
its host (the endpoint's own, localhost, 127.0.0.1, AWS's, or none, in-process): the account
and name decide, the region is the request's.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from lamina.services.sqs.errors import invalid_parameter, queue_does_not_exist


def queue_url(base_url: str, region: str, account_id: str, name: str) -> str:
    parts = urlsplit(base_url or "http://localhost:4566")
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme or 'http'}://sqs.{region}.localhost{port}/{account_id}/{name}"


@lru_cache(maxsize=4096)  # a busy queue's URL comes with each of its calls: parsed once
def parse_queue_url(url: str) -> tuple[str, str]:
    """(account, name) of a queue URL; QueueDoesNotExist for anything else, as AWS answers."""
    path = urlsplit(url).path if "://" in url else url
    parts = [p for p in path.split("/") if p]
    if len(parts) != 2 or not parts[0].isdigit() or len(parts[0]) != 12:
        raise queue_does_not_exist()
    return parts[0], parts[1]


def queue_arn(region: str, account_id: str, name: str) -> str:
    return f"arn:aws:sqs:{region}:{account_id}:{name}"


def parse_queue_arn(arn: str, parameter: str = "QueueArn") -> tuple[str, str, str]:
    """(region, account, name) of `arn:aws:sqs:<region>:<account>:<name>`."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs" or not parts[5]:
        raise invalid_parameter(f"Value {arn} for parameter {parameter} is invalid.")
    return parts[3], parts[4], parts[5]
