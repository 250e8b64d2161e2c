"""The bubblewrap backend, proven from inside: each test runs real processes in a sandbox."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from lamina.execution.sandbox import BubblewrapSandbox, SandboxSpec
from tests.execution.sandboxing import (
    PATH,
    Started,
    environ_inside,
    kill_ends_grandchild,
    needs_bwrap,
    python_spec,
    run,
)

pytestmark = needs_bwrap
BWRAP = BubblewrapSandbox()
MiB = 1024 * 1024


@pytest.fixture
def task_dir(tmp_path: Path) -> Path:
    task = tmp_path / "task"
    task.mkdir()
    (task / "handler.py").write_text("def handler(event, context):\n    return event\n")
    return task


def test_code_is_at_var_task_read_only(task_dir: Path, tmp_path: Path) -> None:
    code = """
import errno, os
print(open("/var/task/handler.py").read().splitlines()[0], os.getcwd())
for path in ("/var/task/new.py", "/var/task/handler.py", "/usr/lamina-test"):
    try:
        open(path, "w")
        print("writable", path)
    except OSError as e:
        print(errno.errorcode[e.errno], path)
"""
    result = run(BWRAP, python_spec(code, task_dir), tmp_path / "logs")
    lines = result.out.splitlines()
    assert result.status == 0, result.err
    assert lines[0] == "def handler(event, context): /var/task"
    for line, path in zip(
        lines[1:], ("/var/task/new.py", "/var/task/handler.py", "/usr/lamina-test"), strict=True
    ):
        assert line in (f"EROFS {path}", f"EACCES {path}")
    assert not (task_dir / "new.py").exists()


def test_runtime_and_layers_are_mounted_read_only(task_dir: Path, tmp_path: Path) -> None:
    runtime, layers = tmp_path / "runtime", tmp_path / "layers"
    (runtime).mkdir()
    (layers / "python").mkdir(parents=True)
    (runtime / "bootstrap").write_text("runtime")
    (layers / "python" / "lib.py").write_text("layer")
    code = """
import os
print(open("/var/runtime/bootstrap").read(), open("/opt/python/lib.py").read())
for d in ("/var/runtime", "/opt"):
    print(os.access(d, os.W_OK), os.statvfs(d).f_flag & os.ST_RDONLY == os.ST_RDONLY)
"""
    spec = python_spec(code, task_dir, runtime_dir=runtime, layers_dir=layers)
    result = run(BWRAP, spec, tmp_path / "logs")
    assert result.status == 0, result.err
    assert result.out.split("\n")[:3] == ["runtime layer", "False True", "False True"]


def test_tmp_is_private_to_each_sandbox(task_dir: Path, tmp_path: Path) -> None:
    name = f"lamina-{uuid.uuid4().hex}"
    writer_code = f"""
import time
open("/tmp/{name}", "w").write("secret")
print("ready", flush=True)
time.sleep(1000)
"""
    writer = Started(BWRAP, python_spec(writer_code, task_dir), tmp_path / "writer")
    try:
        writer.wait_for_output("ready")
        reader_code = f"import os; print(os.path.exists('/tmp/{name}'))"
        result = run(BWRAP, python_spec(reader_code, task_dir), tmp_path / "reader")
    finally:
        writer.process.kill()
    assert (result.status, result.out) == (0, "False\n")
    assert not Path(f"/tmp/{name}").exists()  # nor did it land on the host's /tmp


def test_tmp_is_capped_at_ephemeral_storage(task_dir: Path, tmp_path: Path) -> None:
    code = """
import errno
with open("/tmp/half", "wb") as f:
    f.write(b"x" * (1024 * 1024))  # within the cap: must work
try:
    with open("/tmp/over", "wb") as f:
        f.write(b"x" * (2 * 1024 * 1024))
    print("no limit")
except OSError as e:
    print(errno.errorcode[e.errno])
"""
    result = run(BWRAP, python_spec(code, task_dir, ephemeral_storage_mb=2), tmp_path / "logs")
    assert (result.status, result.out) == (0, "ENOSPC\n"), result.err


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A host directory standing for Lamina's data directory (outside /tmp on purpose, since
    /tmp is replaced anyway)."""
    path = Path(tempfile.mkdtemp(prefix="lamina-data-", dir="/var/tmp"))
    (path / "lamina.db").write_text("every function's secrets")
    yield path
    shutil.rmtree(path)


def test_host_data_and_home_are_invisible(task_dir: Path, tmp_path: Path, data_dir: Path) -> None:
    home = Path.home()
    code = f"""
import os
print(os.path.exists({str(data_dir / "lamina.db")!r}), os.path.exists({str(data_dir)!r}))
print(sorted(os.listdir({str(home)!r})) if os.path.isdir({str(home)!r}) else [])
print(os.path.exists("/etc/shadow"), os.path.exists({str(task_dir.parent)!r}))
"""
    result = run(BWRAP, python_spec(code, task_dir), tmp_path / "logs")
    data_seen, home_seen, other_seen = result.out.splitlines()
    assert result.status == 0, result.err
    assert data_seen == "False False"
    # Only the path down to the interpreter's prefix (e.g. .pyenv) may exist in the home.
    bound = {
        p.relative_to(home).parts[0]
        for _, p in python_spec("", task_dir).ro_binds
        if p.is_relative_to(home)
    }
    assert set(eval(home_seen)) <= bound
    hidden = set(os.listdir(home)) - bound
    assert hidden, "the home directory has nothing else to hide"
    assert other_seen == "False False"  # nor /etc/shadow, nor where the code lives on the host


