"""Shared pieces: start servers, time a call in threads, run wrk."""

from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.server import LaminaServer, free_port


@dataclass
class Rate:
    calls: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.calls / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms)


def measure(make_call: Callable[[], Callable[[], object]], threads: int, seconds: float) -> Rate:
    """Run `call` in `threads` threads for `seconds`; each thread gets its own call (client)."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        call = make_call()
        call()  # warm: connection, caches
        mine = []
        while time.monotonic() < stop:
            started = time.perf_counter()
            call()
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)

    began = time.monotonic()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return Rate(len(latencies), time.monotonic() - began, latencies)


class FloorServer:
    """The floor, answering with `replies` (path?query → body) recorded from Lamina; or, with
    `sqs`, the do-nothing SQS of bench/floor.py."""

    def __init__(self, replies: dict[str, str] | None = None, sqs: bool = False) -> None:
        self.sqs = sqs
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.recording = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)  # noqa: SIM115
        json.dump(replies or {}, self.recording)
        self.recording.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FloorServer:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.floor", str(self.port),
             "--sqs" if self.sqs else self.recording.name]
        )  # fmt: skip
        for _ in range(200):
            try:
                requests.get(self.url, timeout=0.5)
                return self
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("floor server did not start")

    def __exit__(self, *exc: object) -> None:
        assert self.process
        self.process.terminate()
        self.process.wait()
        Path(self.recording.name).unlink(missing_ok=True)


class Lamina:
    def __init__(self, env: dict[str, str]) -> None:
        self.tmp = tempfile.TemporaryDirectory(prefix="lamina-bench-")
        self.server = LaminaServer(Path(self.tmp.name) / "data", env)

    def __enter__(self) -> LaminaServer:
        self.server.start()
        requests.post(f"{self.server.url}/_lamina/reset", timeout=30)
        return self.server

    def __exit__(self, *exc: object) -> None:
        self.server.stop()
        self.tmp.cleanup()


_WRK = re.compile(r"Requests/sec:\s+([\d.]+)")
_WRK_P99 = re.compile(r"99%\s+([\d.]+)(us|ms|s)")


def wrk(
    url: str, connections: int = 64, seconds: int = 5, post_body: str | None = None
) -> tuple[float, float] | None:
    """(requests/s, p99 ms) from wrk, or None where wrk is not installed. With `post_body`,
    every request is a POST of that body (a Lua script tells wrk so)."""
    if not shutil.which("wrk"):
        return None
    script: list[str] = []
    if post_body is not None:
        lua = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
        lua.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(post_body)}\n')
        lua.close()
        script = ["-s", lua.name]
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *script, url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rate = _WRK.search(out)
    p99 = _WRK_P99.search(out)
    if not rate or not p99:
        return None
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return float(rate.group(1)), float(p99.group(1)) * scale
