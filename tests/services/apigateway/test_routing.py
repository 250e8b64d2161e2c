"""Route matching as API Gateway chooses: a literal part before the level's {param}, before
its greedy {proxy+} (one or more parts); backtracking when a literal branch leads nowhere."""

from __future__ import annotations

from lamina.services.apigateway.routing import Router

PATHS = ["/", "/items", "/items/{id}", "/items/special", "/items/{id}/parts", "/{proxy+}",
         "/files/{key+}"]  # fmt: skip
ROUTER = Router([{"id": p, "path": p, "methods": {}} for p in PATHS])


def route(path: str) -> tuple[str, dict[str, str]] | None:
    found = ROUTER.match(path.split("/"))
    return (found.resource["path"], found.path_parameters) if found else None


def test_literal_then_parameter_then_greedy():
    assert route("/") == ("/", {})
    assert route("/items") == ("/items", {})
    assert route("/items/") == ("/items", {})  # an empty part does not count
    assert route("/items/special") == ("/items/special", {})
    assert route("/items/7") == ("/items/{id}", {"id": "7"})
    assert route("/items/7/parts") == ("/items/{id}/parts", {"id": "7"})
    assert route("/items/special/parts") == ("/items/{id}/parts", {"id": "special"})  # backtracks
    assert route("/items/7/other") == ("/{proxy+}", {"proxy": "items/7/other"})
    assert route("/files/a/b.txt") == ("/files/{key+}", {"key": "a/b.txt"})
    assert route("/files") == ("/{proxy+}", {"proxy": "files"})  # {key+} needs a part


def test_no_greedy_resource_no_match():
    router = Router(
        [{"id": "r", "path": "/", "methods": {}}, {"id": "a", "path": "/a", "methods": {}}]
    )
    assert router.match(["", "b"]) is None
    assert router.match(["", "a", "b"]) is None
