"""The node's sandbox networks, by name: DEFAULT for functions without a VPC, VPC for functions
whose VpcConfig names subnets (issue 14).

Lamina has no EC2: a VpcConfig's subnets and security groups are stored and shown, and every
VPC function of a node is on one network, "the VPC network", modelled on a private subnet
without a NAT gateway: no route out at all, Lamina's AWS endpoint at AWS_ENDPOINT_URL (as
through VPC interface endpoints), nothing of the node. It is a second namespace like the
default one (network.py, without pasta), made at the first VPC function's environment, so a
node without VPC functions pays nothing for it, and ended with Lamina.

Without egress the default network is that already: VPC functions then share it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from socket import AF_INET

from lamina.execution.sandbox.network import HostNetwork, SandboxNetwork, Socket

log = logging.getLogger("lamina.execution")

DEFAULT = ""
VPC = "vpc"


class LazyNetwork(HostNetwork):
    """A network made at its first use (a socket, a listener, a sandbox entering it), once,
    on the thread that first needs it: never the event loop's for a spawn."""

    def __init__(self, make: Callable[[], HostNetwork], fallback: HostNetwork) -> None:
        self._make = make
        self.fallback = fallback  # what make() answers when it cannot: not this one's to end
        self._made: HostNetwork | None = None
        self._lock = threading.Lock()

    @property
    def made(self) -> HostNetwork | None:
        return self._made

    def resolved(self) -> HostNetwork:
        with self._lock:
            if self._made is None:
                self._made = self._make()
            return self._made

    @property
    def isolated(self) -> bool:  # type: ignore[override]
        return self.resolved().isolated

    def socket(self, family: int = AF_INET) -> Socket:
        return self.resolved().socket(family)

    def listener(self, port: int = 0) -> Socket:
        return self.resolved().listener(port)

    def enter(self, argv: list[str]) -> list[str]:
        return self.resolved().enter(argv)

    def etc_files(self) -> dict[str, str]:
        return self.resolved().etc_files()

    def close(self) -> None:
        with self._lock:
            made, self._made = self._made, None
            self._make = _ended
        if made is not None and made is not self.fallback:
            made.close()


def _ended() -> HostNetwork:
    raise OSError("the sandboxes' network has ended")


class SandboxNetworks:
    """The networks a backend's sandboxes are on, by the name their spec gives."""

    def __init__(self, default: HostNetwork, vpc: HostNetwork | None = None) -> None:
        self.default = default
        self.vpc = vpc if vpc is not None else default

    def get(self, name: str) -> HostNetwork:
        if name == VPC:
            return self.vpc
        if name != DEFAULT:
            raise ValueError(f"no sandbox network named {name!r}")
        return self.default

    def close(self) -> None:
        """End them (after the sandboxes on them)."""
        if self.vpc is not self.default:
            self.vpc.close()
        self.default.close()


def vpc_network(
    default: HostNetwork, egress: bool, made: Callable[[HostNetwork], None]
) -> HostNetwork:
    """The VPC network, or what stands for it: `default` itself without egress (it has no
    route out either); a lazily made namespace without egress otherwise, handed to `made`
    (the node binds its AWS endpoint's listener in it) before any sandbox enters it."""
    if not egress and default.isolated:
        return default

    def make() -> HostNetwork:
        try:
            network = SandboxNetwork(egress=False)
        except OSError as e:
            log.warning(
                "functions with a VpcConfig have the network of functions without one (%s): "
                "the VPC network could not be made: %s",
                "with egress" if egress and default.isolated else "the node's own",
                e,
            )
            return default
        try:
            made(network)
        except BaseException:
            network.close()
            raise
        return network

    return LazyNetwork(make, default)


def unkept_vpc(default: HostNetwork, why: str) -> HostNetwork:
    """Where no VPC network can be made at all (no bubblewrap sandbox): `default`, and one
    warning at the first VPC function's environment."""

    def make() -> HostNetwork:
        log.warning(
            "VpcConfig cannot be kept: functions with one have the node's network (%s)", why
        )
        return default

    return LazyNetwork(make, default)
