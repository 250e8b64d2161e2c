"""Which runtimes a function may name: those Lamina runs, AWS's deprecated ones, and the rest."""

from __future__ import annotations

from lamina.services.lambda_.errors import invalid_parameter

SUPPORTED = frozenset(
    {
        *(f"python3.{minor}" for minor in range(9, 15)),
        "nodejs18.x",
        "nodejs20.x",
        "nodejs22.x",
        "nodejs24.x",
        "provided.al2",
        "provided.al2023",
    }
)

# AWS refuses to create or update functions on these (Lambda's runtime deprecation policy).
DEPRECATED = frozenset(
    {
        "nodejs", "nodejs4.3", "nodejs4.3-edge", "nodejs6.10", "nodejs8.10", "nodejs10.x",
        "nodejs12.x", "nodejs14.x", "nodejs16.x", "python2.7", "python3.6", "python3.7",
        "python3.8", "java8", "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1",
        "dotnetcore3.1", "dotnet6", "go1.x", "ruby2.5", "ruby2.7", "provided",
    }
)  # fmt: skip


def check_runtime(runtime: str) -> None:
    if runtime in SUPPORTED:
        return
    if runtime in DEPRECATED:
        raise invalid_parameter(
            f"The runtime parameter of {runtime} is no longer supported for creating or updating "
            "AWS Lambda functions. We recommend you use a supported runtime while creating or "
            "updating functions."
        )
    raise invalid_parameter(
        f"Lamina does not support the runtime {runtime}; supported runtimes: "
        + ", ".join(sorted(SUPPORTED))
    )
