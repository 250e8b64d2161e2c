"""`lamina logs NAME [--follow]`: a function's log lines from CloudWatch Logs, oldest first,
coloured on a terminal (Lambda's own START/END/REPORT lines dim, errors red)."""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
import threading
import time
from typing import Any

from lamina.commands.invoke import add_endpoint

DIM, RED, CYAN, RESET = "\033[2m", "\033[31m", "\033[36m", "\033[0m"
POLL_S = 1.0


def add_parser(commands: Any) -> None:
    logs = commands.add_parser("logs", help="print a function's logs (--follow to keep going)")
    logs.add_argument("name", help="function name")
    logs.add_argument("--follow", "-f", action="store_true", help="keep printing new lines")
    logs.add_argument("--since", type=float, default=60.0, help="minutes back (default 60)")
    logs.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    add_endpoint(logs)


def run(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    logs = _logs_client(args)
    colour = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    start = int((time.time() - args.since * 60) * 1000)
    seen: set[str] = set()
    stopped = _stop_on_ctrl_c() if args.follow else threading.Event()
    try:
        while True:
            start = _print_since(logs, f"/aws/lambda/{args.name}", start, seen, colour)
            if not args.follow or stopped.wait(POLL_S):
                return 0
    except ClientError as error:
        if error.response["Error"]["Code"] == "ResourceNotFoundException" and args.follow:
            print(f"lamina: no logs for {args.name} yet", file=sys.stderr)
        else:
            print(f"lamina: {error}", file=sys.stderr)
        return 1
    except (BotoCoreError, OSError) as error:
        print(f"lamina: cannot reach {args.endpoint_url}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


def _stop_on_ctrl_c() -> threading.Event:
    """Set at Ctrl-C (SIGINT), which also interrupts what runs: a library that swallows the
    KeyboardInterrupt (a retried HTTP call) cannot keep --follow going, the next poll sees
    the event. It also holds where SIGINT came in ignored (a background job)."""
    stopped = threading.Event()

    def interrupted(signum: int, frame: object) -> None:
        stopped.set()
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupted)
    return stopped


def _logs_client(args: argparse.Namespace) -> Any:
    import boto3

    return boto3.client(
        "logs", endpoint_url=args.endpoint_url, region_name=args.region,
        aws_access_key_id="test", aws_secret_access_key="test",
    )  # fmt: skip


def _print_since(logs: Any, group: str, start: int, seen: set[str], colour: bool) -> int:
    """Print the events from `start` on that were not printed yet; the next start."""
    pages = logs.get_paginator("filter_log_events").paginate(logGroupName=group, startTime=start)
    latest = start
    for page in pages:
        for event in page["events"]:
            if event["eventId"] in seen:
                continue
            seen.add(event["eventId"])
            latest = max(latest, event["timestamp"])
            print(render(event["timestamp"], event["message"], colour), flush=True)
    return latest  # events of this same millisecond may still come: ids keep them unique


def render(timestamp_ms: int, message: str, colour: bool) -> str:
    when = dt.datetime.fromtimestamp(timestamp_ms / 1000, dt.UTC).strftime("%H:%M:%S.%f")[:-3]
    line = message.rstrip("\n")
    if not colour:
        return f"{when} {line}"
    if line.startswith(("START RequestId", "END RequestId", "REPORT RequestId")):
        line = f"{DIM}{line}{RESET}"
    elif "[ERROR]" in line or "Error" in line.split(":", 1)[0] or "Traceback" in line:
        line = f"{RED}{line}{RESET}"
    return f"{CYAN}{when}{RESET} {line}"
