"""Function names, ARNs and qualifiers as Lambda accepts them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lamina.context import RequestContext
from lamina.services.lambda_.errors import function_not_found, invalid_parameter

# name | account:function:name | arn:aws:lambda:region:account:function:name, each ':qualifier'?
_FUNCTION = re.compile(
    r"^(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?(?:(?P<region>[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?"
    r"(?:(?P<account>\d{12}):)?(?:function:)?(?P<name>[a-zA-Z0-9_-]+)"
    r"(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9_-]+))?$"
)

LATEST = "$LATEST"


@dataclass(frozen=True)
class FunctionRef:
    account_id: str
    region: str
    name: str
    qualifier: str | None

    @property
    def arn(self) -> str:
        return function_arn(self.region, self.account_id, self.name)

    @property
    def qualified_arn(self) -> str:
        return f"{self.arn}:{self.qualifier}" if self.qualifier else self.arn


def function_arn(region: str, account_id: str, name: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{region}:{account_id}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def parse_function(ctx: RequestContext, value: str, qualifier: str | None = None) -> FunctionRef:
    """The function a FunctionName (name, partial or full ARN) and Qualifier parameter name."""
    match = _FUNCTION.match(value)
    if not match:
        raise invalid_parameter(f"Invalid function name or ARN: {value}")
    derived = match.group("qualifier")
    if derived and qualifier and derived != qualifier:
        raise invalid_parameter(
            "The derived qualifier from the function name does not match the specified qualifier."
        )
    ref = FunctionRef(
        account_id=match.group("account") or ctx.account_id,
        region=match.group("region") or ctx.region,
        name=match.group("name"),
        qualifier=derived or qualifier,
    )
    if (ref.account_id, ref.region) != (ctx.account_id, ctx.region):
        # Another account or region: not visible from this caller's partition.
        raise function_not_found(ref.qualified_arn)
    return ref


def parse_function_arn(ctx: RequestContext, arn: str) -> FunctionRef:
    """A tagging Resource: it must be a full, unqualified function ARN. Tags belong to the
    function, so AWS refuses a version's or alias's ARN (even $LATEST's) before it looks."""
    if not arn.startswith("arn:"):
        raise invalid_parameter(f"Invalid ARN: {arn}")
    ref = parse_function(ctx, arn)
    if ref.qualifier:
        raise invalid_parameter(
            "Tags on function aliases and versions are not supported. "
            "Please specify a function ARN."
        )
    return ref


def ref_from_arn(arn: str) -> FunctionRef | None:
    """The function a full ARN names (a destination's), or None when it names none."""
    match = _FUNCTION.match(arn)
    if not arn.startswith("arn:") or not match or not match.group("account"):
        return None
    if not match.group("region"):
        return None
    region, account = match.group("region"), match.group("account")
    return FunctionRef(account, region, match.group("name"), match.group("qualifier"))
