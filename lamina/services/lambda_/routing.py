"""Where an invocation of a qualifier goes: one version, or (an alias with
RoutingConfig.AdditionalVersionWeights) one of two, by weight."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from lamina.protocol.errors import ServiceError
from lamina.services.lambda_ import functions as repo
from lamina.services.lambda_.arns import LATEST
from lamina.services.lambda_.errors import invalid_parameter


@dataclass(frozen=True)
class Route:
    primary: repo.FunctionVersion
    additional: repo.FunctionVersion | None = None
    weight: float = 0.0  # the share of invocations the additional version takes

    def pick(self) -> repo.FunctionVersion:
        if self.additional is not None and random.random() < self.weight:
            return self.additional
        return self.primary


def weights_of(routing_config: dict[str, Any] | None) -> dict[str, float]:
    return dict((routing_config or {}).get("AdditionalVersionWeights") or {})


def check_weights(weights: dict[str, float], primary: str) -> None:
    """AWS's rules for AdditionalVersionWeights, with its messages (the model checks 0-1)."""
    if len(weights) > 1:
        raise invalid_parameter(
            "Number of items in AdditionalVersionWeights cannot be greater than 1"
        )
    for version, weight in weights.items():
        if not 0.0 <= weight <= 1.0:
            raise validation_error(
                f"Value '{{{version}={weight}}}' at 'routingConfig.additionalVersionWeights' "
                "failed to satisfy constraint: Map value must satisfy constraint: [Member must "
                "have value less than or equal to 1.0, Member must have value greater than or "
                "equal to 0.0, Member must not be null]"
            )
        if version == primary:
            raise invalid_parameter(
                f"Invalid function version {primary}. Function version {primary} is already "
                "included in routing configuration."
            )
        if primary == LATEST:
            raise invalid_parameter(
                "$LATEST is not supported for an alias pointing to more than 1 version"
            )
        if not version.isdigit():
            raise validation_error(
                f"Value '{{{version}={weight}}}' at 'routingConfig.additionalVersionWeights' "
                "failed to satisfy constraint: Map keys must satisfy constraint: [Member must "
                "have length less than or equal to 1024, Member must have length greater than "
                "or equal to 1, Member must satisfy regular expression pattern: [0-9]+, Member "
                "must not be null]"
            )


def validation_error(message: str) -> ServiceError:
    return ServiceError("ValidationException", f"1 validation error detected: {message}", 400)
