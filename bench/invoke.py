"""Invocation: warm latency, cold starts, throughput against the floor, raw HTTP capacity and
the memory an idle environment holds. SQLite store, the default (bubblewrap) sandbox."""

from __future__ import annotations

import base64
import os
import re
import statistics
import threading
import time
from pathlib import Path

from bench.control_plane import SECONDS, lambda_client
from bench.harness import FloorServer, Lamina, measure, wrk
from tests.conftest import make_zip

ROLE = "arn:aws:iam::000000000000:role/bench"
HELLO = make_zip({"app.py": "def handler(event, context):\n    return 'hello'\n"})
# Holds each environment long enough that none of a burst's invokes finds one free again.
HOLD = make_zip({"app.py": "import time\n\ndef handler(event, context):\n    time.sleep(0.2)\n"})
INVOKE_PATH = "/2015-03-31/functions/{}/invocations"
_INIT = re.compile(r"Init Duration: ([\d.]+) ms")


def create(client, name: str, **config) -> None:
    client.create_function(
        FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
        Code={"ZipFile": HELLO}, **config,
    )  # fmt: skip


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def warm_latency(client, count: int = 1000) -> list[float]:
    client.invoke(FunctionName="hello")
    latencies = []
    for _ in range(count):
        started = time.perf_counter()
        client.invoke(FunctionName="hello")["Payload"].read()
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def cold_starts(
    client, count: int = 40, prefix: str = "cold", **config
) -> tuple[list[float], list[float]]:
    """CreateFunction (with `config`) → first invoke answered, each function new; and its
    Init Duration. A short pause before each lets the prewarmed environments finish starting,
    as they do between deployments in real use (back-to-back creation is reported separately)."""
    totals, inits = [], []
    for index in range(count):
        time.sleep(0.15)
        total, init = first_answer(client, f"{prefix}-{index}", **config)
        totals.append(total)
        inits += [init] if init is not None else []
    return totals, inits


def first_answer(client, name: str, **config) -> tuple[float, float | None]:
    """CreateFunction → its first invoke answered, in ms; and that invoke's Init Duration."""
    started = time.perf_counter()
    create(client, name, **config)
    answer = client.invoke(FunctionName=name, LogType="Tail")
    answer["Payload"].read()
    total = (time.perf_counter() - started) * 1000
    found = _INIT.search(base64.b64decode(answer["LogResult"]).decode())
    return total, float(found.group(1)) if found else None


def back_to_back(client, count: int = 20) -> list[float]:
    totals = []
    for index in range(count):
        started = time.perf_counter()
        create(client, f"rush-{index}")
        client.invoke(FunctionName=f"rush-{index}")["Payload"].read()
        totals.append((time.perf_counter() - started) * 1000)
    return totals


def burst(url: str, count: int = 50, prefix: str = "burst") -> tuple[list[float], float]:
    """`count` functions created (none invoked yet), then each invoked once, all at the same
    moment from threads of their own: `count` new environments wanted at once. Each invoke's
    latency, and environments started per second (count / time until the last answered)."""
    client = lambda_client(url)
    for index in range(count):
        create(client, f"{prefix}-{index}")
    time.sleep(1.0)  # the prewarmed cells of the creations are ready; the burst outruns them
    return _at_once(url, [f"{prefix}-{index}" for index in range(count)])


def scale_out(url: str, count: int = 50, name: str = "wide") -> tuple[list[float], float]:
    """One function invoked `count` times at the same moment; its handler holds each
    environment 200 ms, so none is reused: `count` new environments of one function (a
    scale-out, the case where one spawner cannot refill stem cells in time). Each invoke's
    latency less the 200 ms hold, and environments started per second (count / time until
    the last one started, the hold taken off)."""
    client = lambda_client(url)
    client.create_function(
        FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
        Code={"ZipFile": HOLD}, Timeout=10,
    )  # fmt: skip
    time.sleep(1.0)  # its prewarmed cells are ready; the burst outruns them
    return _at_once(url, [name] * count, hold_ms=200.0)


def _at_once(url: str, names: list[str], hold_ms: float = 0.0) -> tuple[list[float], float]:
    """Invoke each of `names` at the same moment, each from a thread and client of its own."""
    count = len(names)
    clients = [lambda_client(url) for _ in range(count)]
    latencies = [0.0] * count
    gate = threading.Barrier(count + 1)

    def one(index: int) -> None:
        gate.wait()
        started = time.perf_counter()
        clients[index].invoke(FunctionName=names[index])["Payload"].read()
        latencies[index] = (time.perf_counter() - started) * 1000 - hold_ms

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    gate.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return latencies, count / (time.perf_counter() - began - hold_ms / 1000)


def rates(url: str, label: str) -> dict[int, float]:
    out = {}
    for threads in (1, 4, 16):

        def make():  # type: ignore[no-untyped-def]
            client = lambda_client(url)
            return lambda: client.invoke(FunctionName="hello")["Payload"].read()

        rate = measure(make, threads, SECONDS)
        out[threads] = rate.per_second
        print(f"{label:8} invoke threads={threads:<3} {rate.per_second:8.0f}/s  "
              f"p50 {rate.p50:.2f} ms  p99 {rate.percentile(99):.2f} ms", flush=True)  # fmt: skip
    return out


