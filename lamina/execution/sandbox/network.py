"""The sandboxes' network: one network namespace per node, shared by every sandbox (issue 14);
functions with a VpcConfig have a second one of these, without egress (networks.py).

Why one per node and not one per sandbox: a namespace and its user-space network stack cost
tens of milliseconds to make, and a cold start is meant to cost a few; joining an existing one
costs an exec of nsenter (direct spawns) or nothing at all (a zygote's forks inherit it).

In it a function reaches:
- Lamina's AWS endpoint, at 127.0.0.1 and Lamina's port, served on a socket Lamina made in the
  namespace (the edge knows its callers are sandboxes, see lamina/edge/sandbox_callers.py),
  and its own environment's Runtime API, also on the namespace's loopback;
- with egress (LAMINA_FUNCTION_EGRESS, on by default as on Lambda outside a VPC), the outside
  network through pasta (Debian's passt), a user-space stack that connects from Lamina's own
  user on the host: with --no-map-gw and no port forwarding (-t/-u/-T/-U none), nothing of
  the node's loopback is reachable through it;
- not the node's private or own addresses: nftables rules in the namespace reject them
  (nftables rather than `ip route prohibit`: a rule is not outranked by a more specific route
  that pasta copies from the host, such as a 10.x LAN's own subnet, and it can let DNS through
  to a resolver on a private address, port 53 only).

The namespace is held by a tiny process (netns_holder.py) in a new user and network
namespace, whose uid 0 is Lamina's user, so none of this needs root. It makes the sockets
Lamina binds or connects in the namespace and hands them over, which works unprivileged
(setns into a network namespace needs CAP_SYS_ADMIN in the caller's own user namespace too).
The holder and pasta die with Lamina (PR_SET_PDEATHSIG, and the holder on its control socket's
EOF), even on SIGKILL.

Without nsenter, unshare, or user namespaces, or with egress but without pasta or nft,
sandboxes share the host's network as before, and one warning says so (HostNetwork).
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO

from lamina.execution.sandbox import identity
from lamina.execution.sandbox.readable import readable

log = logging.getLogger("lamina.execution")

HOLDER = Path(__file__).with_name("netns_holder.py")
START_TIMEOUT_S = 10.0
# Never reachable from a function: private, shared (CGNAT) and link-local (cloud metadata at
# 169.254.169.254) ranges; the node's own addresses are added at start.
BLOCKED4 = ("10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16")
BLOCKED6 = ("fc00::/7", "fe80::/10")
PASTA_OPTIONS = (
    "--config-net", "--no-map-gw", "-t", "none", "-u", "none", "-T", "none", "-U", "none",
)  # fmt: skip
# Where a sandbox sends DNS queries when the host's resolver is on its loopback (systemd-
# resolved's 127.0.0.53, dnsmasq...), which the namespace cannot reach: pasta forwards what
# arrives there to the host's first resolver (the address podman uses with pasta for this).
DNS_FORWARD = "169.254.1.1"

# PR_SET_PDEATHSIG fires when the *thread* that started a process ends: start the holder and
# pasta from one thread that lives as long as Lamina.
_starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lamina-netns")
Socket = socket.socket  # the methods named socket() hide the module's name in the classes


class HostNetwork:
    """Sandboxes on the host's network: its loopback and everything the node reaches."""

    isolated = False

    def socket(self, family: int = socket.AF_INET) -> Socket:
        """A TCP socket on the sandboxes' network, to bind or connect."""
        return socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)

    def listener(self, port: int = 0) -> Socket:
        """A socket bound on the sandboxes' 127.0.0.1 (`port`, or any), not yet listening."""
        sock = self.socket()
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", port))
        except BaseException:
            sock.close()
            raise
        return sock

    def enter(self, argv: list[str]) -> list[str]:
        """`argv`, run in the sandboxes' network."""
        return argv

    def etc_files(self) -> dict[str, str]:
        """Files of /etc (by name) a sandbox on this network sees instead of the host's."""
        return {}

    def close(self) -> None:
        pass


