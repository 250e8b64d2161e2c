"""Lambda's API: a thin face that maps each operation onto the domain object owning it.

- `functions` (catalog.py): functions, their code and configuration;
- `versions` (versions.py) and `aliases` (alias_operations.py): published versions, aliases;
- `concurrency` (settings.py): reserved concurrency, the account's limits;
- `provisioned` (provisioned.py): provisioned concurrency configs and their environments;
- `tags` (tags.py): tags on functions and event source mappings;
- `event_configs` (event_invoke.py): how asynchronous invocations are retried and delivered;
- `invoker` (invoke.py) and `events` (async_invoke.py): synchronous and queued invocations;
- `streaming` (stream_invoke.py): InvokeWithResponseStream, and RESPONSE_STREAM URLs' invokes;
- `mappings` (esm_operations.py): event source mappings, and what their pollers see;
- `policies` (policies.py): resource-based policies;
- `urls` (function_urls.py): function URLs; `url_plane` (url_plane.py) serves their requests;
- `layers` (layers.py): layers, their versions and permissions.
"""

from __future__ import annotations

from typing import Any

from lamina.config import Settings
from lamina.context import RequestContext
from lamina.execution.concurrency import ConcurrencyAccounting
from lamina.execution.service import ExecutionService
from lamina.pollers.fleet import Fleet
from lamina.services.cloudwatch.recorder import MetricRecorder
from lamina.services.internal import InternalClient
from lamina.services.lambda_.alias_operations import Aliases
from lamina.services.lambda_.arns import parse_function
from lamina.services.lambda_.async_invoke import AsyncInvocations
from lamina.services.lambda_.caches import CacheSweeper
from lamina.services.lambda_.catalog import FunctionCatalog
from lamina.services.lambda_.delivery import Deliveries
from lamina.services.lambda_.esm_operations import EventSourceMappings
from lamina.services.lambda_.event_invoke import EventInvokeConfigs
from lamina.services.lambda_.function_urls import FunctionUrls
from lamina.services.lambda_.invoke import Invoker
from lamina.services.lambda_.layers import Layers
from lamina.services.lambda_.metrics import LambdaMetrics
from lamina.services.lambda_.policies import ResourcePolicies
from lamina.services.lambda_.provisioned import ProvisionedConcurrency
from lamina.services.lambda_.settings import ConcurrencySettings
from lamina.services.lambda_.stream_invoke import StreamingInvocation, StreamingInvoker
from lamina.services.lambda_.tags import Tags
from lamina.services.lambda_.url_plane import FunctionUrlPlane
from lamina.services.lambda_.versions import Versions
from lamina.services.registry import Provider, store_read
from lamina.store import Store
from lamina.work.queue import WorkQueue

Params = dict[str, Any]
Answer = dict[str, Any]


