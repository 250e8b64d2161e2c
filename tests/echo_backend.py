"""An HTTP endpoint for integration tests (API Gateway's HTTP and HTTP_PROXY integrations): it
answers every request with what it received, as JSON, with `status` and `X-Backend: <marker>`;
a path starting `/slow` (or ending in it) answers after `delay` seconds."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextlib.contextmanager
def echo_backend(status: int, marker: str, delay: float = 1.0) -> Iterator[int]:
    """A running echo endpoint on 127.0.0.1; its port."""

    class Echo(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            if self.path.startswith("/slow") or self.path.endswith("/slow"):
                time.sleep(delay)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.dumps({
                "method": self.command, "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": self.rfile.read(length).decode(),
            }).encode()  # fmt: skip
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Backend", marker)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    server.daemon_threads = True
    server.handle_error = lambda *args: None  # type: ignore[method-assign]  # a gone client
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
