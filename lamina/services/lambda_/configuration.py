"""FunctionConfiguration: built by CreateFunction, changed by updates, checked as AWS does."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from lamina.execution.sandbox.networks import DEFAULT, VPC
from lamina.protocol.errors import ServiceError
from lamina.protocol.validate import coral_message
from lamina.services.lambda_.arns import LATEST
from lamina.services.lambda_.dead_letters import apply_dead_letter_config
from lamina.services.lambda_.errors import invalid_parameter, not_supported
from lamina.services.lambda_.runtimes import check_runtime

ENVIRONMENT_LIMIT = 4096
# Lambda's limits for functions on its own fleet. The model allows more (32768 MB, 5400 s) for
# functions on capacity providers, which Lamina does not offer.
UPPER_LIMITS = {"MemorySize": ("memorySize", 10240), "Timeout": ("timeout", 900)}
RESERVED_VARIABLES = frozenset(
    {
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    }
)  # fmt: skip

# Members copied as given; the rest are derived or checked below.
_PLAIN = ("Role", "Handler", "Description", "Timeout", "MemorySize", "KMSKeyArn")
_NOT_YET = {
    "CodeSigningConfigArn": "code signing configurations",
    "ImageConfig": "container image configuration",
    "CapacityProviderConfig": "capacity providers",
    "DurableConfig": "durable functions",
    "AcceleratorConfig": "accelerators",
    "TenancyConfig": "tenant isolation",
    "PublishTo": "publishing to a capacity provider",
}


def last_modified(now: float | None = None) -> str:
    """Lambda's own timestamp format: 2024-01-31T12:00:00.000+0000."""
    now = time.time() if now is None else now
    millis = int(now * 1000) % 1000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{millis:03d}+0000"


def new_revision() -> str:
    return str(uuid.uuid4())


