"""The sandbox networks by name (lamina/execution/sandbox/networks.py): what keys stem cells and
zygotes, which cell may serve which function, and the VPC network's lifetime."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from lamina.execution.code import CodeCache
from lamina.execution.function import FunctionSnapshot
from lamina.execution.launcher import Launcher, StemKey
from lamina.execution.sandbox import BubblewrapSandbox, ProcessSandbox
from lamina.execution.sandbox.network import HostNetwork
from lamina.execution.sandbox.networks import (
    DEFAULT,
    VPC,
    LazyNetwork,
    SandboxNetworks,
    unkept_vpc,
    vpc_network,
)
from lamina.store.blobs import FileBlobStore

RUNTIME = f"python3.{sys.version_info.minor}"


def snapshot(network: str) -> FunctionSnapshot:
    return FunctionSnapshot(
        account_id="000000000000", region="us-east-1", name="fn", version="$LATEST",
        arn="arn:aws:lambda:us-east-1:000000000000:function:fn", runtime=RUNTIME,
        handler="app.handler", memory_mb=128, timeout_s=3, ephemeral_storage_mb=512,
        code_digest="0" * 64, revision_id="r1", network=network,
    )  # fmt: skip


def launcher(tmp_path: Path, backend) -> Launcher:
    code = CodeCache(tmp_path / "code", FileBlobStore(tmp_path / "blobs"))
    return Launcher(backend, tmp_path / "data", code, "http://127.0.0.1:4566")


def test_a_vpc_functions_cells_are_keyed_and_made_on_the_vpc_network(tmp_path):
    assert StemKey.of(snapshot(VPC)) != StemKey.of(snapshot(DEFAULT))
    assert StemKey.of(snapshot(VPC)).network == VPC
    made = launcher(tmp_path, BubblewrapSandbox())
    vpc_cell = made.stem(StemKey.of(snapshot(VPC)))
    default_cell = made.stem(StemKey.of(snapshot(DEFAULT)))
    try:
        assert (vpc_cell.spec.network, default_cell.spec.network) == (VPC, DEFAULT)
        # One zygote per interpreter and network: its forks are on its network.
        vpc_zygote, default_zygote = (c.spec.extra["zygote"] for c in (vpc_cell, default_cell))
        assert vpc_zygote.name != default_zygote.name
        assert (vpc_zygote.spec.network, default_zygote.spec.network) == (VPC, DEFAULT)
    finally:
        vpc_cell.destroy()
        default_cell.destroy()


def test_a_cell_of_another_network_is_never_assigned(tmp_path):
    made = launcher(tmp_path, ProcessSandbox())
    cell = made.stem(StemKey.of(snapshot(DEFAULT)))
    try:
        with pytest.raises(ValueError, match="cannot serve a function of network 'vpc'"):
            made.assign(cell, snapshot(VPC))
        assert cell.function is None  # not made the VPC function's
    finally:
        cell.destroy()


class Counted(HostNetwork):
    def __init__(self) -> None:
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


def test_the_vpc_network_is_made_at_first_use_once_and_ended_with_the_others():
    default, made = Counted(), []

    def make() -> HostNetwork:
        made.append(Counted())
        return made[-1]

    networks = SandboxNetworks(default, LazyNetwork(make, default))
    assert networks.get(DEFAULT) is default and made == []  # nothing made for nothing
    assert networks.get(VPC).enter(["true"]) == ["true"]
    networks.get(VPC).socket().close()
    assert len(made) == 1
    networks.close()
    assert made[0].closed == 1 and default.closed == 1
    with pytest.raises(OSError, match="ended"):
        networks.get(VPC).enter(["true"])


def test_a_vpc_network_that_could_not_be_made_leaves_the_default_to_its_owner():
    default = Counted()
    networks = SandboxNetworks(default, LazyNetwork(lambda: default, default))
    assert networks.get(VPC).enter(["true"]) == ["true"]
    networks.close()
    assert default.closed == 1  # once, by its owner


def test_without_egress_the_vpc_network_is_the_default_namespace():
    class Isolated(Counted):
        isolated = True

    default = Isolated()
    assert vpc_network(default, egress=False, made=lambda network: None) is default
    assert isinstance(vpc_network(default, egress=True, made=lambda network: None), LazyNetwork)


def test_an_unknown_network_name_is_refused():
    with pytest.raises(ValueError):
        SandboxNetworks(HostNetwork()).get("elsewhere")


def test_where_no_vpc_network_can_be_made_one_warning_says_so(caplog):
    host = HostNetwork()
    networks = SandboxNetworks(host, unkept_vpc(host, "no bubblewrap sandbox"))
    with caplog.at_level("WARNING", logger="lamina.execution"):
        networks.get(DEFAULT).enter(["true"])
        assert not caplog.records  # nothing said for functions without a VpcConfig
        for _ in range(3):
            assert networks.get(VPC).enter(["true"]) == ["true"]
    [warning] = [r.getMessage() for r in caplog.records]
    assert "VpcConfig cannot be kept" in warning and "no bubblewrap sandbox" in warning
