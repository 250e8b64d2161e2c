"""Route keys as HTTP APIs take them, and the route a request goes to: the most specific match
(literal over {param} over {proxy+}, a method over ANY), then $default."""

from __future__ import annotations

import pytest

from lamina.protocol.errors import ServiceError
from lamina.services.apigatewayv2.route_keys import parse, select

KEYS = [
    "GET /items/{id}",
    "GET /items/special",
    "ANY /items/{id}",
    "POST /items",
    "ANY /{proxy+}",
    "GET /files/{path+}",
    "GET /",
    "$default",
]


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/items/7", ("GET /items/{id}", {"id": "7"})),
        ("GET", "/items/special", ("GET /items/special", {})),
        ("DELETE", "/items/7", ("ANY /items/{id}", {"id": "7"})),
        ("POST", "/items", ("POST /items", {})),
        ("GET", "/items", ("ANY /{proxy+}", {"proxy": "items"})),
        ("GET", "/files/a/b%20c.txt", ("GET /files/{path+}", {"path": "a/b c.txt"})),
        ("PUT", "/files/a/b", ("ANY /{proxy+}", {"proxy": "files/a/b"})),
        ("GET", "/", ("GET /", {})),
        ("POST", "/", ("$default", {})),
        ("GET", "/items/7/parts", ("ANY /{proxy+}", {"proxy": "items/7/parts"})),
    ],
)
def test_the_most_specific_route_wins(method, path, expected):
    assert select(KEYS, method, path) == expected


def test_without_a_default_route_an_unmatched_request_has_none():
    assert select(["GET /a"], "GET", "/b") is None
    assert select(["GET /a/{id}"], "GET", "/a/") is None  # a {param} takes a non-empty segment
    assert select(["GET /a/{p+}"], "GET", "/a") is None  # a greedy one takes at least one


@pytest.mark.parametrize(
    "key",
    ["GET", "FETCH /a", "GET a", "GET /{proxy+}/more", "GET /a b", "$connect", "get /a"],
)
def test_keys_http_apis_do_not_take_are_refused(key):
    with pytest.raises(ServiceError) as excinfo:
        parse(key)
    assert excinfo.value.code == "BadRequestException"
    assert "Invalid route key" in excinfo.value.message