def test_environment_is_exactly_spec_env(
    task_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAMINA_SECRET", "must not leak")
    env = {"PATH": PATH, "AWS_REGION": "us-east-1", "_HANDLER": "handler.handler", "X": "a b=c"}
    assert environ_inside(BWRAP, env, task_dir, tmp_path / "logs") == env


def test_memory_cap_ends_in_memory_error(task_dir: Path, tmp_path: Path) -> None:
    code = """
small = bytearray(16 * 1024 * 1024)  # well within the cap
print("small ok", flush=True)
try:
    big = bytearray(200 * 1024 * 1024)
    print("no limit")
except MemoryError:
    print("MemoryError")
"""
    result = run(BWRAP, python_spec(code, task_dir, memory_mb=64), tmp_path / "logs", timeout=10)
    assert result.status == 0, result.err
    assert result.out == "small ok\nMemoryError\n"


def test_peak_memory_is_the_high_water_mark(task_dir: Path, tmp_path: Path) -> None:
    code = """
import time
b = bytearray(60 * 1024 * 1024)
b[::4096] = b"x" * len(b[::4096])  # touch every page
del b  # the peak stays
print("ready", flush=True)
time.sleep(1000)
"""
    started = Started(BWRAP, python_spec(code, task_dir, memory_mb=128), tmp_path / "logs")
    started.wait_for_output("ready")
    peak = started.process.peak_memory_bytes()
    started.process.kill()
    assert peak is not None and 60 * MiB <= peak < 128 * MiB
    assert started.process.peak_memory_bytes() == peak  # the last answer stands after the end


def test_kill_ends_daemonized_grandchildren(task_dir: Path, tmp_path: Path) -> None:
    started = kill_ends_grandchild(BWRAP, task_dir, tmp_path / "logs", orphaned=True)
    started.process.kill()  # twice is fine


def test_pid_namespace_hides_host_processes(task_dir: Path, tmp_path: Path) -> None:
    code = """
import json, os
print(json.dumps({
    "pid": os.getpid(),
    "pids": [int(p) for p in os.listdir("/proc") if p.isdigit()],
    "init": open("/proc/1/cmdline").read().split("\\0")[0],
    "caps": open("/proc/self/status").read().split("CapEff:")[1].split()[0],
}))
"""
    result = run(BWRAP, python_spec(code, task_dir), tmp_path / "logs")
    assert result.status == 0, result.err
    seen = json.loads(result.out)
    assert seen["pid"] < 10 and max(seen["pids"]) < 10 and os.getpid() not in seen["pids"]
    assert seen["init"].endswith("bwrap")  # PID 1 is the sandbox's own init, not the host's
    assert int(seen["caps"], 16) == 0  # no capabilities: no remounting, no raising limits


def test_pass_fds_reach_the_sandbox(task_dir: Path, tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    try:
        code = f"import os; os.write({write_end}, b'hello from inside')"
        result = run(BWRAP, python_spec(code, task_dir, pass_fds=(write_end,)), tmp_path / "logs")
        assert result.status == 0, result.err
        assert os.read(read_end, 100) == b"hello from inside"
    finally:
        os.close(read_end)
        os.close(write_end)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_runs_under_128_mb_and_fails_cleanly_beyond(task_dir: Path, tmp_path: Path) -> None:
    node = os.path.realpath(shutil.which("node") or "node")
    fits = "const b = Buffer.alloc(32 * 1024 * 1024, 1); console.log('ok', b.length)"
    spec = SandboxSpec(
        argv=[node, "-e", fits], env={"PATH": PATH}, task_dir=task_dir, memory_mb=128
    )
    result = run(BWRAP, spec, tmp_path / "fits", timeout=10)
    assert (result.status, result.out) == (0, f"ok {32 * MiB}\n"), result.err
    grows = "const a = []; for (;;) a.push(Buffer.alloc(8 * 1024 * 1024, 1))"
    spec = SandboxSpec(
        argv=[node, "-e", grows], env={"PATH": PATH}, task_dir=task_dir, memory_mb=128
    )
    result = run(BWRAP, spec, tmp_path / "grows", timeout=10)
    assert result.status not in (0, None)


def test_machine_python3_runs_without_extra_binds(task_dir: Path, tmp_path: Path) -> None:
    spec = SandboxSpec(
        argv=["python3", "-c", "import sys; print(sys.executable)"],
        env={"PATH": PATH},
        task_dir=task_dir,
    )
    result = run(BWRAP, spec, tmp_path / "logs")
    assert result.status == 0, result.err
    assert result.out.strip() in ("/usr/local/bin/python3", "/usr/bin/python3")
    assert sys.executable  # the test's own interpreter is covered by every other test here