class LambdaProvider(Provider):
    service_name = "lambda"

    def __init__(
        self,
        store: Store,
        settings: Settings,
        execution: ExecutionService | None = None,
        recorder: MetricRecorder | None = None,
        internal: InternalClient | None = None,
        work: WorkQueue | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.internal = internal
        self.metrics = LambdaMetrics(recorder)
        # The node's work queue runs asynchronous events (a queue of its own when alone).
        self.own_work = work is None
        self.work = work or WorkQueue.on(store, settings.node_name)
        self.layers = Layers(store)
        self.functions = FunctionCatalog(store, settings, execution, internal, self.layers)
        self.versions = Versions(self.functions)
        self.aliases = Aliases(self.functions)
        self.concurrency = ConcurrencySettings(self.functions)
        self.provisioned = ProvisionedConcurrency(self.functions)
        self.caches = CacheSweeper(self.functions)
        self.event_configs = EventInvokeConfigs(self.functions)
        accounting = execution.concurrency if execution else ConcurrencyAccounting()
        self.invoker = Invoker(self.functions, self.concurrency, accounting, self.metrics)
        self.events = AsyncInvocations(self.invoker, self.event_configs, self.work, settings)
        self.streaming = StreamingInvoker(self.invoker)
        # The node's group-commit writer, for mappings' writes.
        self.mappings = EventSourceMappings(self.functions, self.work.writer)
        self.tags = Tags(self.functions, self.mappings)
        self.work.register(self.events.invoke_kind())
        deliveries = Deliveries(internal, self.metrics, settings.destination_retry_delays)
        self.work.register(deliveries.kind())
        if execution is not None and internal is not None:
            execution.credentials = self.functions.roles.credentials
        self.policies = ResourcePolicies(self.functions)
        self.urls = FunctionUrls(store, settings, self.functions.find)
        # Function URLs' data plane (the edge hands it their requests) invokes through Invoke.
        self.url_plane = FunctionUrlPlane(
            store, self.urls, self.policies, self.invoke, self.start_streaming
        )

    async def start(self) -> None:
        self.events.start()
        await self.provisioned.start()
        await self.caches.start()
        if self.own_work:
            await self.work.start()
        if self.internal is not None:
            self.mappings.pollers = Fleet(
                self.work.writer,
                self.settings.node_name,
                self.internal,
                self.mappings.load_mappings,
                self.mappings.settle_mapping,
                alone=self.store.dialect == "sqlite",  # a SQLite store is never shared
            )
            await self.mappings.pollers.start()

    async def stop(self) -> None:
        if self.mappings.pollers is not None:
            await self.mappings.pollers.stop()  # first: their in-flight batches invoke functions
            self.mappings.pollers = None
        self.work.begin_stop()
        self.events.stop()
        self.provisioned.stop()
        self.caches.stop()
        if self.own_work:
            await self.work.stop()

    def close(self) -> None:
        if self.own_work:
            self.work.close()

    def reset(self) -> None:
        self.functions.reset()
        self.concurrency.reset()
        self.event_configs.reset()
        self.metrics.clear()
        self.policies.reset()
        self.urls.reset()

    # -- functions -------------------------------------------------------------------------

    def create_function(self, ctx: RequestContext, params: Params) -> Answer:
        return self.functions.create_function(ctx, params)

    @store_read
    def get_function(self, ctx: RequestContext, params: Params) -> Answer:
        return self.functions.get_function(ctx, params)

    @store_read
    def get_function_configuration(self, ctx: RequestContext, params: Params) -> Answer:
        return self.functions.get_function_configuration(ctx, params)

    @store_read
    def list_functions(self, ctx: RequestContext, params: Params) -> Answer:
        return self.functions.list_functions(ctx, params)

    def update_function_code(self, ctx: RequestContext, params: Params) -> Answer:
        try:
            return self.functions.update_function_code(ctx, params)
        finally:
            self.caches.sweep_soon()  # the previous code may be unused now

    def update_function_configuration(self, ctx: RequestContext, params: Params) -> Answer:
        return self.functions.update_function_configuration(ctx, params)

    def delete_function(self, ctx: RequestContext, params: Params) -> Answer:
        try:
            return self.versions.delete_function(ctx, params)
        finally:
            self.caches.sweep_soon()

    # -- versions and aliases --------------------------------------------------------------

    def publish_version(self, ctx: RequestContext, params: Params) -> Answer:
        return self.versions.publish_version(ctx, params)

    @store_read
    def list_versions_by_function(self, ctx: RequestContext, params: Params) -> Answer:
        return self.versions.list_versions_by_function(ctx, params)

    def create_alias(self, ctx: RequestContext, params: Params) -> Answer:
        return self.aliases.create_alias(ctx, params)

    @store_read
    def get_alias(self, ctx: RequestContext, params: Params) -> Answer:
        return self.aliases.get_alias(ctx, params)

    def update_alias(self, ctx: RequestContext, params: Params) -> Answer:
        return self.aliases.update_alias(ctx, params)

    def delete_alias(self, ctx: RequestContext, params: Params) -> Answer:
        return self.aliases.delete_alias(ctx, params)

    @store_read
    def list_aliases(self, ctx: RequestContext, params: Params) -> Answer:
        return self.aliases.list_aliases(ctx, params)

    # -- tags ------------------------------------------------------------------------------

    def tag_resource(self, ctx: RequestContext, params: Params) -> Answer:
        return self.tags.tag_resource(ctx, params)

    def untag_resource(self, ctx: RequestContext, params: Params) -> Answer:
        return self.tags.untag_resource(ctx, params)

    @store_read
    def list_tags(self, ctx: RequestContext, params: Params) -> Answer:
        return self.tags.list_tags(ctx, params)

    # -- concurrency -----------------------------------------------------------------------

    def put_function_concurrency(self, ctx: RequestContext, params: Params) -> Answer:
        return self.concurrency.put_function_concurrency(ctx, params)

    @store_read
    def get_function_concurrency(self, ctx: RequestContext, params: Params) -> Answer:
        return self.concurrency.get_function_concurrency(ctx, params)

    def delete_function_concurrency(self, ctx: RequestContext, params: Params) -> Answer:
        return self.concurrency.delete_function_concurrency(ctx, params)

    @store_read
    def get_account_settings(self, ctx: RequestContext, params: Params) -> Answer:
        return self.concurrency.get_account_settings(ctx, params)

    def put_provisioned_concurrency_config(self, ctx: RequestContext, params: Params) -> Answer:
        return self.provisioned.put_provisioned_concurrency_config(ctx, params)

    @store_read
    def get_provisioned_concurrency_config(self, ctx: RequestContext, params: Params) -> Answer:
        return self.provisioned.get_provisioned_concurrency_config(ctx, params)

    @store_read
    def list_provisioned_concurrency_configs(self, ctx: RequestContext, params: Params) -> Answer:
        return self.provisioned.list_provisioned_concurrency_configs(ctx, params)

    def delete_provisioned_concurrency_config(self, ctx: RequestContext, params: Params) -> Answer:
        return self.provisioned.delete_provisioned_concurrency_config(ctx, params)

    # -- event invoke configs --------------------------------------------------------------

    def put_function_event_invoke_config(self, ctx: RequestContext, params: Params) -> Answer:
        return self.event_configs.put_function_event_invoke_config(ctx, params)

    def update_function_event_invoke_config(self, ctx: RequestContext, params: Params) -> Answer:
        return self.event_configs.update_function_event_invoke_config(ctx, params)

    @store_read
    def get_function_event_invoke_config(self, ctx: RequestContext, params: Params) -> Answer:
        return self.event_configs.get_function_event_invoke_config(ctx, params)

    @store_read
    def list_function_event_invoke_configs(self, ctx: RequestContext, params: Params) -> Answer:
        return self.event_configs.list_function_event_invoke_configs(ctx, params)

    def delete_function_event_invoke_config(self, ctx: RequestContext, params: Params) -> Answer:
        return self.event_configs.delete_function_event_invoke_config(ctx, params)

    # -- invocations -----------------------------------------------------------------------

    async def invoke(self, ctx: RequestContext, params: Params) -> Answer:
        ref = parse_function(ctx, params["FunctionName"], params.get("Qualifier"))
        if params.get("InvocationType") == "Event":
            return await self.events.invoke(ctx, ref, params)
        return await self.invoker.invoke(ctx, ref, params)

    async def invoke_with_response_stream(self, ctx: RequestContext, params: Params) -> Answer:
        ref = parse_function(ctx, params["FunctionName"], params.get("Qualifier"))
        return await self.streaming.invoke_with_response_stream(ctx, ref, params)

    async def start_streaming(self, ctx: RequestContext, params: Params) -> StreamingInvocation:
        """A RESPONSE_STREAM function URL's invocation, as InvokeWithResponseStream runs it."""
        ref = parse_function(ctx, params["FunctionName"], params.get("Qualifier"))
        return await self.streaming.start(ctx, ref, params)

    async def invoke_async(self, ctx: RequestContext, params: Params) -> Answer:
        return await self.events.invoke_async(ctx, params)

    # -- event source mappings -------------------------------------------------------------

    async def create_event_source_mapping(self, ctx: RequestContext, params: Params) -> Answer:
        return await self.mappings.create_event_source_mapping(ctx, params)

    @store_read
    def get_event_source_mapping(self, ctx: RequestContext, params: Params) -> Answer:
        return self.mappings.get_event_source_mapping(ctx, params)

    async def update_event_source_mapping(self, ctx: RequestContext, params: Params) -> Answer:
        return await self.mappings.update_event_source_mapping(ctx, params)

    async def delete_event_source_mapping(self, ctx: RequestContext, params: Params) -> Answer:
        return await self.mappings.delete_event_source_mapping(ctx, params)

    @store_read
    def list_event_source_mappings(self, ctx: RequestContext, params: Params) -> Answer:
        return self.mappings.list_event_source_mappings(ctx, params)

    # -- resource-based policies -----------------------------------------------------------

    def add_permission(self, ctx: RequestContext, params: Params) -> Answer:
        return self.policies.add_permission(ctx, params)

    def remove_permission(self, ctx: RequestContext, params: Params) -> Answer:
        return self.policies.remove_permission(ctx, params)

    @store_read
    def get_policy(self, ctx: RequestContext, params: Params) -> Answer:
        return self.policies.get_policy(ctx, params)

    # -- function URLs ---------------------------------------------------------------------

    def create_function_url_config(self, ctx: RequestContext, params: Params) -> Answer:
        return self.urls.create_function_url_config(ctx, params)

    @store_read
    def get_function_url_config(self, ctx: RequestContext, params: Params) -> Answer:
        return self.urls.get_function_url_config(ctx, params)

    def update_function_url_config(self, ctx: RequestContext, params: Params) -> Answer:
        return self.urls.update_function_url_config(ctx, params)

    def delete_function_url_config(self, ctx: RequestContext, params: Params) -> Answer:
        return self.urls.delete_function_url_config(ctx, params)

    @store_read
    def list_function_url_configs(self, ctx: RequestContext, params: Params) -> Answer:
        return self.urls.list_function_url_configs(ctx, params)

    # -- layers ----------------------------------------------------------------------------

    def publish_layer_version(self, ctx: RequestContext, params: Params) -> Answer:
        return self.layers.publish_layer_version(ctx, params)

    @store_read
    def get_layer_version(self, ctx: RequestContext, params: Params) -> Answer:
        return self.layers.get_layer_version(ctx, params)

    @store_read
    def get_layer_version_by_arn(self, ctx: RequestContext, params: Params) -> Answer:
        return self.layers.get_layer_version_by_arn(ctx, params)

    @store_read
    def list_layers(self, ctx: RequestContext, params: Params) -> Answer:
        return self.layers.list_layers(ctx, params)

    @store_read
    def list_layer_versions(self, ctx: RequestContext, params: Params) -> Answer:
        return self.layers.list_layer_versions(ctx, params)

    def delete_layer_version(self, ctx: RequestContext, params: Params) -> Answer:
        try:
            return self.layers.delete_layer_version(ctx, params)
        finally:
            self.caches.sweep_soon()

    def add_layer_version_permission(self, ctx: RequestContext, params: Params) -> Answer:
        return self.layers.add_layer_version_permission(ctx, params)

    @store_read
    def get_layer_version_policy(self, ctx: RequestContext, params: Params) -> Answer:
        return self.layers.get_layer_version_policy(ctx, params)

    def remove_layer_version_permission(self, ctx: RequestContext, params: Params) -> Answer:
        return self.layers.remove_layer_version_permission(ctx, params)