def initial_config(params: dict[str, Any], name: str, arn: str) -> dict[str, Any]:
    """The $LATEST configuration of a new function, with Lambda's defaults."""
    check_unsupported(params)
    package_type = params.get("PackageType", "Zip")
    if package_type != "Zip":
        raise not_supported("container image functions (PackageType Image)")
    if not params.get("Runtime") or not params.get("Handler"):
        raise invalid_parameter(
            "Runtime and Handler are mandatory parameters for functions created with "
            "deployment packages."
        )
    config: dict[str, Any] = {
        "FunctionName": name,
        "FunctionArn": arn,
        "Description": "",
        "Timeout": 3,
        "MemorySize": 128,
        "Version": LATEST,
        "TracingConfig": {"Mode": "PassThrough"},
        "PackageType": "Zip",
        "Architectures": params.get("Architectures") or ["x86_64"],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    return apply_changes(config, params)


def set_layers(config: dict[str, Any], entries: list[dict[str, Any]]) -> None:
    """The function's Layers, resolved by the provider (layers.py); none: the member goes."""
    config.pop("Layers", None)
    if entries:
        config["Layers"] = entries


def apply_changes(config: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """A copy of `config` with the members of a Create or UpdateFunctionConfiguration applied."""
    check_unsupported(params)
    check_limits(params)
    config = json.loads(json.dumps(config))
    for key in _PLAIN:
        if key in params:
            config[key] = params[key]
    if "Runtime" in params:
        check_runtime(params["Runtime"])
        config["Runtime"] = params["Runtime"]
    if "Environment" in params:
        variables = (params["Environment"] or {}).get("Variables") or {}
        check_environment(variables)
        config["Environment"] = {"Variables": variables}
    if "TracingConfig" in params:
        config["TracingConfig"] = {"Mode": params["TracingConfig"].get("Mode", "PassThrough")}
    if "EphemeralStorage" in params:
        config["EphemeralStorage"] = {"Size": params["EphemeralStorage"]["Size"]}
    if "VpcConfig" in params:
        config["VpcConfig"] = vpc_config(params["VpcConfig"])
    if "DeadLetterConfig" in params:  # checked by the provider (dead_letters.py)
        apply_dead_letter_config(config, params["DeadLetterConfig"] or {})
    if "FileSystemConfigs" in params:
        config["FileSystemConfigs"] = params["FileSystemConfigs"]
    if "SnapStart" in params:
        apply_on = params["SnapStart"].get("ApplyOn", "None")
        config["SnapStart"] = {"ApplyOn": apply_on, "OptimizationStatus": "Off"}
    if "LoggingConfig" in params:
        config["LoggingConfig"] = logging_config(config["LoggingConfig"], params["LoggingConfig"])
    if "RuntimeConfig" in params:
        config["RuntimeConfig"] = params["RuntimeConfig"]
    return config


def check_unsupported(params: dict[str, Any]) -> None:
    for key, what in _NOT_YET.items():
        if params.get(key):
            raise not_supported(what)


def check_limits(params: dict[str, Any]) -> None:
    texts = [
        f"Value '{params[key]}' at '{path}' failed to satisfy constraint: "
        f"Member must have value less than or equal to {limit}"
        for key, (path, limit) in UPPER_LIMITS.items()
        if key in params and params[key] > limit
    ]
    if texts:
        raise ServiceError("ValidationException", coral_message(texts), 400)


def check_environment(variables: dict[str, str]) -> None:
    reserved = sorted(key for key in variables if key in RESERVED_VARIABLES)
    if reserved:
        raise invalid_parameter(
            "Lambda was unable to configure your environment variables because the environment "
            "variables you have provided contains reserved keys that are currently not supported "
            f"for modification. Reserved keys used in this request: {', '.join(reserved)}"
        )
    measured = json.dumps(variables, separators=(",", ":"))
    if len(measured.encode()) > ENVIRONMENT_LIMIT:
        raise invalid_parameter(
            "Lambda was unable to configure your environment variables because the environment "
            "variables you have provided exceeded the 4KB limit. "
            f"String measured: {measured}"
        )


def vpc_config(given: dict[str, Any]) -> dict[str, Any]:
    """VpcConfig as stored and shown. Lamina has no EC2, so no subnet belongs to a VPC it
    could name: VpcId stays "" (AWS shows the subnets' VPC). The lists' limits (16 subnets,
    5 security groups, their ids' patterns) are the model's, checked before this."""
    return {
        "SubnetIds": given.get("SubnetIds", []),
        "SecurityGroupIds": given.get("SecurityGroupIds", []),
        "Ipv6AllowedForDualStack": given.get("Ipv6AllowedForDualStack", False),
        "VpcId": "",
    }


def logging_config(current: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    merged = {**current, **given}
    if merged.get("LogFormat") != "JSON" and (
        "ApplicationLogLevel" in given or "SystemLogLevel" in given
    ):
        raise invalid_parameter(
            "Log level configuration is only supported when the log format is JSON."
        )
    if merged.get("LogFormat") == "JSON":
        merged.setdefault("ApplicationLogLevel", "INFO")
        merged.setdefault("SystemLogLevel", "INFO")
    else:
        merged.pop("ApplicationLogLevel", None)
        merged.pop("SystemLogLevel", None)
    return merged


def present(config: dict[str, Any], transition: str | None = None) -> dict[str, Any]:
    """The configuration as the API shows it; `transition` is 'create' or 'update' for the
    answer to the call that started one (AWS answers Pending/InProgress, then settles)."""
    shown = dict(config)
    if "Layers" in shown:  # each entry also keeps its content's digest and size, unshown
        shown["Layers"] = [{"Arn": x["Arn"], "CodeSize": x["CodeSize"]} for x in shown["Layers"]]
    shown["State"] = "Active"
    shown["LastUpdateStatus"] = "Successful"
    if transition == "create":
        shown.update(
            State="Pending",
            StateReason="The function is being created.",
            StateReasonCode="Creating",
        )
    elif transition == "update":
        shown.update(
            LastUpdateStatus="InProgress",
            LastUpdateStatusReason="The function is being created.",
            LastUpdateStatusReasonCode="Creating",
        )
    return shown


def network_of(config: dict[str, Any]) -> str:
    """The sandbox network a function's environments are on: the VPC network when its
    VpcConfig names subnets; empty lists detach it from its VPC, as on AWS."""
    return VPC if (config.get("VpcConfig") or {}).get("SubnetIds") else DEFAULT
