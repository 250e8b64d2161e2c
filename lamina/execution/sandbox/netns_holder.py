"""The holder of the sandboxes' network namespace (run by network.py, never imported).

It runs as uid 0 of a new user namespace in a new network namespace, so it may configure that
namespace (loopback up, the nftables rules that keep functions off the node's own and private
addresses) and hands Lamina sockets made in it: a socket belongs to the namespace it was made
in, so Lamina binds and connects them there from the host. It lives while the control socket
(argv[1]) is open; its namespaces live while it, a sandbox or one of those sockets does.

Requests on the control socket (SOCK_SEQPACKET), each answered in turn:
  b"socket4" / b"socket6"  a new TCP socket of that family, as SCM_RIGHTS
  b"routed"                b"ok" once a default route exists (pasta has configured eth0)
"""

import os
import socket
import subprocess
import sys
import time


def _run(argv: list[str], stdin: str) -> str:
    done = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=10)
    return "" if done.returncode == 0 else f"{argv[0]}: {done.stderr.strip()}"


def _routed(timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with open("/proc/net/route") as routes:
            if any(line.split()[1] == "00000000" for line in routes.readlines()[1:]):
                return True
        time.sleep(0.005)
    return False


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    rules = sys.stdin.read()  # nftables rules, or nothing
    problem = _run(["ip", "-batch", "-"], "link set lo up\n")
    if not problem and rules:
        problem = _run(["nft", "-f", "-"], rules)
    control.send(problem.encode() or b"ready")
    if problem:
        return
    families = {b"socket4": socket.AF_INET, b"socket6": socket.AF_INET6}
    while request := control.recv(64):
        if request in families:
            sock = socket.socket(families[request], socket.SOCK_STREAM, socket.IPPROTO_TCP)
            socket.send_fds(control, [b"S"], [sock.fileno()])
            sock.close()
        elif request == b"routed":
            control.send(b"ok" if _routed(10.0) else b"no default route")
    os._exit(0)


if __name__ == "__main__":
    main()
