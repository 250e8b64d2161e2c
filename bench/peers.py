"""The peers bench/sqs.py measures beside Lamina, moto's server and MiniStack: installed on first
use into their own virtualenv (.cache/bench-peers), never Lamina's; each started as its own
process on a free port and ended (only it) after."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from tests.server import REPO, free_port

PEERS = REPO / ".cache" / "bench-peers"
PEER_PACKAGES = ("moto[server]", "ministack")
START_TIMEOUT = 60.0


def peers_bin() -> Path | None:
    """The peers' virtualenv's bin/, made and filled on first use; None (said) if that fails."""
    bin_dir = PEERS / "bin"
    if (bin_dir / "moto_server").exists() and (bin_dir / "ministack").exists():
        return bin_dir
    print(f"installing {', '.join(PEER_PACKAGES)} into {PEERS} (once)", flush=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True)
        subprocess.run(
            [str(bin_dir / "pip"), "install", "-q", *PEER_PACKAGES], check=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    except (subprocess.CalledProcessError, OSError) as error:
        print(f"peers not installed ({error}): moto and MiniStack are skipped")
        return None
    return bin_dir


class Peer:
    """A peer server started as its own process on a free port, ended (only it) after."""

    def __init__(self, label: str, argv: list[str], port: int, env: dict[str, str]) -> None:
        self.label, self.argv, self.port = label, argv, port
        self.env = {**os.environ, **env}
        self.log = tempfile.TemporaryFile()  # noqa: SIM115
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Peer:
        self.process = subprocess.Popen(
            self.argv, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                requests.get(self.url, timeout=1)
                return self
            except requests.RequestException:
                time.sleep(0.1)
        self.__exit__()
        self.log.seek(0)
        raise RuntimeError(f"{self.label} did not start: {self.log.read()[-500:]!r}")

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def peers(bin_dir: Path) -> list[Peer]:
    moto_port, ministack_port = free_port(), free_port()
    return [
        Peer("moto", [str(bin_dir / "moto_server"), "-H", "127.0.0.1", "-p", str(moto_port)],
             moto_port, {}),
        Peer("ministack", [str(bin_dir / "python"), "-m", "ministack"], ministack_port,
             {"GATEWAY_PORT": str(ministack_port), "BIND_HOST": "127.0.0.1",
              "LOG_LEVEL": "WARNING"}),
    ]  # fmt: skip
