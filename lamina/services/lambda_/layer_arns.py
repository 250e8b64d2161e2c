"""Layer names and ARNs as Lambda accepts them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lamina.context import RequestContext
from lamina.services.lambda_.errors import invalid_parameter

_REGION = r"[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d"
_LAYER_ARN = re.compile(
    rf"^arn:aws[a-zA-Z-]*:lambda:(?P<region>{_REGION}):(?P<account>\d{{12}}):layer:"
    r"(?P<name>[a-zA-Z0-9_-]+)(?::(?P<version>\d+))?$"
)
_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,140}$")


@dataclass(frozen=True)
class LayerRef:
    account_id: str
    region: str
    name: str

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:layer:{self.name}"

    def version_arn(self, version: int) -> str:
        return f"{self.arn}:{version}"


def parse_layer_name(ctx: RequestContext, value: str) -> LayerRef:
    """A LayerName parameter: a name (the caller's) or a layer's ARN (perhaps another
    account's, whose own permissions then decide)."""
    match = _LAYER_ARN.match(value)
    if match and match.group("version") is None:
        return LayerRef(match.group("account"), match.group("region"), match.group("name"))
    if not _NAME.match(value):
        raise invalid_parameter(f"Invalid Layer name: {value}")
    return LayerRef(ctx.account_id, ctx.region, value)


def parse_layer_version_arn(value: str) -> tuple[LayerRef, int] | None:
    """(layer, version) a layer version ARN names; None when it is not one."""
    match = _LAYER_ARN.match(value)
    if not match or match.group("version") is None:
        return None
    ref = LayerRef(match.group("account"), match.group("region"), match.group("name"))
    return ref, int(match.group("version"))
