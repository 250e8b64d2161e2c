"""Helpers for asynchronous-invocation tests: functions that leave a mark in their log each time
they run, and reading those marks back through CloudWatch Logs."""

from __future__ import annotations

import json

from botocore.exceptions import ClientError

# Prints one MARK line per run: the event, the request id and when it began.
MARKING = """import json, time
def handler(event, context):
    began = time.time()
    print("MARK " + json.dumps({"event": event, "rid": context.aws_request_id, "t": began}))
    time.sleep(event.get("sleep", 0) if isinstance(event, dict) else 0)
    if isinstance(event, dict) and event.get("fail"):
        raise ValueError("asked to fail")
    return {"ran": event, "began": began, "ended": time.time()}
"""


def marks(logs, function: str) -> list[dict]:
    """Every MARK the function has logged so far, oldest first."""
    found: list[dict] = []
    kwargs = {"logGroupName": f"/aws/lambda/{function}", "filterPattern": "MARK"}
    try:
        while True:
            page = logs.filter_log_events(**kwargs)
            for event in page["events"]:
                found.append(json.loads(event["message"].split("MARK ", 1)[1]))
            if not page.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextToken"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
    return sorted(found, key=lambda mark: mark["t"])
