"""An HTTP endpoint for integration tests (API Gateway's HTTP and HTTP_PROXY integrations): it
answers every request with what it received, as JSON, with `status` and `X-Backend: <marker>`;
a path starting `/slow` (or ending in it) answers after `delay` seconds. With `tls`, it speaks
HTTPS with a self-signed certificate for 127.0.0.1, which no CA vouches for; with
`client_ca` too (a PEM certificate), it demands a client certificate that one signed (a
self-signed one: itself) and answers the one it got as `clientCertificate` (PEM)."""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import json
import ssl
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@contextlib.contextmanager
def echo_backend(
    status: int, marker: str, delay: float = 1.0, tls: bool = False, client_ca: str | None = None
) -> Iterator[int]:
    """A running echo endpoint on 127.0.0.1; its port."""

    class Echo(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            if self.path.startswith("/slow") or self.path.endswith("/slow"):
                time.sleep(delay)
            length = int(self.headers.get("Content-Length") or 0)
            echoed = {
                "method": self.command, "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": self.rfile.read(length).decode(),
            }  # fmt: skip
            if client_ca is not None:
                der = self.connection.getpeercert(binary_form=True)  # type: ignore[attr-defined]
                echoed["clientCertificate"] = ssl.DER_cert_to_PEM_cert(der) if der else None
            body = json.dumps(echoed).encode()
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
    if tls:
        context = _self_signed()
        if client_ca is not None:
            context.verify_mode = ssl.CERT_REQUIRED  # no certificate, no handshake
            context.load_verify_locations(cadata=client_ca)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    server.handle_error = lambda *args: None  # type: ignore[method-assign]  # a gone client
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def _self_signed() -> ssl.SSLContext:
    """A server context whose certificate (for 127.0.0.1) signs itself."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as folder:
        pem = Path(folder) / "server.pem"
        pem.write_bytes(
            certificate.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        context.load_cert_chain(pem)
    return context