class SandboxNetwork(HostNetwork):
    isolated = True

    def __init__(self, egress: bool, resolv_conf: str = "/etc/resolv.conf") -> None:
        self.egress = egress
        resolvers = nameservers(resolv_conf)
        # The host's loopback resolvers are out of reach: DNS_FORWARD stands for them.
        self.dns_forward = egress and any(ipaddress.ip_address(r).is_loopback for r in resolvers)
        self._etc = {"resolv.conf": resolv_text(resolv_conf)} if self.dns_forward else {}
        reachable = [r for r in resolvers if not ipaddress.ip_address(r).is_loopback]
        if self.dns_forward:
            reachable.append(DNS_FORWARD)
        self.nsenter = shutil.which("nsenter") or "nsenter"
        self._lock = threading.Lock()
        self._holder: subprocess.Popen[bytes] | None = None
        self._pasta: subprocess.Popen[bytes] | None = None
        self._control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        rules = nft_rules(host_addresses(), reachable) if egress else ""
        fd = theirs.fileno()
        argv = ["setpriv", "--pdeathsig", "KILL", "--", "unshare", "--user", "--map-root-user",
                "--net", "--", sys.executable, "-I", "-S", str(HOLDER), str(fd)]  # fmt: skip
        with tempfile.TemporaryFile() as said:  # what it says on failure (unshare refused...)
            try:
                starting = _starter.submit(_start, argv, rules.encode(), (fd,), said.fileno())
                holder = self._holder = starting.result()
            except BaseException:
                self._control.close()
                raise
            finally:
                theirs.close()
            try:
                self._expect(b"ready", "the namespace's holder", said)
            except BaseException:
                self.close()
                raise
        self.pid = holder.pid
        if egress:
            try:
                self._start_pasta()
            except BaseException:
                self.close()
                raise

    def _start_pasta(self) -> None:
        ids = f"{os.geteuid()}:{os.getegid()}"  # as root pasta would drop to nobody and fail
        dns = ["--dns-forward", DNS_FORWARD] if self.dns_forward else []
        argv = ["setpriv", "--pdeathsig", "KILL", "--", "pasta", "-f", "-q", *PASTA_OPTIONS,
                *dns, "--runas", ids, str(self.pid)]  # fmt: skip
        with tempfile.TemporaryFile() as said:
            self._pasta = _starter.submit(_start, argv, None, (), said.fileno()).result()
            with self._lock:
                self._control.send(b"routed")  # the holder waits for pasta's configuration
            self._expect(b"ok", "pasta", said)

    def _expect(self, answer: bytes, who: str, stderr: IO[bytes]) -> None:
        got = self._control.recv(4096) if readable(self._control, START_TIMEOUT_S) else b""
        if got != answer:
            stderr.seek(0)
            said = [got.decode(errors="replace"), stderr.read().decode(errors="replace")]
            raise OSError(
                f"{who} did not start: {' '.join(s.strip() for s in said if s) or 'no answer'}"
            )

    def socket(self, family: int = socket.AF_INET) -> Socket:
        request = b"socket6" if family == socket.AF_INET6 else b"socket4"
        with self._lock:
            self._control.send(request)
            _, fds, _, _ = socket.recv_fds(self._control, 16, 1)
        if not fds:
            raise OSError("the sandboxes' network has ended")
        return socket.socket(fileno=fds[0])

    def enter(self, argv: list[str]) -> list[str]:
        if identity.as_root():
            # Root joins the network namespace alone: bwrap must stay in the host's user
            # namespace to enter the one Lamina made for the sandbox (identity.py), which
            # maps ids the holder's does not.
            return [self.nsenter, f"--target={self.pid}", "--net", "--", *argv]
        # --preserve-credentials: the uid stays Lamina's (uid 0 inside), and no setgroups,
        # which a user namespace made without root refuses.
        return [self.nsenter, f"--target={self.pid}", "--user", "--net", "--preserve-credentials",
                "--", *argv]  # fmt: skip

    def etc_files(self) -> dict[str, str]:
        return dict(self._etc)

    def pids(self) -> list[int]:
        """The holder's and pasta's process ids."""
        return [p.pid for p in (self._holder, self._pasta) if p is not None]

    def close(self) -> None:
        if self._pasta is not None:
            _end(self._pasta)
        self._control.close()  # the holder exits on EOF
        if self._holder is not None:
            _end(self._holder, patience=2.0)


def _start(
    argv: list[str], stdin: bytes | None, fds: tuple[int, ...], stderr: int | None = None
) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        pass_fds=fds,
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
        start_new_session=True,  # a terminal's Ctrl-C is Lamina's to handle
    )
    if stdin is not None:
        assert process.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            process.stdin.write(stdin)
        process.stdin.close()
    return process


