"""IP addresses and CIDR blocks, IPv4 and IPv6, for `cidr` and for exact values that are IPs."""

from __future__ import annotations

import ipaddress

from lamina.patterns.errors import PatternError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_cidr(text: str) -> Network:
    parts = text.split("/")
    if len(parts) != 2:
        raise PatternError("Malformed CIDR, one '/' required")
    address_text, bits_text = parts
    if not bits_text.isdigit():
        raise PatternError("Malformed CIDR, mask bits must be an integer")
    address = ip_or_none(address_text)
    if address is None:
        raise PatternError(f"Nonstandard IP address: {address_text}")
    bits = int(bits_text)
    if bits > address.max_prefixlen:
        raise PatternError(
            f"Malformed CIDR, mask bits must be between 0 and {address.max_prefixlen}"
        )
    # Host bits are allowed and ignored ("10.0.0.1/24" is 10.0.0.0/24).
    return ipaddress.ip_network(f"{address}/{bits}", strict=False)


def ip_or_none(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None
