"""The sandbox seam: one small interface, several backends (bubblewrap, a plain process).

An execution environment asks a backend to start its runtime process with a SandboxSpec; the
backend decides how the isolation described by the spec is achieved (DESIGN decision 4).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

from lamina.execution.sandbox.network import HostNetwork
from lamina.execution.sandbox.networks import DEFAULT, SandboxNetworks


@dataclass(frozen=True)
class SandboxSpec:
    argv: list[str]  # the command, as seen inside the sandbox
    env: dict[str, str]  # the whole environment: nothing is inherited from Lamina
    task_dir: Path  # host directory shown read-only at /var/task
    memory_mb: int = 128  # MemorySize: the cap on the whole process tree
    ephemeral_storage_mb: int = 512  # EphemeralStorage: the cap on the private /tmp
    runtime_dir: Path | None = None  # host directory shown read-only at /var/runtime
    layers_dir: Path | None = None  # host directory shown read-only at /opt
    # Further read-only (host path, path inside) binds, e.g. the interpreter's install prefix.
    ro_binds: tuple[tuple[Path, Path], ...] = ()
    pass_fds: tuple[int, ...] = ()  # kept open in the child (the control channel)
    stdout: int | None = None  # fd the child's stdout goes to (a log pipe); None: inherited
    stderr: int | None = None  # likewise for stderr
    cwd: str = "/var/task"
    network: str = DEFAULT  # the sandbox network it is on, by name (networks.py)
    extra: dict[str, object] = field(default_factory=dict)  # backend-specific hints


class SandboxProcess(ABC):
    """A started sandbox: its init process and everything below it."""

    pid: int

    @abstractmethod
    def poll(self) -> int | None:
        """The exit status once the sandbox has ended, else None."""

    @abstractmethod
    def wait(self, timeout: float | None = None) -> int | None:
        """Wait for the end; None if it has not ended within `timeout` seconds."""

    @abstractmethod
    def kill(self) -> None:
        """End the whole process tree now (timeouts, retirement). Safe to call twice."""

    @abstractmethod
    def peak_memory_bytes(self) -> int | None:
        """The most memory the tree has used, where the backend can tell (Max Memory Used)."""


class SandboxBackend(ABC):
    name: str
    # True when the spec's paths (/var/task, /var/runtime, /opt, /tmp) are what the process
    # sees; False when it sees the host's paths (cwd is then spec.task_dir itself).
    remaps_paths: bool = True
    # The networks its sandboxes are on; Lamina's listeners for them are made in them too.
    networks: SandboxNetworks = SandboxNetworks(HostNetwork())

    @abstractmethod
    def spawn(self, spec: SandboxSpec) -> SandboxProcess: ...
