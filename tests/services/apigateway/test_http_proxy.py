"""HTTP_PROXY integrations over plain HTTP: the request passed through to an endpoint (method,
path variables and stage variables in the URI, query string, headers, body), its answer passed
back; past timeoutInMillis a 504, an unreachable endpoint a 500."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.server import free_port
from tests.services.apigateway.conftest import add_method, root_of, stage_url


class _Echo(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        if self.path.endswith("/slow"):
            time.sleep(1)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.dumps({
            "method": self.command, "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": self.rfile.read(length).decode(),
        }).encode()  # fmt: skip
        self.send_response(207)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Backend", "echo")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def backend() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    server.handle_error = lambda *args: None  # type: ignore[method-assign]  # a gone client
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_requests_pass_through_to_the_endpoint_and_back(apigw, endpoint, backend):
    api_id = apigw.create_rest_api(name="proxy")["id"]
    root = root_of(apigw, api_id)
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")["id"]
    add_method(
        apigw, api_id, proxy, "ANY",
        type="HTTP_PROXY", integrationHttpMethod="ANY",
        uri="http://${stageVariables.backend}/base/{proxy}", timeoutInMillis=300,
        requestParameters={
            "integration.request.path.proxy": "method.request.path.proxy",
            "integration.request.header.X-Stage": "'prod'",
        },
    )  # fmt: skip
    closed = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="closed")["id"]
    add_method(
        apigw, api_id, closed, "GET",
        type="HTTP_PROXY", integrationHttpMethod="GET", uri=f"http://127.0.0.1:{free_port()}/",
    )  # fmt: skip
    apigw.create_deployment(restApiId=api_id, stageName="prod", variables={"backend": backend})
    url = stage_url(endpoint, api_id, "prod")

    answer = requests.post(
        f"{url}/a/b?x=1&x=2", data="payload", headers={"X-Client": "c"}, timeout=30
    )
    assert answer.status_code == 207 and answer.headers["X-Backend"] == "echo"
    seen = answer.json()
    assert (seen["method"], seen["path"], seen["body"]) == ("POST", "/base/a/b?x=1&x=2", "payload")
    assert seen["headers"]["x-client"] == "c" and seen["headers"]["x-stage"] == "prod"
    assert seen["headers"]["x-forwarded-for"] == "127.0.0.1"
    assert seen["headers"]["host"] == backend

    slow = requests.get(f"{url}/slow", timeout=30)
    assert (slow.status_code, slow.json()) == (504, {"message": "Endpoint request timed out"})
    refused = requests.get(f"{url}/closed", timeout=30)
    assert (refused.status_code, refused.json()) == (500, {"message": "Internal server error"})
