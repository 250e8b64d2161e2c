"""`lamina invoke NAME [--payload JSON|@file]`: invoke a function on a running node and print
its answer, then its log tail (as `aws lambda invoke --log-type Tail` would give them)."""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
from pathlib import Path
from typing import Any


def add_parser(commands: Any) -> None:
    invoke = commands.add_parser("invoke", help="invoke a function and print its answer and log")
    invoke.add_argument("name", help="function name or ARN")
    invoke.add_argument("--payload", default="", help="the event: JSON, or @file with JSON in it")
    add_endpoint(invoke)


def add_endpoint(parser: argparse.ArgumentParser) -> None:
    default = os.environ.get("LAMINA_ENDPOINT") or (
        f"http://127.0.0.1:{os.environ.get('LAMINA_PORT', '4566')}"
    )
    parser.add_argument("--endpoint-url", default=default, help=f"the node (default {default})")
    parser.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))


def lambda_client(args: argparse.Namespace) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "lambda",
        endpoint_url=args.endpoint_url,
        region_name=args.region,
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
        config=Config(retries={"max_attempts": 1}, read_timeout=900),
    )


def read_payload(text: str) -> bytes:
    if text.startswith("@"):
        return Path(text[1:]).read_bytes()
    return text.encode()


def run(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        answer = lambda_client(args).invoke(
            FunctionName=args.name, Payload=read_payload(args.payload), LogType="Tail"
        )
    except ClientError as error:
        print(f"lamina: {error}", file=sys.stderr)
        return 1
    except (BotoCoreError, OSError) as error:
        print(f"lamina: cannot reach {args.endpoint_url}: {error}", file=sys.stderr)
        return 1
    body = answer["Payload"].read().decode("utf-8", "replace")
    print(_pretty(body))
    if answer.get("LogResult"):
        print(base64.b64decode(answer["LogResult"]).decode("utf-8", "replace"), file=sys.stderr)
    # Unlike the AWS CLI, a function error is a failure of the command: scripts can tell.
    return 1 if answer.get("FunctionError") else 0


def _pretty(body: str) -> str:
    try:
        return json.dumps(json.loads(body), indent=2)
    except ValueError:
        return body
