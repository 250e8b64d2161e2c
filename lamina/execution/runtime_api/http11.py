"""Just enough HTTP/1.1 for the Runtime API: one request at a time per connection, kept alive
(runtime clients reuse one connection for every /next), bodies by Content-Length or chunked,
and `Expect: 100-continue` (curl sends it for larger POST bodies). No dependency, no parsing
beyond what a runtime client sends.

A streamed response (`Lambda-Runtime-Function-Response-Mode: streaming`, chunked) is not read
whole: its handler reads `request.stream` as the runtime writes, then `request.trailers`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

MAX_BODY = 64 * 1024 * 1024  # far above Lambda's 6 MB; anything larger ends the connection
PIECE = 64 * 1024  # a streamed body is passed on in pieces of at most this, as they arrive


class BadRequest(Exception):
    """The bytes are not an HTTP request we can answer; the connection is closed."""


@dataclass
class Request:
    method: str
    path: str
    version: str
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case
    body: bytes = b""
    stream: AsyncIterator[bytes] | None = None  # a streamed body, read by its handler
    trailers: dict[str, str] = field(default_factory=dict)  # names in lower case

    @property
    def streamed(self) -> bool:
        mode = self.headers.get("lambda-runtime-function-response-mode", "")
        return mode.lower() == "streaming"

    @property
    def keep_alive(self) -> bool:
        connection = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return connection == "keep-alive"
        return connection != "close"


async def read_request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> Request | None:
    """The next request on the connection, or None when the client has closed it."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as error:
        if error.partial.strip():
            raise BadRequest("truncated request head") from None
        return None
    except asyncio.LimitOverrunError:
        raise BadRequest("request head too large") from None
    request = _parse_head(head)
    if request.method in ("POST", "PUT", "PATCH") or _has_body(request.headers):
        if request.headers.get("expect", "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        if request.streamed and _is_chunked(request.headers):
            request.stream = _stream_chunked(reader, request)
        else:
            request.body = await _read_body(reader, request.headers)
    return request


def _parse_head(head: bytes) -> Request:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise BadRequest(f"bad request line {lines[0]!r}")
    method, target, version = parts
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise BadRequest(f"bad header line {line!r}")
        key = name.strip().lower()
        headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    return Request(method, target.split("?", 1)[0], version, headers)


def _has_body(headers: dict[str, str]) -> bool:
    return "content-length" in headers or "transfer-encoding" in headers


def _is_chunked(headers: dict[str, str]) -> bool:
    return "chunked" in headers.get("transfer-encoding", "").lower()


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    try:
        if _is_chunked(headers):
            return await _read_chunked(reader)
        length = int(headers.get("content-length", "0"))
        if not 0 <= length <= MAX_BODY:
            raise BadRequest(f"body of {length} bytes")
        return await reader.readexactly(length)
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
        raise BadRequest("truncated or malformed body") from None


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass  # trailers: none that matter here
            return b"".join(chunks)
        total += size
        if total > MAX_BODY:
            raise BadRequest(f"chunked body over {MAX_BODY} bytes")
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)  # the CRLF after each chunk


async def _stream_chunked(reader: asyncio.StreamReader, request: Request) -> AsyncIterator[bytes]:
    """A chunked body's bytes as they arrive, then its trailers into `request.trailers`."""
    try:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
            if size == 0:
                break
            while size:
                piece = await reader.read(min(size, PIECE))
                if not piece:
                    raise asyncio.IncompleteReadError(b"", size)
                size -= len(piece)
                yield piece
            await reader.readexactly(2)  # the CRLF after each chunk
        while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            request.trailers[name.strip().lower()] = value.strip()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
        raise BadRequest("truncated or malformed streamed body") from None


def response(
    status: int,
    body: bytes = b"",
    content_type: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    head = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}"]
    if content_type:
        head.append(f"Content-Type: {content_type}")
    head += [f"{name}: {value}" for name, value in (headers or {}).items()]
    head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def json_response(
    status: int, document: dict[str, Any], headers: dict[str, str] | None = None
) -> bytes:
    """Compact and newline-terminated, as Go's JSON encoder writes AWS's answers."""
    body = json.dumps(document, separators=(",", ":")) + "\n"
    return response(status, body.encode(), "application/json", headers or {})


BAD_REQUEST = response(
    400, b"400 Bad Request", "text/plain; charset=utf-8", {"Connection": "close"}
)


async def serve(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    answer: Callable[[Request], Awaitable[bytes]],
    is_open: Callable[[], bool],
) -> None:
    """One connection: requests answered in turn, kept alive as runtime clients expect, until
    the client closes or asks to, sends what is not HTTP, or `is_open()` turns false."""
    try:
        while is_open():
            request = await read_request(reader, writer)
            if request is None:
                break
            answered = await answer(request)
            if request.stream is not None:  # what its handler left unread, up to its end
                async for _ in request.stream:
                    pass
            writer.write(answered)
            await writer.drain()
            if not request.keep_alive:
                break
    except BadRequest:
        writer.write(BAD_REQUEST)
    except ConnectionError:
        pass
    finally:
        writer.close()