def idle_pss_mib() -> list[float]:
    """PSS of each idle environment: its bootstrap process and the sandbox's own processes
    (bwrap's; for one forked from a zygote, its init, the runtime's parent)."""
    sizes = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
            if b"zygote.py" in cmdline:
                parent = Path(f"/proc/{_ppid(proc)}")
                above = (parent / "cmdline").read_bytes()
                if b"zygote.py" in above and b"bwrap" not in above:  # a runtime, under init
                    sizes.append((_pss_kb(proc) + _pss_kb(parent)) / 1024)
                continue
            if b"bootstrap.py" not in cmdline or b"bwrap" in cmdline:
                continue
            tree = [proc, *(Path(f"/proc/{p}") for p in _parents(proc))]
            sizes.append(sum(_pss_kb(p) for p in tree) / 1024)
        except OSError:
            continue
    return sizes


def _ppid(proc: Path) -> str:
    return (proc / "stat").read_text().rsplit(")", 1)[1].split()[1]


def _parents(proc: Path) -> list[str]:
    """The sandbox processes above a runtime (bwrap's), up to the first that is not bwrap."""
    found = []
    ppid = (proc / "stat").read_text().rsplit(")", 1)[1].split()[1]
    while ppid != "0" and b"bwrap" in Path(f"/proc/{ppid}/cmdline").read_bytes():
        found.append(ppid)
        ppid = Path(f"/proc/{ppid}/stat").read_text().rsplit(")", 1)[1].split()[1]
    return found


def _pss_kb(proc: Path) -> int:
    for line in (proc / "smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def first_after_start_up(count: int = 5) -> tuple[list[float], list[float]]:
    """The first CreateFunction → first invoke answered on a node just started (a new user's
    first call), each on a server of its own; and its Init Duration."""
    totals, inits = [], []
    for _ in range(count):
        with Lamina({}) as lamina:
            total, init = first_answer(lambda_client(lamina.url), "first")
            totals.append(total)
            inits += [init] if init is not None else []
    return totals, inits


def run() -> None:
    first, first_inits = first_after_start_up()
    print(f"first cold start after start-up (create → answer) p50 {statistics.median(first):.1f}"
          f" ms  max {max(first):.1f} ms; Init Duration p50 {statistics.median(first_inits):.2f}"
          f" ms")  # fmt: skip
    with Lamina({"LAMINA_IDLE_TIMEOUT": "600"}) as lamina:
        client = lambda_client(lamina.url)
        create(client, "hello")
        time.sleep(0.3)
        warm = warm_latency(client)
        print(f"warm invoke p50 {statistics.median(warm):.2f} ms  p99 {pct(warm, 99):.2f} ms")
        totals, inits = cold_starts(client)
        print(f"cold start (create → answer) p50 {statistics.median(totals):.1f} ms  "
              f"p99 {pct(totals, 99):.1f} ms; Init Duration p50 {statistics.median(inits):.2f} ms"
              f"  p99 {pct(inits, 99):.2f} ms")  # fmt: skip
        rush = back_to_back(client)
        print(f"cold start back to back p50 {statistics.median(rush):.1f} ms  "
              f"p99 {pct(rush, 99):.1f} ms")  # fmt: skip
        spread, per_second = burst(lamina.url)
        print(f"burst of {len(spread)} new environments at once: cold start p50 "
              f"{statistics.median(spread):.1f} ms  p99 {pct(spread, 99):.1f} ms; "
              f"{per_second:.0f} environments started/s")  # fmt: skip
        spread, per_second = scale_out(lamina.url)
        print(f"scale-out of one function to {len(spread)} environments at once: cold start "
              f"p50 {statistics.median(spread):.1f} ms  p99 {pct(spread, 99):.1f} ms; "
              f"{per_second:.0f} environments started/s")  # fmt: skip
        body = lambda_client(lamina.url).invoke(FunctionName="hello")["Payload"].read()
        got = rates(lamina.url, "lamina")
        # A first pass grows the pool to 64 environments; the second measures them warm.
        wrk(lamina.url + INVOKE_PATH.format("hello"), seconds=2, post_body="{}")
        raw = wrk(lamina.url + INVOKE_PATH.format("hello"), post_body="{}")
        time.sleep(1)
        pss = idle_pss_mib()
        if pss:
            print(f"idle environments: {len(pss)}, PSS median {statistics.median(pss):.1f} MiB"
                  f"  max {max(pss):.1f} MiB")  # fmt: skip
    with FloorServer({INVOKE_PATH.format("hello"): body.decode()}) as floor:
        floor_rates = rates(floor.url, "floor")
        floor_raw = wrk(floor.url + INVOKE_PATH.format("hello"), post_body="{}")
    for threads, rate in got.items():
        print(f"invoke threads={threads:<3} {100 * rate / floor_rates[threads]:5.0f}% of floor")
    for label, measured in (("lamina", raw), ("floor", floor_raw)):
        if measured:
            print(f"{label:8} wrk POST invoke -c64  {measured[0]:8.0f}/s  p99 {measured[1]:.2f} ms")
    print(f"({os.cpu_count()} cores)")


if __name__ == "__main__":
    run()
