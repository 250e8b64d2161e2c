"""contentHandling and binaryMediaTypes on REST APIs, as AWS's content type conversion tables
have them: non-proxy (HTTP) integrations' request and response payloads converted between
text and base64-decoded binary, and Lambda proxy answers' isBase64Encoded decoded only for
binary media types; plain HTTP clients, a backend that answers with the bytes it got."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from botocore.exceptions import ClientError

from tests.conftest import client, create_function, error_of, make_zip
from tests.services.apigateway.conftest import add_method, lambda_uri, root_of, stage_url

BYTES = b"\x00\x01\x02\xff"
ENCODED = base64.b64encode(BYTES).decode()  # AAEC/w==
HANDLER = """
import base64
def handler(event, context):
    return {"statusCode": 200, "isBase64Encoded": True,
            "headers": {"Content-Type": "application/x-blob"},
            "body": base64.b64encode(b"\\x00\\x01\\x02\\xff").decode()}
"""


@pytest.fixture
def mirror() -> Iterator[int]:
    """Answers a POST with the bytes it got: as application/octet-stream at /bin, as
    text/plain elsewhere."""

    class Mirror(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            kind = "application/octet-stream" if self.path == "/bin" else "text/plain"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Mirror)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def _method(apigw, api_id, parent, part, port, backend, request=None, response=None, **extra):
    """POST /{part} to the mirror's /{backend}, with the given contentHandling for the
    integration (request) and its one integration response (response)."""
    resource = apigw.create_resource(restApiId=api_id, parentId=parent, pathPart=part)["id"]
    settings = {"contentHandling": request} if request else {}
    add_method(
        apigw, api_id, resource, "POST", type="HTTP", integrationHttpMethod="POST",
        uri=f"http://127.0.0.1:{port}/{backend}", **settings, **extra,
    )  # fmt: skip
    ids = {"restApiId": api_id, "resourceId": resource, "httpMethod": "POST"}
    apigw.put_method_response(**ids, statusCode="200")
    answer = {"contentHandling": response} if response else {}
    apigw.put_integration_response(**ids, statusCode="200", **answer)


@pytest.fixture
def api(apigw, endpoint, mirror):
    api_id = apigw.create_rest_api(
        name="binary", binaryMediaTypes=["application/octet-stream", "image/png"]
    )["id"]
    root = root_of(apigw, api_id)
    _method(apigw, api_id, root, "decode", mirror, "bin", request="CONVERT_TO_BINARY")
    _method(
        apigw, api_id, root, "encode", mirror, "txt", request="CONVERT_TO_TEXT",
        requestTemplates={"application/octet-stream": '{"data": "$input.body"}'},
    )  # fmt: skip
    _method(apigw, api_id, root, "passed", mirror, "bin")
    _method(apigw, api_id, root, "untext", mirror, "txt", response="CONVERT_TO_BINARY")
    _method(apigw, api_id, root, "totext", mirror, "bin", response="CONVERT_TO_TEXT")
    lambda_ = client("lambda", endpoint)
    arn = create_function(lambda_, "blob", Code={"ZipFile": make_zip({"handler.py": HANDLER})})[
        "FunctionArn"
    ]
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="proxy")["id"]
    add_method(
        apigw, api_id, proxy, "GET",
        type="AWS_PROXY", integrationHttpMethod="POST", uri=lambda_uri(arn),
    )  # fmt: skip
    apigw.create_deployment(restApiId=api_id, stageName="s")
    return stage_url(endpoint, api_id, "s")


def _post(url: str, data: bytes | str, content_type: str, accept: str) -> requests.Response:
    headers = {"Content-Type": content_type, "Accept": accept}
    return requests.post(url, data=data, headers=headers, timeout=30)


def test_request_payloads_are_converted(api):
    # text → CONVERT_TO_BINARY: the backend gets the decoded bytes; it answers them as
    # binary, which a binary Accept takes as they are and a text Accept base64-encoded
    got = _post(f"{api}/decode", ENCODED, "text/plain", "application/octet-stream")
    assert got.status_code == 200, got.text
    assert got.content == BYTES
    got = _post(f"{api}/decode", ENCODED, "text/plain", "application/json")
    assert got.content == ENCODED.encode()
    # not base64: the gateway's 500 (an API configuration error)
    assert _post(f"{api}/decode", "not base64!", "text/plain", "*/*").status_code == 500

    # binary → CONVERT_TO_TEXT: the template sees the base64 text in $input.body
    got = _post(f"{api}/encode", BYTES, "application/octet-stream", "application/json")
    assert got.status_code == 200, got.text
    assert got.content == f'{{"data": "{ENCODED}"}}'.encode()

    # unset: a binary payload passes as it is, both ways
    got = _post(f"{api}/passed", BYTES, "image/png", "image/png")
    assert got.content == BYTES


def test_response_payloads_are_converted(api):
    # text answer, CONVERT_TO_BINARY: decoded whatever the Accept
    got = _post(f"{api}/untext", ENCODED, "text/plain", "text/plain")
    assert got.status_code == 200, got.text
    assert got.content == BYTES
    assert _post(f"{api}/untext", "plain words", "text/plain", "text/plain").status_code == 500
    # binary answer, CONVERT_TO_TEXT: base64-encoded even to a binary Accept
    got = _post(f"{api}/totext", BYTES, "application/octet-stream", "application/octet-stream")
    assert got.content == ENCODED.encode()
    # a text answer to a binary first Accept type (unset contentHandling): base64-decoded;
    # only the first type counts
    got = _post(f"{api}/passed", ENCODED, "text/plain", "image/png, text/plain")
    assert got.content == ENCODED.encode()  # the mirror's /bin: binary, passed as it is
    got = _post(f"{api}/untext", ENCODED, "text/plain", "text/html, image/png")
    assert got.content == BYTES  # CONVERT_TO_BINARY, whatever the Accept


def test_lambda_proxy_decodes_only_for_binary_media_types(api):
    as_text = requests.get(f"{api}/proxy", headers={"Accept": "text/html"}, timeout=30)
    assert as_text.status_code == 200, as_text.text
    assert as_text.content == ENCODED.encode()  # application/x-blob is not a binary type
    decoded = requests.get(f"{api}/proxy", headers={"Accept": "image/png"}, timeout=30)
    assert decoded.content == BYTES
    assert decoded.headers["Content-Type"] == "application/x-blob"


def test_content_handling_values_are_checked(apigw, api):
    api_id = apigw.get_rest_apis()["items"][0]["id"]
    root = root_of(apigw, api_id)
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    with pytest.raises(ClientError) as caught:
        apigw.put_integration(
            restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK",
            contentHandling="CONVERT_TO_JSON",
        )  # fmt: skip
    code, status, message = error_of(caught)  # the model's enum, checked at the edge
    assert (code, status) == ("ValidationException", 400)
    assert "CONVERT_TO_JSON" in message
    apigw.put_integration(
        restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK",
        contentHandling="CONVERT_TO_TEXT",
    )  # fmt: skip
    with pytest.raises(ClientError) as caught:
        apigw.update_integration(
            restApiId=api_id, resourceId=root, httpMethod="GET",
            patchOperations=[{"op": "replace", "path": "/contentHandling", "value": "X"}],
        )  # fmt: skip
    code, status, message = error_of(caught)
    assert (code, status) == ("BadRequestException", 400)
    assert "CONVERT_TO_BINARY, CONVERT_TO_TEXT" in message
    found = apigw.get_integration(restApiId=api_id, resourceId=root, httpMethod="GET")
    assert found["contentHandling"] == "CONVERT_TO_TEXT"
