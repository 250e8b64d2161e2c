"""A Lamina node: the store, the services on it, and the ASGI application that serves them."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from lamina import __version__, iam_identity_policies, lambda_invoke_permission
from lamina.config import Settings
from lamina.edge.account import AccountRegionLayer
from lamina.edge.auth import SignatureLayer
from lamina.edge.body import BodyLayer
from lamina.edge.dispatch import ServiceDispatcher
from lamina.edge.errors import ErrorLayer
from lamina.edge.execute_api import ExecuteApiLayer, ExecuteApiPlane
from lamina.edge.function_urls import FunctionUrlLayer
from lamina.edge.identity import IdentityLayer
from lamina.edge.internal import InternalRoutes
from lamina.edge.lifespan import LifespanLayer
from lamina.edge.request_id import RequestIdLayer
from lamina.edge.resolve import ServiceCatalog, ServiceResolutionLayer
from lamina.execution.sandbox import BubblewrapSandbox, SandboxBackend, choose_backend
from lamina.execution.sandbox.limits import cgroup_root
from lamina.execution.sandbox.network import HostNetwork, sandbox_network
from lamina.execution.sandbox.networks import SandboxNetworks, unkept_vpc, vpc_network
from lamina.execution.sandbox.seccomp import filter_bpf
from lamina.execution.service import ExecutionService
from lamina.identity import (
    CachedCredentials,
    ConfiguredCredentials,
    CredentialChain,
)
from lamina.protocol.validate import precompile
from lamina.services.access_logs.writer import AccessLogs
from lamina.services.api_gateway_account import AccountThrottle
from lamina.services.apigateway.provider import ApiGatewayProvider
from lamina.services.apigatewayv2.provider import ApiGatewayV2Provider
from lamina.services.cloudwatch.provider import CloudWatchProvider
from lamina.services.cloudwatch.recorder import MetricRecorder
from lamina.services.iam.credentials import IamUserKeys
from lamina.services.iam.provider import IamProvider
from lamina.services.internal import InternalClient
from lamina.services.lambda_.provider import LambdaProvider
from lamina.services.logs.provider import LogsProvider
from lamina.services.registry import Service
from lamina.services.sqs.provider import SqsProvider
from lamina.services.sts.provider import StsProvider
from lamina.services.sts.sessions import SessionCredentials
from lamina.store import Store, open_store
from lamina.types import ASGIApp
from lamina.work.queue import WorkQueue

log = logging.getLogger("lamina")


class Node:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store: Store = open_store(settings.store_url, settings.data_dir)
        # Providers are synchronous (SQLAlchemy Core); they run here, off the event loop.
        self.executor = ThreadPoolExecutor(max_workers=32, thread_name_prefix="lamina-provider")
        # Sandboxes reach the AWS endpoint on a listener of their own network (one per
        # network, at the same port), bound before any environment can take its port there;
        # server.py serves them (SandboxCallersLayer), those made later too.
        self.sandbox_listeners: list[socket.socket] = []
        self._serve_sandboxes: Callable[[socket.socket], None] | None = None
        self._listeners_lock = threading.Lock()
        self.sandbox_port = settings.port  # on every sandbox network alike
        backend = choose_backend(settings.sandbox)
        self.networks = self._sandbox_networks(backend)
        endpoint_url = settings.endpoint_url
        if self.networks.default.isolated:
            self._listen_in(self.networks.default, now=False)
            endpoint_url = f"http://127.0.0.1:{self.sandbox_port}"
        self.execution = ExecutionService(
            backend,
            settings.data_dir,
            self.store.blobs,
            endpoint_url,
            idle_timeout_s=settings.idle_timeout_s,
        )
        # Metrics Lamina's services emit, aggregated in memory and written about once a second.
        self.metrics = MetricRecorder(self.store)
        self.metrics.start()
        logs = LogsProvider(self.store, settings)
        self.execution.sink = logs.sink  # function output goes to CloudWatch Logs
        # Services reach each other in-process through one client (DESIGN decision 10).
        self.internal = InternalClient(lambda: self.services, settings.endpoint_url, self.executor)
        # Who a request's access key names: configured root keys, IAM users' keys, STS
        # sessions; the edge asks on every request, so answers are cached briefly.
        self.credentials = CachedCredentials(
            CredentialChain(
                [
                    ConfiguredCredentials(settings.credentials),
                    IamUserKeys(self.store),
                    SessionCredentials(self.store),
                ]
            )
        )
        # Whatever must happen later, for every service: one durable queue (DESIGN decision
        # 11). Services register their kinds of work with it as they are made.
        self.work = WorkQueue.on(self.store, settings.node_name)
        lambda_ = LambdaProvider(
            self.store, settings, self.execution, self.metrics, self.internal, self.work
        )
        self.lambda_ = lambda_
        apigateway = ApiGatewayProvider(self.store, settings, self.internal)
        http_apis = ApiGatewayV2Provider(self.store, settings, self.internal)
        http_apis.share_domains(apigateway.domains)  # both APIs' custom domains are one set
        self.custom_domains = apigateway.domains
        # Deployed APIs' access logs go to CloudWatch Logs, batched as functions' output is.
        self.access_logs = AccessLogs(logs.sink)
        apigateway.plane.access_logs = self.access_logs
        http_apis.plane.access_logs = self.access_logs
        http_apis.websocket_plane.access_logs = self.access_logs
        # API Gateway's account-level throttle: one bucket per account for all three kinds
        account_throttle = AccountThrottle(
            settings.apigateway_account_rate, settings.apigateway_account_burst
        )
        apigateway.plane.account_throttle = account_throttle
        http_apis.plane.account_throttle = account_throttle
        http_apis.websocket_plane.account_throttle = account_throttle
        if settings.verify_signatures:  # @connections calls reach the plane before the layer
            http_apis.websocket_plane.verify_signatures(self.credentials)
        self.services = [
            Service("lambda", lambda_),
            Service("logs", logs),
            Service("cloudwatch", CloudWatchProvider(self.store, settings, self.metrics)),
            Service("iam", IamProvider(self.store, settings)),
            Service("sts", StsProvider(self.store, settings, self.internal, self.credentials)),
            Service("sqs", SqsProvider(self.store, settings)),
            Service("apigateway", apigateway),
            Service("apigatewayv2", http_apis),
        ]
        self.catalog = ServiceCatalog(self.services)
        # The data planes of deployed APIs (REST, HTTP and WebSocket APIs), by the services
        # that own them; the edge asks each whether an API id is its own.
        # WebSocket APIs' plane before the HTTP APIs': that one would take any v2 API id.
        self.execute_api_planes: list[ExecuteApiPlane] = [
            apigateway.plane,
            http_apis.websocket_plane,
            http_apis.plane,
        ]
        self.app = self.build_app()

    def _sandbox_networks(self, backend: SandboxBackend) -> SandboxNetworks:
        """The default network now; the VPC network at the first VPC function's environment."""
        egress = self.settings.function_egress
        if not isinstance(backend, BubblewrapSandbox):
            if not egress:
                log.warning(
                    "LAMINA_FUNCTION_EGRESS=0 cannot be kept: functions run as plain processes "
                    "on the host's network (no bubblewrap sandbox)"
                )
            host = HostNetwork()
            backend.networks = SandboxNetworks(host, unkept_vpc(host, "no bubblewrap sandbox"))
            return backend.networks
        default = sandbox_network(egress)
        backend.networks = SandboxNetworks(default, vpc_network(default, egress, self._listen_in))
        return backend.networks

    def _listen_in(self, network: HostNetwork, now: bool = True) -> None:
        """Lamina's AWS endpoint on a sandbox network, at the port its sandboxes are told. One
        made once Lamina serves listens at once: its first callers wait in the backlog."""
        sock = network.listener(self.sandbox_port)
        self.sandbox_port = sock.getsockname()[1]  # the first one's, when asked for any
        if now:
            sock.listen(128)
        with self._listeners_lock:
            self.sandbox_listeners.append(sock)
            serve = self._serve_sandboxes
        if serve is not None:
            serve(sock)

    def serve_sandboxes(self, serve: Callable[[socket.socket], None]) -> None:
        """Have `serve` (thread-safe) serve each sandboxes' listener: those made, those to come."""
        with self._listeners_lock:
            self._serve_sandboxes = serve
            made = list(self.sandbox_listeners)
        for sock in made:
            serve(sock)

    def build_app(self) -> ASGIApp:
        """The edge, composed once: outermost first, as a request meets the layers."""
        reads_inline = not self.store.reads_wait
        app: ASGIApp = ServiceDispatcher(InternalRoutes(self), self.executor, reads_inline)
        app = SignatureLayer(app, self.settings.verify_signatures)
        app = IdentityLayer(app, self.credentials, self.executor, reads_inline)
        app = ServiceResolutionLayer(app, self.catalog)
        # Function URLs' requests go to Lambda's data plane before any AWS API handling.
        serve = self.lambda_.url_plane.serve
        app = FunctionUrlLayer(app, serve, self.credentials, self.executor, reads_inline)
        # Deployed APIs' requests go to API Gateway's data planes, likewise.
        app = ExecuteApiLayer(
            app, self.execute_api_planes, self.executor, reads_inline, self.credentials,
            self.custom_domains, frozenset({self.settings.host.lower()}),
        )  # fmt: skip
        app = AccountRegionLayer(app)
        app = BodyLayer(app, self.settings.max_body_bytes)
        app = ErrorLayer(app)
        app = RequestIdLayer(app)
        return LifespanLayer(app, self.startup, self.stop)

    async def startup(self) -> None:
        """Once, before the port listens: background work, then, side by side, the default
        runtimes' stem cells and every served operation's input checks, so the first requests
        do not pay for interpreters, sandboxes or compiling (BENCHMARKS.md has what is left)."""
        await self.start()
        loop = asyncio.get_running_loop()
        await asyncio.gather(
            loop.run_in_executor(self.executor, self.execution.warm_up),
            loop.run_in_executor(self.executor, self._precompile_validation),
        )

    def _precompile_validation(self) -> None:
        for service in self.services:
            precompile(service.model)

    async def start(self) -> None:
        for service in self.services:
            await service.provider.start()
        await self.work.start()  # the services are ready for the work waiting from before

    async def stop(self) -> None:
        self.work.begin_stop()  # no item starts from now on; the services see it as they stop
        for service in self.services:
            await service.provider.stop()
        await self.access_logs.flush()  # the lines of requests answered so far
        await self.work.stop()

    def prometheus(self) -> str:
        lambda_ = self.catalog.by_endpoint_prefix["lambda"].provider
        assert isinstance(lambda_, LambdaProvider)
        return lambda_.metrics.prometheus(self.execution.concurrency.snapshot())

    def health(self) -> dict[str, Any]:
        return {
            "status": "ready",
            "version": __version__,
            "services": {s.name: "running" for s in self.services},
            "store": {"engine": self.store.engine_name},
            "sandbox": self.sandbox_health(),
        }

    def sandbox_health(self) -> dict[str, Any]:
        """What confines a function here, for a user (and a test) to see without reading the
        start-up warnings: the README's security section says what each value means."""
        backend = self.execution.pool.launcher.backend
        sandboxed = isinstance(backend, BubblewrapSandbox)
        network = "namespace" if self.networks.default.isolated else "host"
        return {
            "backend": backend.name,
            "limits": "cgroup" if cgroup_root() is not None else "rlimit",
            "network": network,
            "egress": self.settings.function_egress or network == "host",
            "user": "sbx_user1051" if sandboxed else "lamina",
            "seccomp": sandboxed and filter_bpf() is not None,
        }

    async def reset(self) -> None:
        """Wipe the store; background work of the old state ends first and starts anew after."""
        await self.stop()
        # Log lines of the old state go to the old state: written after the wipe, they would
        # bring its log groups back into the new one.
        await self.execution.flush()
        await asyncio.get_running_loop().run_in_executor(self.executor, self._reset_store)
        await self.start()

    def _reset_store(self) -> None:
        self.store.reset()
        self.credentials.forget()
        iam_identity_policies.changed()  # what API Gateway keeps of policies is of the old state
        lambda_invoke_permission.changed()
        for service in self.services:
            service.provider.reset()

    def close(self) -> None:
        self.execution.close()
        with self._listeners_lock:
            listeners, self._serve_sandboxes = list(self.sandbox_listeners), None
        for sock in listeners:
            sock.close()
        self.networks.close()  # after the sandboxes, which ended with the execution service
        for service in self.services:
            service.provider.close()
        self.executor.shutdown(wait=True)
        self.work.close()
        self.metrics.close()  # its last flush needs the store
        self.store.close()
