"""Lambda's functions: their code and configuration, read and written (the store module is
functions.py). The other domain objects find a function through this one, and hear of each
change to it (`on_change`), so what they keep of a function is dropped once it is committed."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from sqlalchemy.engine import Connection

from lamina.config import Settings
from lamina.context import RequestContext
from lamina.execution.service import ExecutionService
from lamina.services import tagging
from lamina.services.internal import InternalClient
from lamina.services.lambda_ import aliases, versions
from lamina.services.lambda_ import functions as repo
from lamina.services.lambda_.arns import (
    LATEST,
    FunctionRef,
    function_arn,
    parse_function,
)
from lamina.services.lambda_.code import CodePackage, read_code, unzipped_size
from lamina.services.lambda_.configuration import (
    apply_changes,
    initial_config,
    last_modified,
    network_of,
    new_revision,
    present,
    set_layers,
)
from lamina.services.lambda_.dead_letters import check_dead_letter_config
from lamina.services.lambda_.errors import (
    code_storage_exceeded,
    function_exists,
    function_not_found,
    invalid_parameter,
    precondition_failed,
)
from lamina.services.lambda_.invoke import key_of
from lamina.services.lambda_.layers import Layers
from lamina.services.lambda_.paging import Paging, invalid_marker
from lamina.services.lambda_.recent import Recent
from lamina.services.lambda_.roles import ExecutionRoles
from lamina.services.lambda_.routing import Route
from lamina.services.lambda_.tags import check_tags
from lamina.services.registry import store_read
from lamina.store import Store


class FunctionCatalog:
    def __init__(
        self,
        store: Store,
        settings: Settings,
        execution: ExecutionService | None,
        internal: InternalClient | None,
        layers: Layers,
    ) -> None:
        self.store = store
        self.layers = layers  # what a function's Layers name
        self.settings = settings
        self.execution = execution
        self.internal = internal
        self.roles = ExecutionRoles(internal, settings)
        # Where invocations of each qualifier of a function go, for Invoke's hot path.
        self.recent: Recent[tuple[str, str, str, str], Route] = Recent(group=lambda key: key[:3])
        self.listeners: list[Callable[[FunctionRef], None]] = []

    def on_change(self, listener: Callable[[FunctionRef], None]) -> None:
        """`listener(ref)` once a write transaction on the function has ended."""
        self.listeners.append(listener)

    @contextlib.contextmanager
    def writing(self, ref: FunctionRef) -> Iterator[Connection]:
        """A write transaction on one function; once it has ended, the function's cached
        configuration is dropped, so the next invoke here reads what was committed."""
        try:
            with self.store.write() as conn:
                yield conn
        finally:
            self.recent.drop_group(key_of(ref))
            for listener in self.listeners:
                listener(ref)

    def reset(self) -> None:
        self.recent.clear()

    async def read(self, read: Callable[..., Any], *args: Any) -> Any:
        """A store read from the event loop: inline where reads never wait, else in a thread."""
        if not self.store.reads_wait:
            return read(*args)  # SQLite: a brief read on the loop costs less than a thread
        return await asyncio.get_running_loop().run_in_executor(None, read, *args)

    # -- reading ---------------------------------------------------------------------------

    def find(self, conn: Connection, ref: FunctionRef) -> repo.FunctionVersion:
        """The version a reference names: $LATEST (unqualified), a published version, or the
        version an alias points at."""
        return self.route(conn, ref).primary

    def route(self, conn: Connection, ref: FunctionRef) -> Route:
        """Where an invocation of the reference goes (an alias may split it between two)."""
        qualifier = ref.qualifier or LATEST
        if qualifier == LATEST or qualifier.isdigit():
            found = repo.get(conn, ref.account_id, ref.region, ref.name, qualifier)
            if found is None:
                raise function_not_found(ref.qualified_arn)
            return Route(found)
        latest = repo.get(conn, ref.account_id, ref.region, ref.name)
        alias = aliases.get(conn, latest.function_id, qualifier) if latest else None
        if alias is None:
            raise function_not_found(ref.qualified_arn)
        primary = repo.get(conn, ref.account_id, ref.region, ref.name, alias.function_version)
        if primary is None:  # its version was deleted meanwhile
            raise function_not_found(ref.qualified_arn)
        if not alias.routing:
            return Route(primary)
        ((version, weight),) = alias.routing.items()  # AWS allows one additional version
        extra = repo.get(conn, ref.account_id, ref.region, ref.name, version)
        return Route(primary, extra, weight if extra else 0.0)

    def find_latest(self, conn: Connection, ref: FunctionRef) -> repo.FunctionVersion:
        """The function to change: only $LATEST changes; published versions are immutable."""
        found = self.find(conn, ref)
        if ref.qualifier not in (None, LATEST):
            raise invalid_parameter(
                f"{ref.qualified_arn} is a published version or an alias, which cannot be "
                "changed: change $LATEST (the unqualified function) and publish a version."
            )
        return found

    def find_for_invoke(self, ref: FunctionRef) -> repo.FunctionVersion:
        """The version to run, by the alias's weights if it has two; kept a moment (recent.py)."""
        key = (ref.account_id, ref.region, ref.name, ref.qualifier or LATEST)
        _, route = self.recent.get(key)
        if route is None:
            read_at = time.monotonic()
            with self.store.read() as conn:
                route = self.route(conn, ref)
            self.recent.put(key, route, read_at)
        return route.pick()

    @store_read
    def get_function(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"], params.get("Qualifier"))
        with self.store.read() as conn:
            function = self.find(conn, ref)
            tags = tagging.get_tags(conn, ref.arn)
        result: dict[str, Any] = {
            "Configuration": shown_as(function.config, ref),
            "Code": {
                "RepositoryType": "S3",
                "Location": f"{ctx.base_url}/_lamina/code/{function.code_digest}.zip",
            },
        }
        if tags:
            result["Tags"] = tags
        if function.reserved_concurrency is not None:
            result["Concurrency"] = {"ReservedConcurrentExecutions": function.reserved_concurrency}
        return result

    @store_read
    def get_function_configuration(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"], params.get("Qualifier"))
        with self.store.read() as conn:
            return shown_as(self.find(conn, ref).config, ref)

    @store_read
    def list_functions(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        paging = Paging(params, 50)
        if params.get("FunctionVersion") == "ALL":
            return self.list_every_version(ctx, paging)
        with self.store.read() as conn:
            found = repo.list_latest(
                conn, ctx.account_id, ctx.region, paging.after, paging.limit + 1
            )
        page, more = paging.page(found, lambda function: function.name)
        return {"Functions": [present(f.config) for f in page], **more}

    def list_every_version(self, ctx: RequestContext, paging: Paging) -> dict[str, Any]:
        """ListFunctions with FunctionVersion ALL: each function's versions, $LATEST first, each
        ARN qualified. The marker is the last one's qualified ARN."""
        with self.store.read() as conn:
            every = repo.list_every_version(conn, ctx.account_id, ctx.region)
        shown = [versions.shown(each) for each in every]
        arns = [each["FunctionArn"] for each in shown]
        after = paging.after
        start = arns.index(after) + 1 if after in arns else 0
        if after is not None and after not in arns:
            raise invalid_marker(after)
        page, more = paging.page(shown[start:], lambda each: each["FunctionArn"])
        return {"Functions": page, **more}

    # -- writing ---------------------------------------------------------------------------

    def create_function(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"])
        if ref.qualifier:
            raise invalid_parameter("A function name cannot have a qualifier when it is created.")
        arn = function_arn(ref.region, ref.account_id, ref.name)
        config = initial_config(params, ref.name, arn)
        self.roles.check(ctx, params["Role"])
        if params.get("DeadLetterConfig"):
            check_dead_letter_config(self.internal, ctx, params["DeadLetterConfig"])
        tags = params.get("Tags") or {}
        check_tags(tags)
        code = read_code(params["Code"], "CreateFunction")
        set_layers(config, self.layer_entries(ctx, params, unzipped_size(code.data)))
        digest = self.store.blobs.put(code.data)  # before the row: a row never names a lost blob
        config.update(with_code(code), LastModified=last_modified(), RevisionId=new_revision())
        with self.writing(ref) as conn:
            self.check_code_storage(conn, ctx, code.size)
            try:
                latest = repo.insert(conn, ref.account_id, ref.region, config, digest)
            except repo.AlreadyExists:
                raise function_exists(ref.name) from None
            tagging.put_tags(conn, arn, tags)
            if params.get("Publish"):  # version 1, in the same transaction
                config = versions.publish(conn, latest).config
        self.prewarm(config)
        return present(config, "create")

    def update_function_code(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"])
        code = read_code(params, "UpdateFunctionCode")
        digest = self.store.blobs.put(code.data)  # read_code never passes an empty zip

        def change(conn: Connection, current: repo.FunctionVersion) -> tuple[dict[str, Any], str]:
            self.check_code_storage(conn, ctx, code.size - current.config["CodeSize"])
            layers = current.config.get("Layers", [])
            self.layers.check_total(unzipped_size(code.data), [x["UnzippedSize"] for x in layers])
            config = dict(current.config, **with_code(code))
            if params.get("Architectures"):
                config["Architectures"] = params["Architectures"]
            return config, digest

        dry_run = bool(params.get("DryRun"))
        return self.update(ref, params, change, dry_run, publish=bool(params.get("Publish")))

    def update_function_configuration(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"])
        if "Role" in params:
            self.roles.check(ctx, params["Role"])
        if params.get("DeadLetterConfig"):
            check_dead_letter_config(self.internal, ctx, params["DeadLetterConfig"])

        def change(conn: Connection, current: repo.FunctionVersion) -> tuple[dict[str, Any], str]:
            config = apply_changes(current.config, params)
            if "Layers" in params:
                code_size = unzipped_size(self.store.blobs.path(current.code_digest))
                set_layers(config, self.layer_entries(ctx, params, code_size))
            return config, current.code_digest

        answer = self.update(ref, params, change)
        self.prewarm(answer)
        return answer

    def layer_entries(self, ctx: RequestContext, params: dict[str, Any], code_unzipped: int):
        """The configuration's entries for the Layers (ARNs) of a request."""
        found = self.layers.for_function(ctx, params.get("Layers") or [], code_unzipped)
        return [layer.entry() for layer in found]

    def prewarm(self, config: dict[str, Any]) -> None:
        """An invoke usually follows: start its environment's sandbox and runtime now."""
        if self.execution is not None and config.get("Runtime"):
            storage = config.get("EphemeralStorage", {}).get("Size", 512)
            network = network_of(config)
            self.execution.prewarm(config["Runtime"], config["MemorySize"], storage, network)

    def update(
        self,
        ref: FunctionRef,
        params: dict[str, Any],
        change: Any,
        dry_run: bool = False,
        publish: bool = False,
    ) -> dict[str, Any]:
        """Read, change, write if unchanged meanwhile. With a RevisionId the caller's view must be
        current; without one we retry on a concurrent change, so no update is lost."""
        expected = params.get("RevisionId")
        while True:
            with self.writing(ref) as conn:
                current = self.find_latest(conn, ref)
                if expected and expected != current.revision_id:
                    raise precondition_failed()
                config, digest = change(conn, current)
                config.update(LastModified=last_modified(), RevisionId=new_revision())
                if dry_run:
                    return present(config)
                if repo.replace(conn, current, config, digest):
                    if publish:  # the new code as a version, in the same transaction
                        changed = replace(current, config=config, code_digest=digest,
                                          revision_id=config["RevisionId"])  # fmt: skip
                        return present(versions.publish(conn, changed).config, "update")
                    return present(config, "update")
            if expected:
                raise precondition_failed()

    def check_code_storage(self, conn: Connection, ctx: RequestContext, added: int) -> None:
        used, _ = repo.usage(conn, ctx.account_id, ctx.region)
        if added > 0 and used + added > self.settings.code_storage_bytes:
            raise code_storage_exceeded()


def shown_as(config: dict[str, Any], ref: FunctionRef) -> dict[str, Any]:
    """A configuration as read through a qualifier: a version's ARN carries its number, an
    alias's its name (not the version it points at); $LATEST's stays unqualified."""
    shown = present(config)
    if ref.qualifier and ref.qualifier != LATEST:
        shown["FunctionArn"] = function_arn(ref.region, ref.account_id, ref.name, ref.qualifier)
    return shown


def with_code(code: CodePackage) -> dict[str, Any]:
    return {"CodeSize": code.size, "CodeSha256": code.sha256}
