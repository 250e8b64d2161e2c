"""The edge tells a deployed API's request from an AWS API call by its Host or path, and hands
it to the plane that owns the API; an id no plane owns answers API Gateway's 403."""

from __future__ import annotations

import pytest
import requests

from lamina.edge.execute_api import parse
from lamina.protocol.http import Headers, HttpRequest


def request(path: str, host: str = "127.0.0.1:4566") -> HttpRequest:
    return HttpRequest("GET", path, headers=Headers([("host", host)]))


@pytest.mark.parametrize(
    ("path", "host", "expected"),
    [
        ("/prod/items/1", "abcde12345.execute-api.localhost:4566",
         ("abcde12345", None, "/prod/items/1", "abcde12345.execute-api.localhost")),
        ("/", "abcde12345.execute-api.us-east-1.localhost", (
            "abcde12345", None, "/", "abcde12345.execute-api.us-east-1.localhost")),
        ("/_aws/execute-api/abcde12345/prod/items", "127.0.0.1:4566",
         ("abcde12345", None, "/prod/items", None)),
        ("/_aws/execute-api/abcde12345", "127.0.0.1:4566", ("abcde12345", None, "/", None)),
        ("/restapis/abcde12345/dev/_user_request_/a/b", "127.0.0.1:4566",
         ("abcde12345", "dev", "/a/b", None)),
        ("/restapis/abcde12345/dev/_user_request_", "127.0.0.1:4566",
         ("abcde12345", "dev", "/", None)),
    ],
)  # fmt: skip
def test_deployed_apis_are_told_by_host_or_path(path, host, expected):
    assert parse(request(path, host)) == expected


@pytest.mark.parametrize(
    ("path", "host"),
    [
        ("/restapis/abcde12345/resources", "127.0.0.1:4566"),  # the control plane's own path
        ("/restapis", "127.0.0.1:4566"),
        ("/2015-03-31/functions/", "127.0.0.1:4566"),
        ("/", "lambda.us-east-1.localhost:4566"),
        ("/prod", "toolong12345.execute-api.localhost"),
    ],
)
def test_control_plane_calls_and_other_hosts_are_not(path, host):
    assert parse(request(path, host)) is None


def test_an_api_no_plane_owns_answers_forbidden(endpoint):
    for url, headers in (
        (f"{endpoint}/prod/x", {"Host": "abcde12345.execute-api.localhost"}),
        (f"{endpoint}/_aws/execute-api/abcde12345/prod/x", {}),
    ):
        answer = requests.get(url, headers=headers, timeout=10)
        assert answer.status_code == 403
        assert answer.json() == {"message": "Forbidden"}
        assert answer.headers["x-amzn-ErrorType"] == "ForbiddenException"
