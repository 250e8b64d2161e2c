"""Layer: which service (and so which model) a request is for.

AWS clients say it in several ways; we look at them from the most to the least certain:
X-Amz-Target, the smithy RPC v2 path, the SigV4 credential scope, the Host name, and finally
the URL path against each REST service's routes. A request for a service Lamina does not serve
is refused in that service's own protocol (unserved.py).
"""

from __future__ import annotations

from urllib.parse import parse_qs

from lamina.edge.request import EdgeRequest, edge_request
from lamina.edge.unserved import UnservedServices, first_segments
from lamina.protocol.errors import ServiceError, UnknownOperation
from lamina.protocol.http import HttpRequest
from lamina.services.registry import Service
from lamina.types import ASGIApp, Receive, Scope, Send


class ServiceCatalog:
    def __init__(self, services: list[Service]) -> None:
        self.services = services
        self.by_target_prefix: dict[str, Service] = {}
        self.by_signing_name: dict[str, list[Service]] = {}
        self.by_endpoint_prefix: dict[str, Service] = {}
        self.by_query_action: dict[str, list[Service]] = {}
        for service in services:
            metadata = service.model.metadata
            protocols = metadata.get("protocols") or [metadata.get("protocol")]
            if {"query", "ec2"} & set(protocols):  # SQS's json model takes query too
                for name in service.model.operation_names:
                    self.by_query_action.setdefault(name, []).append(service)
            prefix = service.model.metadata.get("targetPrefix")
            if prefix:
                self.by_target_prefix[prefix] = service
            self.by_signing_name.setdefault(service.signing_name, []).append(service)
            self.by_endpoint_prefix[service.model.endpoint_prefix] = service
        self.unserved = UnservedServices({service.name for service in services})

    def resolve(self, request: EdgeRequest) -> Service:
        http = request.http
        target = http.headers.get("x-amz-target")
        if target:
            service = self.by_target_prefix.get(target.rsplit(".", 1)[0])
            if service:
                return service
        if http.path.startswith("/service/"):
            service = self.by_target_prefix.get(http.path.split("/")[2])
            if service:
                return service
        if request.signing_service:
            candidates = self.by_signing_name.get(request.signing_service, [])
            # Services may sign alike (apigateway and apigatewayv2): a REST one is told by
            # the first segment of its paths, and a call no served one fits may be an
            # unserved one's (/restapis while only /v2/apis is served).
            fitting = [s for s in candidates if _fits(s, http)]
            if fitting:
                return fitting[0]
            if candidates:
                error = self.unserved.error(request)
                if error is not None and _first(http) in first_segments(error.model.service_name):
                    raise error
                return candidates[0]
            if not candidates:
                raise self.unserved.error(request) or ServiceError(
                    "NotImplementedException",
                    f"Lamina does not serve the AWS service '{request.signing_service}' yet.",
                    501,
                    sender_fault=False,
                )
        host = http.headers.get("host", "").split(":")[0]
        service = self.by_endpoint_prefix.get(host.split(".")[0])
        if service and _fits(service, http):
            return service
        service = self.by_action(request)
        if service:
            return service
        for service in self.services:
            if service.model.metadata.get("protocol", "").startswith("rest"):
                try:
                    # kept: dispatch would find the same operation again
                    request.operation, request.protocol = service.router.match(http)
                except ServiceError:
                    continue
                return service
        raise self.unserved.error(request) or UnknownOperation(
            f"No AWS service at {http.method} {http.path}.", 404
        )

    def by_action(self, request: EdgeRequest) -> Service | None:
        """An unsigned query-protocol request (AssumeRoleWithWebIdentity, or SQS's Actions
        from a plain HTTP client) to a host that names no service: the one query service with
        that Action."""
        http = request.http
        if http.method != "POST" or "x-www-form-urlencoded" not in http.headers.get(
            "content-type", ""
        ):
            return None
        action = parse_qs(http.body.decode("latin-1")).get("Action", [""])[0]
        candidates = self.by_query_action.get(action, [])
        return candidates[0] if len(candidates) == 1 else None


def _first(http: HttpRequest) -> str:
    return http.path.strip("/").split("/", 1)[0]


def _fits(service: Service, http: HttpRequest) -> bool:
    if not str(service.model.metadata.get("protocol", "")).startswith("rest"):
        return True
    return _first(http) in first_segments(service.name)


class ServiceResolutionLayer:
    def __init__(self, app: ASGIApp, catalog: ServiceCatalog) -> None:
        self.app = app
        self.catalog = catalog

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = edge_request(scope)
            if not request.http.path.startswith("/_lamina/"):
                request.service = self.catalog.resolve(request)
        await self.app(scope, receive, send)
