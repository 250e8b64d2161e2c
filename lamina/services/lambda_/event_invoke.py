"""Lambda's event invoke configs: how a function's asynchronous invocations are retried and where
their records go (Put/Update/Get/List/DeleteFunctionEventInvokeConfig). The error messages are
the ones AWS answers with, which differ from GetFunction's "Function not found"."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from lamina.context import RequestContext
from lamina.protocol.errors import ServiceError
from lamina.services.lambda_ import event_configs as configs
from lamina.services.lambda_.arns import (
    LATEST,
    FunctionRef,
    function_arn,
    parse_function,
)
from lamina.services.lambda_.delivery import queue_exists, queue_parts
from lamina.services.lambda_.errors import invalid_parameter, not_supported
from lamina.services.lambda_.invoke import key_of
from lamina.services.lambda_.paging import Paging
from lamina.services.lambda_.recent import Recent
from lamina.services.registry import store_read

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from lamina.services.internal import InternalClient
    from lamina.services.lambda_.catalog import FunctionCatalog

SETTINGS = ("MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig")
DESTINATIONS = ("OnSuccess", "OnFailure")
# The model's FunctionArn pattern, with the parts named.
_FUNCTION_ARN = re.compile(
    r"arn:(?:aws[a-zA-Z-]*)?:lambda:(?P<region>[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):"
    r"(?P<account>\d{12}):function:(?P<name>[a-zA-Z0-9_-]+)(?::(?P<qualifier>\$LATEST|[\w-]+))?"
)
# Destinations Lamina cannot deliver to yet, by the ARN's service.
_NOT_YET = {"sqs": "Amazon SQS", "sns": "Amazon SNS", "events": "Amazon EventBridge"}


def no_function() -> ServiceError:
    """How Put, Update and List answer a function (or version) that is not there."""
    return ServiceError("ResourceNotFoundException", "The function doesn't exist.", Type="User")


def no_config(ref: FunctionRef) -> ServiceError:
    """How Get and Delete answer, whether the function or only its config is not there."""
    arn = function_arn(ref.region, ref.account_id, ref.name, qualifier_of(ref))
    message = f"The function {arn} doesn't have an EventInvokeConfig"
    return ServiceError("ResourceNotFoundException", message, Type="User")


def qualifier_of(ref: FunctionRef) -> str:
    return ref.qualifier or LATEST  # an unqualified call means $LATEST, and answers with it


def requested(params: dict[str, Any]) -> dict[str, Any]:
    """The settings a Put or Update names; DestinationConfig keeps only the destinations given."""
    wanted = {key: params[key] for key in SETTINGS if params.get(key) is not None}
    if not wanted:
        raise invalid_parameter(
            "You must specify at least one of error handling or destination setting."
        )
    if "DestinationConfig" in wanted:
        given = wanted["DestinationConfig"]
        wanted["DestinationConfig"] = {
            kind: {"Destination": given[kind]["Destination"]}
            for kind in DESTINATIONS
            if (given.get(kind) or {}).get("Destination")
        }
    return wanted


def present(ref: FunctionRef, stored: configs.EventInvokeConfig) -> dict[str, Any]:
    settings = stored.config
    destinations = settings.get("DestinationConfig", {})
    answer: dict[str, Any] = {
        "FunctionArn": function_arn(ref.region, ref.account_id, ref.name, stored.qualifier),
        "LastModified": stored.last_modified,
        # AWS answers with both, empty when unset.
        "DestinationConfig": {kind: destinations.get(kind, {}) for kind in DESTINATIONS},
    }
    answer.update({key: settings[key] for key in SETTINGS[:2] if key in settings})
    return answer


class EventInvokeConfigs:
    def __init__(self, functions: FunctionCatalog) -> None:
        self.functions = functions
        self.store = functions.store
        self.internal = functions.internal
        # $LATEST's retry settings, for the events' hot path.
        self.recent: Recent[tuple[str, str, str], dict | None] = Recent()
        functions.on_change(self.forget)

    def forget(self, ref: FunctionRef) -> None:
        self.recent.drop(key_of(ref))

    def reset(self) -> None:
        self.recent.clear()

    async def retry_settings_of(self, function_id: int, ref: FunctionRef) -> dict | None:
        return await self.functions.read(self._retry_settings, function_id, ref)

    def _retry_settings(self, function_id: int, ref: FunctionRef) -> dict | None:
        """The event invoke config; $LATEST's is kept a moment, as function configs are."""
        latest = (ref.qualifier or LATEST) == LATEST
        if latest:
            cached, config = self.recent.get(key_of(ref))
            if cached:
                return config
        read_at = time.monotonic()
        with self.store.read() as conn:
            config = configs.retry_settings(conn, function_id, ref.qualifier or LATEST)
        if latest:
            self.recent.put(key_of(ref), config, read_at)
        return config

    def put_function_event_invoke_config(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return self.write_config(ctx, params, merge=False)  # unset settings go away

    def update_function_event_invoke_config(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return self.write_config(ctx, params, merge=True)  # a config must exist already

    def write_config(
        self, ctx: RequestContext, params: dict[str, Any], merge: bool
    ) -> dict[str, Any]:
        wanted = requested(params)  # AWS checks this before the function exists
        ref = parse_function(ctx, params["FunctionName"], params.get("Qualifier"))
        with self.functions.writing(ref) as conn:
            with missing_as(no_function()):
                function = self.functions.find(conn, ref)
            config = wanted
            if merge:
                current = configs.get(
                    conn, function.function_id, qualifier_of(ref), for_update=True
                )
                if current is None:
                    raise no_config(ref)
                config = {**current.config, **wanted}
            self.check_destinations(conn, ref, wanted.get("DestinationConfig", {}))
            stored = configs.put(conn, function.function_id, qualifier_of(ref), config, time.time())
        if stored is None:
            raise no_function()
        return present(ref, stored)

    @store_read
    def get_function_event_invoke_config(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"], params.get("Qualifier"))
        with self.store.read() as conn, missing_as(no_config(ref)):
            found = configs.get(conn, self.functions.find(conn, ref).function_id, qualifier_of(ref))
        if found is None:
            raise no_config(ref)
        return present(ref, found)

    @store_read
    def list_function_event_invoke_configs(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"])
        paging = Paging(params, 50)
        with self.store.read() as conn:
            with missing_as(no_function()):
                function = self.functions.find(conn, ref)
            found = configs.list_page(conn, function.function_id, paging.after, paging.limit + 1)
        page, more = paging.page(found, lambda config: config.qualifier)
        return {"FunctionEventInvokeConfigs": [present(ref, each) for each in page], **more}

    def delete_function_event_invoke_config(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"], params.get("Qualifier"))
        with self.functions.writing(ref) as conn:
            with missing_as(no_config(ref)):
                function = self.functions.find(conn, ref)
            if not configs.delete(conn, function.function_id, qualifier_of(ref)):
                raise no_config(ref)
        return {}

    # -- destinations ----------------------------------------------------------------------

    def check_destinations(
        self, conn: Connection, ref: FunctionRef, destinations: dict[str, Any]
    ) -> None:
        for kind, target in destinations.items():
            arn = target["Destination"]
            service = arn.split(":")[2] if arn.startswith("arn:") and arn.count(":") > 2 else ""
            if service == "lambda":
                self.check_function_destination(conn, ref, arn)
            elif service == "sqs" and self.internal is not None and self.internal.serves("sqs"):
                check_queue_destination(self.internal, ref, arn)
            elif service in _NOT_YET or (service == "s3" and kind == "OnFailure"):
                raise not_supported(f"{_NOT_YET.get(service, 'Amazon S3')} destinations")
            else:  # S3 only takes failed events; no other service is a destination
                raise invalid_parameter(
                    f"The provided destination config {describe(destinations)} is invalid."
                )

    def check_function_destination(self, conn: Connection, ref: FunctionRef, arn: str) -> None:
        match = _FUNCTION_ARN.fullmatch(arn)
        invalid = invalid_parameter(f"The destination ARN {arn} is invalid.")
        if match is None or (match["account"], match["region"]) != (ref.account_id, ref.region):
            raise invalid  # Lamina delivers only to functions in the caller's account and region
        if match["name"] == ref.name:
            raise invalid_parameter("You can't specify the function as a destination for itself.")
        target = FunctionRef(ref.account_id, ref.region, match["name"], match["qualifier"])
        with missing_as(invalid):  # AWS checks that the destination exists when it is set
            self.functions.find(conn, target)


def check_queue_destination(internal: InternalClient, ref: FunctionRef, arn: str) -> None:
    """An SQS queue in the function's region; AWS checks, when it is set, that the execution
    role may send to it (Lamina: that it is there, see dead_letters.py)."""
    parts = queue_parts(arn)
    if parts is None or parts[0] != ref.region:
        raise invalid_parameter(f"The destination ARN {arn} is invalid.")
    if not queue_exists(internal, arn, ref.account_id):
        raise invalid_parameter(
            f"The function's execution role does not have permissions to call SendMessage on {arn}"
        )


def describe(destinations: dict[str, Any]) -> str:
    """A destination config as AWS quotes it in errors (its Java object's toString)."""
    parts = [
        f"{kind[0].lower()}{kind[1:]}={kind}(destination={target['Destination']})"
        if (target := destinations.get(kind))
        else f"{kind[0].lower()}{kind[1:]}=null"
        for kind in DESTINATIONS
    ]
    return f"DestinationConfig({', '.join(parts)})"


@contextlib.contextmanager
def missing_as(error: ServiceError) -> Iterator[None]:
    """Answer a function (or version) that is not there with this operation's own error."""
    try:
        yield
    except ServiceError as raised:
        if raised.code != "ResourceNotFoundException":
            raise
        raise error from None
