"""How an execution environment for one function version is started: its sandbox spec (code,
runtime, interpreter, limits) and the specialization it receives (environment, handler)."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from lamina.execution import logs, runtime_api, runtimes
from lamina.execution.code import CodeCache
from lamina.execution.environment import EXTENSION_FD, ExecutionEnvironment, InitError
from lamina.execution.function import FunctionSnapshot
from lamina.execution.layers import LayerSets
from lamina.execution.links import ChannelLink
from lamina.execution.runtime_api.extended import ExtendedLink
from lamina.execution.sandbox import SandboxBackend, interpreter_binds, interpreter_path
from lamina.execution.sandbox.base import SandboxSpec
from lamina.execution.sandbox.networks import DEFAULT
from lamina.execution.sandbox.zygote import ZygoteSpec


@dataclass(frozen=True)
class StemKey:
    """What a generic environment is made for before its function is known: the runtime, and
    the limits and network fixed when its sandbox starts."""

    runtime: str
    memory_mb: int = 128
    ephemeral_storage_mb: int = 512
    network: str = DEFAULT  # a VPC function's cells are on the VPC network (networks.py)

    @classmethod
    def of(cls, function: FunctionSnapshot) -> StemKey:
        return cls.for_runtime(
            function.runtime, function.memory_mb, function.ephemeral_storage_mb, function.network
        )

    @classmethod
    def for_runtime(
        cls,
        runtime: str,
        memory_mb: int = 128,
        ephemeral_storage_mb: int = 512,
        network: str = DEFAULT,
    ) -> StemKey:
        """Python runtimes served by one interpreter share a key (a python3.12 function on a
        machine with only 3.11 takes a python3.11 cell); Node's differ already at spawn
        (NODE_PATH names the major version), so they keep their own."""
        if runtimes.family(runtime) == "python":
            with contextlib.suppress(runtimes.RuntimeUnavailable, ValueError):
                runtime = runtimes.python_runtime_served_by(runtime)
        return cls(runtime, memory_mb, ephemeral_storage_mb, network)


# As on Lambda's Amazon Linux images ({opt} is /opt, where the sandbox remaps paths).
PATH = "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:{opt}/bin"
LD_LIBRARY_PATH = (
    "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:"
    "{opt}/lib"
)


class Launcher:
    def __init__(
        self, backend: SandboxBackend, data_dir: Path, code: CodeCache, endpoint_url: str
    ) -> None:
        self.backend = backend
        self.code = code
        # This node's custom-runtime environments not yet destroyed (see _live()).
        self.live: set[ExecutionEnvironment] = set()
        self.layers = LayerSets(data_dir / "opt", code)
        self.endpoint_url = endpoint_url  # as the sandboxes reach it (the same on each network)
        self.networks = backend.networks
        self.remaps = bool(getattr(backend, "remaps_paths", False))
        self.python_runtime_dir = data_dir / "runtimes" / "python"
        # Each Python environment's own /var/task (filled with hard links at assign()); what
        # a previous run left behind belongs to sandboxes that no longer exist.
        self.cells_dir = data_dir / "cells"
        shutil.rmtree(self.cells_dir, ignore_errors=True)
        self.cells_dir.mkdir(parents=True)
        self.sdk = runtimes.sdk_paths()
        self._prepare_python_runtime()
        self.nodejs_runtime_dir = data_dir / "runtimes" / "nodejs"
        self._prepare_nodejs_runtime()

    def _prepare_python_runtime(self) -> None:
        """data_dir/runtimes/python: the bootstrap, and a mount point for each SDK module."""
        root = self.python_runtime_dir
        root.mkdir(parents=True, exist_ok=True)
        for name in ("bootstrap.py", "zygote.py"):
            shutil.copyfile(runtimes.BOOTSTRAPS / "python" / name, root / name)
        self.empty_dir = root.parent / "empty"  # a zygote's /var/task (it runs no function)
        self.empty_dir.mkdir(mode=0o755, exist_ok=True)
        for path in self.sdk.values():
            point = root / path.name
            if path.is_dir():
                point.mkdir(exist_ok=True)
            else:
                point.touch(exist_ok=True)

    def _prepare_nodejs_runtime(self) -> None:
        """data_dir/runtimes/nodejs: the bootstrap and its modules, shown at /var/runtime."""
        root = self.nodejs_runtime_dir
        root.mkdir(parents=True, exist_ok=True)
        for source in sorted((runtimes.BOOTSTRAPS / "nodejs").glob("*.js")):
            shutil.copyfile(source, root / source.name)

    def environment(self, function: FunctionSnapshot) -> ExecutionEnvironment:
        """A new (not yet started) environment for the function, by its runtime's family."""
        if runtimes.family(function.runtime) != "provided":
            return self._built_in(function)
        task_dir = self.code.unpacked(function.code_digest)
        task_root = "/var/task" if self.remaps else str(task_dir)
        env = self._function_env(function, logs.log_stream(function.version))
        return self._live(self._provided(function, task_dir, task_root, env))

    def _live(self, environment: ExecutionEnvironment) -> ExecutionEnvironment:
        """A custom runtime's sandbox binds the cached code and merged layers themselves (a
        built-in runtime's gets hard links of its own): they stay while it lives."""
        self.live.add(environment)
        environment.on_destroy.append(partial(self.live.discard, environment))
        return environment

    def in_use(self) -> tuple[set[str], set[tuple[str, ...]]]:
        """The code digests (function code and layers) and layer sets live custom-runtime
        environments bind."""
        code: set[str] = set()
        layer_sets: set[tuple[str, ...]] = set()
        for environment in self.live:
            function = environment.function
            if function is not None:
                code.add(function.code_digest)
                code.update(function.layers)
                layer_sets.add(function.layers)
        return code, layer_sets

    def _opt_root(self, host: Path) -> str:
        return "/opt" if self.remaps else str(host)

    def _built_in(self, function: FunctionSnapshot) -> ExecutionEnvironment:
        """Cold, for Python and Node.js: a generic environment made this function's at once."""
        cell = self.stem(StemKey.of(function))
        self.assign(cell, function)
        return cell

    def stem(self, key: StemKey) -> ExecutionEnvironment:
        """A generic environment (a 'stem cell') of a built-in runtime: the interpreter and
        Lamina's bootstrap loaded in its sandbox, an empty /var/task of its own, waiting for
        assign() and specialize()."""
        cell = Path(tempfile.mkdtemp(prefix="", dir=self.cells_dir))
        cell.chmod(0o755)
        opt = cell.with_name(f"{cell.name}.opt")  # its /opt, filled with the layers at assign()
        opt.mkdir(mode=0o755)
        task_root = "/var/task" if self.remaps else str(cell)
        if runtimes.family(key.runtime) == "nodejs":
            spec = self._node_spec(key, cell, task_root, self._opt_root(opt))
        else:
            spec = self._python_spec(key, cell, task_root, self._opt_root(opt))
        spec = replace(spec, layers_dir=opt, network=key.network)
        environment = ExecutionEnvironment(None, spec, link=ChannelLink())
        for made in (cell, opt):
            environment.on_destroy.append(partial(shutil.rmtree, made, ignore_errors=True))
        return environment

    def _python_spec(self, key: StemKey, cell: Path, task_root: str, opt: str) -> SandboxSpec:
        interpreter = runtimes.python_interpreter(key.runtime)
        runtime_root = "/var/runtime" if self.remaps else str(self.python_runtime_dir)
        binds = tuple(interpreter_binds(interpreter))
        if self.remaps:
            binds += tuple((path, Path(runtime_root) / path.name) for path in self.sdk.values())
        spec = SandboxSpec(
            argv=[interpreter, "-s", "-u", f"{runtime_root}/bootstrap.py"],
            env=self._base_env(task_root, runtime_root, opt),
            task_dir=cell,
            memory_mb=key.memory_mb,
            ephemeral_storage_mb=key.ephemeral_storage_mb,
            runtime_dir=self.python_runtime_dir,
            ro_binds=binds,
            cwd=task_root,
        )
        if not self.remaps:  # no sandbox to make per environment: no zygote either
            return spec
        # Forked from a warm interpreter of the same binds and base environment (zygote.py).
        zygote = replace(spec, argv=[*spec.argv[:-1], f"{runtime_root}/zygote.py"])
        zygote = replace(zygote, task_dir=self.empty_dir, cwd="/", network=key.network)
        # One zygote per interpreter and network: its forks are on its network.
        name = f"python:{interpreter}" + (f" ({key.network})" if key.network else "")
        fork_from = ZygoteSpec(name, zygote, self.cells_dir)
        return replace(spec, extra={"zygote": fork_from})

    def _node_spec(self, key: StemKey, cell: Path, task_root: str, opt: str) -> SandboxSpec:
        node = interpreter_path(runtimes.node_interpreter(key.runtime))
        runtime_root = "/var/runtime" if self.remaps else str(self.nodejs_runtime_dir)
        base_env = self._base_env(task_root, runtime_root, opt)
        base_env["NODE_PATH"] = _node_path(key.runtime, runtime_root, task_root, opt)
        # As AWS's nodejs bootstrap starts node: global.gc, big headers, heap sized to memory.
        options = ["--expose-gc", "--max-http-header-size=81920"]
        options += runtimes.node_heap_options(key.memory_mb)
        return SandboxSpec(
            argv=[node, *options, f"{runtime_root}/bootstrap.js"],
            env=base_env,
            task_dir=cell,
            memory_mb=key.memory_mb,
            ephemeral_storage_mb=key.ephemeral_storage_mb,
            runtime_dir=self.nodejs_runtime_dir,
            ro_binds=tuple(interpreter_binds(node)),
            cwd=task_root,
        )

    def assign(self, environment: ExecutionEnvironment, function: FunctionSnapshot) -> None:
        """Give a stem cell its function: the code into its /var/task, and what specialize()
        sends (the function's environment variables, handler, import paths). A cell is only
        ever given a function of its own network: it cannot change networks."""
        if environment.spec.network != function.network:
            raise ValueError(
                f"a stem cell of network {environment.spec.network!r} cannot serve a function "
                f"of network {function.network!r}"
            )
        self.code.link_into(function.code_digest, environment.spec.task_dir)
        opt = environment.spec.layers_dir
        assert opt is not None  # every stem cell has one
        self.layers.link_into(function.layers, opt)
        env = self._function_env(function, logs.log_stream(function.version))
        # Without remapping, Python's SDK is imported from where it lies on the host.
        python = runtimes.family(function.runtime) == "python"
        hosted = python and not self.remaps
        paths = sorted({str(p.parent) for p in self.sdk.values()}) if hosted else []
        if python:  # after /var/task, as on Lambda: the layers' packages, then /opt/python
            opt_root = self._opt_root(opt)
            version = function.runtime.removeprefix("python")
            paths[:0] = [
                f"{opt_root}/python/lib/python{version}/site-packages",
                f"{opt_root}/python",
            ]
        extensions = _extensions(opt)
        if extensions:  # started by the runtime's bootstrap when it is specialized
            inside = [str(Path(self._opt_root(opt)) / e.relative_to(opt)) for e in extensions]
            network = self.networks.get(function.network)
            link = ExtendedLink(environment.link, inside, env, function.account_id, network)
            environment.link = link
        environment.assign(function, {"env": env, "handler": function.handler, "paths": paths})

    def _provided(
        self, function: FunctionSnapshot, task_dir: Path, task_root: str, env: dict[str, str]
    ) -> ExecutionEnvironment:
        """A custom runtime: the zip's own `bootstrap` (or, without one, a layer's at
        /opt/bootstrap, as Lambda looks), speaking AWS's Runtime API."""
        opt = self.layers.merged(function.layers) if function.layers else None
        opt_root = self._opt_root(opt) if opt is not None else "/opt"
        bootstrap, started = task_dir / "bootstrap", f"{task_root}/bootstrap"
        if not os.path.lexists(bootstrap) and opt is not None and (opt / "bootstrap").exists():
            bootstrap, started = opt / "bootstrap", f"{opt_root}/bootstrap"
        problem = runtime_api.bootstrap_problem(bootstrap)
        if problem is not None:  # Lambda fails the init before anything runs
            raise InitError(problem, 0.0)
        extensions = _extensions(opt)
        argv = [started]
        if extensions:  # started first, in the background; then the runtime, in their place
            argv = ["/bin/sh", "-c", START_EXTENSIONS, started, opt_root, EXTENSION_FD,
                    runtime_api.REGISTERED_FD]  # fmt: skip
        spec = self._spec(
            function,
            task_dir,
            argv=argv,
            # The function's own variables are merged in by the link: a custom runtime reads
            # them at process start, there is no specialization step.
            env=self._base_env(task_root, "/var/runtime", opt_root),
            cwd=task_root,
            layers_dir=opt,
            extra={"extension_output": True} if extensions else {},
            network=function.network,
        )
        specialize = {"env": env}
        network = self.networks.get(function.network)
        link = runtime_api.RuntimeApiLink(env, len(extensions), function.account_id, network)
        return ExecutionEnvironment(function, spec, specialize, link)

    @staticmethod
    def _spec(function: FunctionSnapshot, task_dir: Path, **fields: Any) -> SandboxSpec:
        """The limits every runtime's sandbox takes from the function's configuration."""
        return SandboxSpec(
            task_dir=task_dir,
            memory_mb=function.memory_mb,
            ephemeral_storage_mb=function.ephemeral_storage_mb,
            **fields,
        )

    @staticmethod
    def _base_env(task_root: str, runtime_root: str, opt_root: str) -> dict[str, str]:
        """What every environment of a runtime shares, set when its process starts."""
        return {
            "PATH": PATH.format(opt=opt_root),
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "LD_LIBRARY_PATH": LD_LIBRARY_PATH.format(opt=opt_root),
            "LAMBDA_TASK_ROOT": task_root,
            "LAMBDA_RUNTIME_DIR": runtime_root,
        }

    def _function_env(self, function: FunctionSnapshot, stream: str) -> dict[str, str]:
        """The AWS variables of one function, then its own (reserved keys are refused at
        CreateFunction, so the function's own cannot shadow these)."""
        env = {
            "AWS_REGION": function.region,
            "AWS_DEFAULT_REGION": function.region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_VERSION": function.version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
            "AWS_LAMBDA_LOG_GROUP_NAME": logs.log_group(function.name),
            "AWS_LAMBDA_LOG_STREAM_NAME": stream,
            "AWS_LAMBDA_INITIALIZATION_TYPE": function.initialization_type,
            "_HANDLER": function.handler,
            # The SDK inside reaches this Lamina as the execution role's session; without
            # one (no role to assume), as the root of the function's account.
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": function.account_id,
            "AWS_SECRET_ACCESS_KEY": "lamina",
            "AWS_SESSION_TOKEN": "lamina",
            **(function.credentials or {}),
        }
        return {**function.environment, **env}


