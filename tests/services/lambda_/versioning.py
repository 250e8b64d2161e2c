"""Helpers for the version and alias tests: a function whose answer says which code ran."""

from __future__ import annotations

import json

from tests.conftest import create_function, make_zip

ARN = "arn:aws:lambda:us-east-1:000000000000:function:fn"


def code_saying(answer: str) -> bytes:
    """Code that answers `answer`, its version as Lambda tells it, and how often it ran here."""
    return make_zip(
        {
            "app.py": (
                "import os\ncalls = 0\n"
                "def handler(event, context):\n"
                "    global calls\n    calls += 1\n"
                f"    return {{'answer': {answer!r}, 'calls': calls,\n"
                "            'version': os.environ['AWS_LAMBDA_FUNCTION_VERSION'],\n"
                "            'arn': context.invoked_function_arn}\n"
            )
        }
    )


def create_saying(lambda_client, answer: str, **overrides):
    return create_function(
        lambda_client, "fn", Handler="app.handler", Code={"ZipFile": code_saying(answer)},
        **overrides,
    )  # fmt: skip


def update_saying(lambda_client, answer: str, **overrides):
    return lambda_client.update_function_code(
        FunctionName="fn", ZipFile=code_saying(answer), **overrides
    )


def invoked(lambda_client, **params) -> tuple[dict, str]:
    """(the function's answer, ExecutedVersion)."""
    answer = lambda_client.invoke(**{"FunctionName": "fn", **params})
    assert answer["StatusCode"] == 200, answer
    assert "FunctionError" not in answer, answer["Payload"].read()
    return json.loads(answer["Payload"].read()), answer["ExecutedVersion"]


def publish_saying(lambda_client, answer: str) -> str:
    """A new version whose code answers `answer`: its number."""
    update_saying(lambda_client, answer)
    return lambda_client.publish_version(FunctionName="fn")["Version"]
