"""Custom domain names (Create/Get/Update/DeleteDomainName(s)) and their API mappings
(Create/Get/Update/DeleteApiMapping(s)), as apigatewayv2 shows the domains both API Gateway
APIs share (lamina/services/custom_domains/): an HTTP or WebSocket API's stage, or a REST
API's, at a key of one or more levels (`orders`, `v1/orders`) or at the root.

Certificates are recorded as given and never checked (Lamina has no ACM, and its port speaks
plain HTTP); mutual TLS is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from lamina.context import RequestContext
from lamina.protocol.errors import ServiceError
from lamina.services.apigateway.domain_names import (
    SECURITY_POLICIES,
    domain_arn,
    own_hosts,
)
from lamina.services.apigatewayv2.base import Base, page
from lamina.services.apigatewayv2.errors import bad_request, conflict, not_found, not_supported
from lamina.services.custom_domains import rows, rules
from lamina.services.custom_domains.rows import Domain, Mapping


def domain_not_found() -> ServiceError:
    return ServiceError(
        "NotFoundException", "The domain name resource specified in the request was not found.", 404
    )


def mapping_not_found() -> ServiceError:
    return ServiceError(
        "NotFoundException", "The api mapping resource specified in the request was not found.", 404
    )


def key_taken() -> ServiceError:
    return conflict("ApiMapping key already exists for this domain name")


def present_domain(found: Domain) -> dict[str, Any]:
    config = found.config
    kind = rules.endpoint_type(found)
    endpoint = config["endpointConfiguration"]
    configuration: dict[str, Any] = {
        "ApiGatewayDomainName": rules.target_hostname(found.target_id),
    }
    prefix = "regionalCertificate" if kind == rules.REGIONAL else "certificate"
    if config.get(f"{prefix}Arn"):
        configuration["CertificateArn"] = config[f"{prefix}Arn"]
    if config.get(f"{prefix}Name"):
        configuration["CertificateName"] = config[f"{prefix}Name"]
    configuration["CertificateUploadDate"] = found.created_at
    configuration["DomainNameStatus"] = "AVAILABLE"
    configuration["EndpointType"] = kind
    configuration["IpAddressType"] = endpoint.get("ipAddressType", "ipv4")
    configuration["SecurityPolicy"] = config["securityPolicy"]
    if config.get("ownershipVerificationCertificateArn"):
        configuration["OwnershipVerificationCertificateArn"] = config[
            "ownershipVerificationCertificateArn"
        ]
    return {
        "ApiMappingSelectionExpression": "$request.basepath",
        "DomainName": found.name,
        "DomainNameArn": domain_arn(found.region, found.name),
        "DomainNameConfigurations": [configuration],
        "RoutingMode": "API_MAPPING_ONLY",
        "Tags": config.get("tags") or {},
    }


def present_mapping(mapping: Mapping) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "ApiId": mapping.api_id,
        "ApiMappingId": mapping.mapping_id,
        "ApiMappingKey": mapping.key,
    }
    if mapping.stage is not None:
        answer["Stage"] = mapping.stage
    return answer


def _configuration(params: dict[str, Any], config: dict[str, Any]) -> None:
    """Into `config` (the shared, apigateway-shaped record): the one DomainNameConfiguration."""
    given = params.get("DomainNameConfigurations") or [{}]
    if len(given) != 1:
        raise bad_request("A domain name takes exactly one DomainNameConfiguration.")
    one = given[0]
    kind = one.get("EndpointType") or rules.REGIONAL
    if kind not in (rules.REGIONAL, rules.EDGE):
        raise bad_request(f"Invalid EndpointType {kind}: REGIONAL or EDGE.")
    ip_type = one.get("IpAddressType") or "ipv4"
    if ip_type not in ("ipv4", "dualstack"):
        raise bad_request(f"Invalid IpAddressType {ip_type}: ipv4 or dualstack.")
    config["endpointConfiguration"] = {"types": [kind], "ipAddressType": ip_type}
    policy = one.get("SecurityPolicy") or "TLS_1_2"
    if policy not in SECURITY_POLICIES:
        raise bad_request(f"Invalid SecurityPolicy {policy}: TLS_1_0 or TLS_1_2.")
    config["securityPolicy"] = policy
    prefix = "regionalCertificate" if kind == rules.REGIONAL else "certificate"
    for name in ("certificateArn", "certificateName", "regionalCertificateArn",
                 "regionalCertificateName"):  # fmt: skip
        config.pop(name, None)
    if one.get("CertificateArn"):
        config[f"{prefix}Arn"] = one["CertificateArn"]
    if one.get("CertificateName"):
        config[f"{prefix}Name"] = one["CertificateName"]
    if one.get("OwnershipVerificationCertificateArn"):
        config["ownershipVerificationCertificateArn"] = one["OwnershipVerificationCertificateArn"]


class DomainOperations(Base):
    domains_changed: Callable[[], None]  # the edge's directory reads the domains anew

    def _domain(self, conn: Connection, ctx: RequestContext, name: str) -> Domain:
        found = rows.domain(conn, name or "")
        if found is None or (found.account_id, found.region) != (ctx.account_id, ctx.region):
            raise domain_not_found()
        return found

    def create_domain_name(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("MutualTlsAuthentication"):
            raise not_supported("MutualTlsAuthentication (mutual TLS)")
        if params.get("RoutingMode") not in (None, "API_MAPPING_ONLY"):
            raise not_supported("routing rules (RoutingMode other than API_MAPPING_ONLY)")
        name = params["DomainName"]
        rules.check_name(name, own_hosts(self.settings))
        config: dict[str, Any] = {"domainName": name}
        _configuration(params, config)
        if params.get("Tags"):
            config["tags"] = params["Tags"]
        with self.store.write() as conn:
            if rows.domain(conn, name) is not None:
                raise conflict("The domain name you provided already exists.")
            try:
                made = rows.insert_domain(conn, ctx.account_id, ctx.region, config)
            except IntegrityError:
                raise conflict("The domain name you provided already exists.") from None
        self.domains_changed()
        return present_domain(made)

    def get_domain_name(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            return present_domain(self._domain(conn, ctx, params["DomainName"]))

    def get_domain_names(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            found = rows.domains_of(conn, ctx.account_id, ctx.region)
        return page(found, params, present_domain)

    def update_domain_name(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("MutualTlsAuthentication"):
            raise not_supported("MutualTlsAuthentication (mutual TLS)")
        with self.store.write() as conn:
            found = self._domain(conn, ctx, params["DomainName"])
            config = dict(found.config)
            if params.get("DomainNameConfigurations"):
                before = rules.endpoint_type(found)
                _configuration(params, config)
                if config["endpointConfiguration"]["types"][0] != before:
                    raise bad_request("The endpoint type of a domain name cannot be changed.")
            rows.update_domain(conn, found.host, config)
            updated = self._domain(conn, ctx, found.host)
        return present_domain(updated)

    def delete_domain_name(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            found = self._domain(conn, ctx, params["DomainName"])
            rows.delete_domain(conn, found.host)
        self.domains_changed()
        return {}

    def _target(
        self, conn: Connection, ctx: RequestContext, found: Domain, api_id: str, stage: str,
        key: str, replacing: str | None = None,
    ) -> None:  # fmt: skip
        """Whether the API's stage can be mapped at `key` of the domain."""
        kind = rules.api_kind(conn, ctx.account_id, ctx.region, api_id)
        if kind is None:
            raise not_found("API", ctx.account_id, api_id)
        if not stage or not rules.stage_exists(conn, kind, api_id, stage):
            raise bad_request("Invalid stage identifier specified")
        rules.check_key(key)
        others = [m for m in rows.mappings_of(conn, found.host) if m.key != replacing]
        rules.check_together(conn, found, others, kind, key)

    def create_api_mapping(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = params.get("ApiMappingKey") or ""
        with self.store.write() as conn:
            found = self._domain(conn, ctx, params["DomainName"])
            self._target(conn, ctx, found, params["ApiId"], params["Stage"], key)
            if rows.mapping_by_key(conn, found.host, key) is not None:
                raise key_taken()
            try:
                made = rows.insert_mapping(conn, found.host, key, params["ApiId"], params["Stage"])
            except IntegrityError:
                raise key_taken() from None
        self.domains_changed()
        return present_mapping(made)

    def _mapping(self, conn: Connection, found: Domain, mapping_id: str) -> Mapping:
        mapping = rows.mapping_by_id(conn, found.host, mapping_id)
        if mapping is None:
            raise mapping_not_found()
        return mapping

    def get_api_mapping(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            found = self._domain(conn, ctx, params["DomainName"])
            return present_mapping(self._mapping(conn, found, params["ApiMappingId"]))

    def get_api_mappings(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            found = self._domain(conn, ctx, params["DomainName"])
            mappings = rows.mappings_of(conn, found.host)
        return page(mappings, params, present_mapping)

    def update_api_mapping(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            found = self._domain(conn, ctx, params["DomainName"])
            mapping = self._mapping(conn, found, params["ApiMappingId"])
            key = mapping.key if params.get("ApiMappingKey") is None else params["ApiMappingKey"]
            stage = params.get("Stage") or mapping.stage or ""
            api_id = params["ApiId"]
            self._target(conn, ctx, found, api_id, stage, key, replacing=mapping.key)
            if key != mapping.key and rows.mapping_by_key(conn, found.host, key) is not None:
                raise key_taken()
            updated = Mapping(key, mapping.mapping_id, api_id, stage, mapping.created_at)
            rows.update_mapping(conn, found.host, mapping.key, updated)
        self.domains_changed()
        return present_mapping(updated)

    def delete_api_mapping(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            found = self._domain(conn, ctx, params["DomainName"])
            mapping = self._mapping(conn, found, params["ApiMappingId"])
            rows.delete_mapping(conn, found.host, mapping.key)
        self.domains_changed()
        return {}
