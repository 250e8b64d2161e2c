"""The edge tells a deployed API's request from an AWS API call by its Host or path, and hands
it to the plane that owns the API; an id no plane owns answers API Gateway's 403."""

from __future__ import annotations

import pytest
import requests

from lamina.edge.execute_api import host_name, parse, takes_for_aws_calls
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
    found = parse(request(path, host))
    assert found is not None
    assert (found.api_id, found.stage, found.path, found.domain) == expected


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


@pytest.mark.parametrize(
    ("host", "aws"),
    [
        ("localhost", True), ("127.0.0.1", True), ("", True), ("[::1]", True),
        ("10.0.0.7", True), ("sqs.us-east-1.localhost", True), ("lamina.internal", True),
        ("api.example.com", False), ("1api.example.com", False), ("localhost.example", False),
    ],
)  # fmt: skip
def test_aws_api_calls_hosts_are_never_custom_domains(host, aws):
    assert takes_for_aws_calls(host, frozenset({"lamina.internal"})) is aws


def test_host_names_lose_their_port_and_case():
    assert host_name("API.Example.com:4566") == "api.example.com"
    assert host_name("[::1]:4566") == "[::1]:4566"  # an IPv6 address: taken for AWS calls


def test_an_api_no_plane_owns_answers_forbidden(endpoint):
    for url, headers in (
        (f"{endpoint}/prod/x", {"Host": "abcde12345.execute-api.localhost"}),
        (f"{endpoint}/_aws/execute-api/abcde12345/prod/x", {}),
    ):
        answer = requests.get(url, headers=headers, timeout=10)
        assert answer.status_code == 403
        assert answer.json() == {"message": "Forbidden"}
        assert answer.headers["x-amzn-ErrorType"] == "ForbiddenException"