def _end(process: subprocess.Popen[bytes], patience: float = 0.0) -> None:
    with contextlib.suppress(subprocess.TimeoutExpired):
        if patience and process.wait(patience) is not None:
            return
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    process.wait()


def sandbox_network(egress: bool) -> HostNetwork:
    """The node's sandboxes' network: a namespace of their own where one can be made here,
    else the host's (with one warning)."""
    tools = ["nsenter", "unshare", "setpriv", *(["pasta", "nft"] if egress else [])]
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        problem = f"{', '.join(missing)} not installed (Debian: apt-get install passt nftables)"
    else:
        try:
            return SandboxNetwork(egress)
        except OSError as e:
            problem = str(e)
    log.warning(
        "functions share the node's network (its loopback services and Lamina's admin "
        "endpoints are reachable from them): no network namespace for sandboxes, because %s",
        problem,
    )
    return HostNetwork()


def host_addresses() -> list[str]:
    """The node's own addresses (every interface's, loopback aside), as `ip` lists them."""
    try:
        done = subprocess.run(["ip", "-j", "addr", "show"], capture_output=True, timeout=5)
        interfaces = json.loads(done.stdout or b"[]")
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return []
    found = []
    for interface in interfaces:
        for address in interface.get("addr_info", []):
            with contextlib.suppress(KeyError, ValueError):
                if not ipaddress.ip_address(address["local"]).is_loopback:
                    found.append(address["local"])
    return found


def nameservers(path: str = "/etc/resolv.conf") -> list[str]:
    """The resolvers the host's resolv.conf names."""
    found = []
    with contextlib.suppress(OSError):
        for line in Path(path).read_text().splitlines():
            words = line.split()
            if len(words) >= 2 and words[0] == "nameserver":
                with contextlib.suppress(ValueError):
                    found.append(str(ipaddress.ip_address(words[1].split("%")[0])))
    return found


def resolv_text(path: str = "/etc/resolv.conf") -> str:
    """The host's resolv.conf as sandboxes see it when its resolvers are on its loopback:
    those are DNS_FORWARD (once, where the first was); search domains and options stay."""
    lines, forwarded = [], False
    with contextlib.suppress(OSError):
        for line in Path(path).read_text().splitlines():
            words = line.split()
            if len(words) >= 2 and words[0] == "nameserver":
                with contextlib.suppress(ValueError):
                    if ipaddress.ip_address(words[1].split("%")[0]).is_loopback:
                        if not forwarded:
                            lines.append(f"nameserver {DNS_FORWARD}")
                        forwarded = True
                        continue
            lines.append(line)
    return "\n".join(lines) + "\n"


def nft_rules(own: list[str], resolvers: list[str]) -> str:
    """The namespace's output filter: local destinations (its own loopback and addresses)
    pass, DNS to the configured resolvers passes, private and the node's addresses are
    refused at once (a TCP reset: connect() fails with ECONNREFUSED, not a timeout)."""
    lines = ["table inet lamina_sandboxes {", "  chain output {",
             "    type filter hook output priority 0; policy accept;",
             '    oifname "lo" accept']  # fmt: skip
    for family, version in (("ip", 4), ("ip6", 6)):
        dns = [r for r in resolvers if ipaddress.ip_address(r).version == version]
        if dns:
            lines.append(f"    {family} daddr {{ {', '.join(dns)} }} udp dport 53 accept")
            lines.append(f"    {family} daddr {{ {', '.join(dns)} }} tcp dport 53 accept")
        blocked = list(BLOCKED4 if version == 4 else BLOCKED6)
        blocked += [a for a in own if ipaddress.ip_address(a).version == version]
        where = f"{family} daddr {{ {', '.join(_collapsed(blocked))} }}"
        icmp = "icmp type net-unreachable" if version == 4 else "icmpv6 type no-route"
        lines.append(f"    {where} meta l4proto tcp reject with tcp reset")
        lines.append(f"    {where} reject with {icmp}")
    return "\n".join([*lines, "  }", "}", ""])


def _collapsed(networks: list[str]) -> list[str]:
    """Overlapping prefixes merged: nftables refuses a set whose intervals overlap."""
    parsed = [ipaddress.ip_network(n, strict=False) for n in networks]
    return [str(n) for n in ipaddress.collapse_addresses(parsed)]  # type: ignore[type-var]