# $0: the runtime's bootstrap, $1: /opt, $2: the fd of the extensions' output pipe, $3: the fd
# Lamina writes to once every extension has registered (opened by path: dash takes no fd above
# 9 in a redirection). Each executable in /opt/extensions is started (no arguments, as on
# Lambda) writing to that pipe; once they have all registered, the bootstrap takes the
# shell's place, as AWS starts the runtime only then (the fds stay open in it, unused).
START_EXTENSIONS = (
    'for e in "$1"/extensions/*; do [ -f "$e" ] && [ -x "$e" ] &&'
    ' "$e" >"/proc/self/fd/$2" 2>&1 & done; read go <"/proc/self/fd/$3"; exec "$0"'
)


def _extensions(opt: Path | None) -> list[Path]:
    """The external extensions a layer set holds: the executables in its extensions/."""
    folder = opt / "extensions" if opt is not None else None
    if folder is None or not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and os.access(p, os.X_OK))


def _node_path(runtime: str, runtime_root: str, task_root: str, opt_root: str) -> str:
    """NODE_PATH as on AWS: the layers' node_modules (versioned, then plain), the runtime's,
    then the code."""
    major = runtime.removeprefix("nodejs").removesuffix(".x")
    paths = [f"{opt_root}/nodejs/node{major}/node_modules", f"{opt_root}/nodejs/node_modules"]
    paths += [f"{runtime_root}/node_modules", runtime_root, task_root]
    return ":".join(paths)
