"""Runtimes: which interpreter runs a function and how its bootstrap is started.

Built-in runtimes use whatever matching interpreter the machine has, the closest version when
the exact one is missing (with one warning), and Lamina's own bootstrap over the private
channel. Nothing fails at CreateFunction for a missing interpreter: an invoke says so.
"""

from __future__ import annotations

import glob
import logging
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

log = logging.getLogger("lamina.execution")

BOOTSTRAPS = Path(__file__).parent
# The SDK a Python function can import as on AWS (boto3 and what it needs), by module name.
PYTHON_SDK = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")


class RuntimeUnavailable(Exception):
    """No interpreter on this machine can run the runtime."""


def family(runtime: str) -> str:
    if runtime.startswith("python"):
        return "python"
    if runtime.startswith("nodejs"):
        return "nodejs"
    return "provided"


def closest(runtime: str, wanted: int, found: dict[int, str], named: str) -> str:
    """The interpreter whose version is nearest `wanted` (the newer one on a tie); a warning,
    once per runtime (callers cache), when it is not the exact version. `named` spells an
    interpreter of a version: 'python3.{}', 'node {}'."""
    if not found:
        raise RuntimeUnavailable(f"No interpreter for the runtime {runtime} on this machine.")
    version, path = min(found.items(), key=lambda item: (abs(item[0] - wanted), -item[0]))
    if version != wanted:
        log.warning("runtime %s: no %s here; using %s (%s)", runtime,
                    named.format(wanted), path, named.format(version))  # fmt: skip
    return path


@cache
def python_interpreter(runtime: str) -> str:
    """The real (not venv) interpreter closest to the runtime's version, e.g. python3.12."""
    wanted = int(runtime.removeprefix("python3."))
    return closest(runtime, wanted, _python_candidates(), "python3.{}")


def _python_candidates() -> dict[int, str]:
    paths = [sys._base_executable, *glob.glob("/root/.pyenv/versions/3.*/bin/python3")]  # type: ignore[attr-defined]
    paths += [shutil.which(f"python3.{minor}") or "" for minor in range(8, 15)]
    found: dict[int, str] = {}
    for path in filter(None, paths):
        minor = _minor_version(str(Path(path).resolve()))
        if minor is not None:
            found.setdefault(minor, str(Path(path).resolve()))
    return found


@cache
def _minor_version(path: str) -> int | None:
    try:
        out = subprocess.run(
            [path, "-c", "import sys; print(sys.version_info[1])"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return int(out) if re.fullmatch(r"\d+\n?", out) else None


@cache
def python_runtime_served_by(runtime: str) -> str:
    """The python3.N runtime whose interpreter runs `runtime` on this machine (itself, or the
    closest): environments of both are the same until specialized, so one stem cell serves
    either."""
    return f"python3.{_minor_version(python_interpreter(runtime))}"


def machine_runtimes() -> list[str]:
    """The built-in runtimes of the interpreters this machine runs by default: the Python
    Lamina runs on and the first node on PATH (the ones a first function most likely uses)."""
    found = [f"python3.{sys.version_info.minor}"]
    node = shutil.which("node") or shutil.which("nodejs")
    major = _node_major(str(Path(node).resolve())) if node else None
    if major is not None:
        found.append(f"nodejs{major}.x")
    return found


def sdk_paths() -> dict[str, Path]:
    """Where each SDK module lies on this machine (a package directory or a single file)."""
    import importlib.util

    paths: dict[str, Path] = {}
    for name in PYTHON_SDK:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        origin = Path(spec.origin)
        paths[name] = origin.parent if origin.name == "__init__.py" else origin
    return paths


@cache
def node_interpreter(runtime: str) -> str:
    """The node binary for a nodejsNN.x runtime: that major version, else the closest."""
    wanted = int(runtime.removeprefix("nodejs").removesuffix(".x"))
    return closest(runtime, wanted, _node_candidates(), "node {}")


def _node_candidates() -> dict[int, str]:
    """node on PATH, versioned names (node20), and nvm's installs, by major version."""
    paths = [shutil.which(name) or "" for name in ("node", "nodejs")]
    paths += [shutil.which(f"node{major}") or "" for major in range(16, 27)]
    paths += sorted(glob.glob(str(Path.home() / ".nvm/versions/node/v*/bin/node")))
    found: dict[int, str] = {}
    for path in filter(None, paths):
        real = str(Path(path).resolve())
        major = _node_major(real)
        if major is not None:
            found.setdefault(major, real)
    return found


@cache
def _node_major(path: str) -> int | None:
    try:
        out = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.fullmatch(r"v(\d+)\.\d+\.\d+\S*\n?", out)
    return int(match.group(1)) if match else None


def node_heap_options(memory_mb: int) -> list[str]:
    """V8's heap sized from MemorySize as AWS's nodejs bootstrap does: a tenth for the young
    generation (two semi-spaces), the other nine tenths for the old generation, so node
    collects garbage before the memory cap rather than dying at it."""
    young = memory_mb // 10
    return [f"--max-semi-space-size={young // 2}", f"--max-old-space-size={memory_mb - young}"]
