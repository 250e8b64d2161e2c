"""Custom domain names (CreateDomainName, GetDomainName(s), UpdateDomainName, DeleteDomainName)
and their base path mappings (Create/Get/Update/DeleteBasePathMapping(s)), in the store both
API Gateway APIs share (lamina/services/custom_domains/). The edge serves a domain's requests
by its mappings.

Certificates are recorded as given and never checked (Lamina has no ACM, and its port speaks
plain HTTP); imported certificate bodies, mutual TLS and private domains are refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from lamina.config import Settings
from lamina.context import RequestContext
from lamina.services.apigateway import patches, tag_limits
from lamina.services.apigateway.errors import bad_request, conflict, not_found, not_supported
from lamina.services.apigateway.rest_apis import page
from lamina.services.custom_domains import rows, rules
from lamina.services.custom_domains.rows import Domain, Mapping
from lamina.store import Store

NONE = "(none)"  # the root mapping's basePath, as AWS shows and takes it
CLOUDFRONT_ZONE = "Z2FDTNDATAQYW2"  # every CloudFront distribution's hosted zone
SECURITY_POLICIES = ("TLS_1_0", "TLS_1_2")
_UNSUPPORTED = {
    "certificateBody": "imported certificates (give certificateArn)",
    "certificatePrivateKey": "imported certificates (give certificateArn)",
    "certificateChain": "imported certificates (give certificateArn)",
    "mutualTlsAuthentication": "mutual TLS",
    "policy": "private custom domain names",
    "endpointAccessMode": "endpoint access modes",
}
_PATCHABLE = {
    "certificateName": patches.FIELD,
    "certificateArn": patches.FIELD,
    "regionalCertificateName": patches.FIELD,
    "regionalCertificateArn": patches.FIELD,
    "securityPolicy": patches.FIELD,
    "ownershipVerificationCertificateArn": patches.FIELD,
}
_KEPT = (
    "certificateName", "certificateArn", "regionalCertificateName", "regionalCertificateArn",
    "ownershipVerificationCertificateArn", "tags",
)  # fmt: skip


def domain_not_found() -> Exception:
    return not_found("Invalid domain name identifier specified")


def mapping_not_found() -> Exception:
    return not_found("Invalid base path mapping identifier specified")


def base_path_taken() -> Exception:
    return conflict("Base path already exists for this domain name")


def domain_arn(region: str, name: str) -> str:
    return f"arn:aws:apigateway:{region}::/domainnames/{name}"


def present_domain(found: Domain) -> dict[str, Any]:
    config = found.config
    kind = rules.endpoint_type(found)
    target = rules.target_hostname(found.target_id)
    answer: dict[str, Any] = {
        "domainName": found.name,
        "domainNameArn": domain_arn(found.region, found.name),
    }
    for name in ("certificateName", "certificateArn"):
        if config.get(name):
            answer[name] = config[name]
    if kind == rules.EDGE:
        answer["certificateUploadDate"] = found.created_at
        answer["distributionDomainName"] = target
        answer["distributionHostedZoneId"] = CLOUDFRONT_ZONE
    else:
        answer["regionalDomainName"] = target
    for name in ("regionalCertificateName", "regionalCertificateArn"):
        if config.get(name):
            answer[name] = config[name]
    answer["endpointConfiguration"] = config["endpointConfiguration"]
    answer["domainNameStatus"] = "AVAILABLE"
    answer["securityPolicy"] = config["securityPolicy"]
    if config.get("ownershipVerificationCertificateArn"):
        answer["ownershipVerificationCertificateArn"] = config[
            "ownershipVerificationCertificateArn"
        ]
    answer["routingMode"] = "BASE_PATH_MAPPING_ONLY"
    if config.get("tags"):
        answer["tags"] = config["tags"]
    return answer


def present_mapping(mapping: Mapping) -> dict[str, Any]:
    answer = {"basePath": mapping.key or NONE, "restApiId": mapping.api_id}
    if mapping.stage is not None:
        answer["stage"] = mapping.stage
    return answer


def base_path(value: str | None) -> str:
    return "" if value in (None, "", NONE) else str(value)


def endpoint_configuration(value: dict[str, Any] | None) -> dict[str, Any]:
    types = list((value or {}).get("types") or [rules.EDGE])
    if len(types) > 1:  # the words of CreateRestApi's refusals, which AWS records
        raise bad_request("Cannot create a domain name with multiple Endpoint Types.")
    if types[0] not in (rules.EDGE, rules.REGIONAL, "PRIVATE"):
        raise bad_request(
            "Invalid EndpointTypes specified. Valid options are REGIONAL,EDGE,PRIVATE"
        )
    if types[0] == "PRIVATE":
        raise not_supported("private custom domain names")
    configuration: dict[str, Any] = {"types": types}
    if (value or {}).get("vpcEndpointIds"):
        raise not_supported("vpcEndpointIds (private custom domain names)")
    configuration["ipAddressType"] = (value or {}).get("ipAddressType") or "ipv4"
    if configuration["ipAddressType"] not in ("ipv4", "dualstack"):
        raise bad_request("ipAddressType must be either ipv4 or dualstack.")
    return configuration


def check_security_policy(config: dict[str, Any]) -> None:
    if config["securityPolicy"] not in SECURITY_POLICIES:
        raise bad_request(
            f"Invalid security policy {config['securityPolicy']}: TLS_1_0 or TLS_1_2."
        )


def own_hosts(settings: Settings) -> frozenset[str]:
    return frozenset({settings.host.lower()})


class DomainNameOperations:
    store: Store
    settings: Settings
    domains_changed: Callable[[], None]  # the edge's directory reads the domains anew

    def _domain(self, conn: Connection, ctx: RequestContext, name: str) -> Domain:
        found = rows.domain(conn, name or "")
        if found is None or (found.account_id, found.region) != (ctx.account_id, ctx.region):
            raise domain_not_found()
        return found

    def create_domain_name(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        for name, what in _UNSUPPORTED.items():
            if params.get(name) not in (None, "", {}):
                raise not_supported(f"{name} ({what})")
        if params.get("routingMode") not in (None, "BASE_PATH_MAPPING_ONLY"):
            raise not_supported("routing rules (routingMode other than BASE_PATH_MAPPING_ONLY)")
        name = params["domainName"]
        rules.check_name(name, own_hosts(self.settings))
        tag_limits.checked(params.get("tags"))
        config: dict[str, Any] = {
            "domainName": name,
            "endpointConfiguration": endpoint_configuration(params.get("endpointConfiguration")),
            "securityPolicy": params.get("securityPolicy") or "TLS_1_2",
        }
        check_security_policy(config)
        config.update({k: params[k] for k in _KEPT if params.get(k) not in (None, "", {})})
        with self.store.write() as conn:
            if rows.domain(conn, name) is not None:
                raise bad_request("The domain name you provided already exists.")
            try:
                made = rows.insert_domain(conn, ctx.account_id, ctx.region, config)
            except IntegrityError:
                raise bad_request("The domain name you provided already exists.") from None
        self.domains_changed()
        return present_domain(made)

    def get_domain_name(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            return present_domain(self._domain(conn, ctx, params["domainName"]))

    def get_domain_names(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("resourceOwner") == "OTHER_ACCOUNTS":
            return page([], params)  # no domain of another account is shared with callers
        with self.store.read() as conn:
            found = rows.domains_of(conn, ctx.account_id, ctx.region)
        return page([present_domain(domain) for domain in found], params)

    def update_domain_name(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            found = self._domain(conn, ctx, params["domainName"])
            config = dict(found.config)
            patches.apply(config, params.get("patchOperations") or [], _PATCHABLE)
            config["securityPolicy"] = config.get("securityPolicy") or "TLS_1_2"
            check_security_policy(config)
            config = {k: v for k, v in config.items() if v is not None}
            rows.update_domain(conn, found.host, config)
            updated = self._domain(conn, ctx, found.host)
        return present_domain(updated)

    def delete_domain_name(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            found = self._domain(conn, ctx, params["domainName"])
            rows.delete_domain(conn, found.host)
        self.domains_changed()
        return {}

    def _target(
        self, conn: Connection, ctx: RequestContext, found: Domain, api_id: str,
        stage: str | None, key: str, replacing: str | None = None,
    ) -> None:  # fmt: skip
        """Whether the REST API's stage can be mapped at `key` of the domain."""
        if rules.api_kind(conn, ctx.account_id, ctx.region, api_id) != rules.REST:
            raise bad_request("Invalid REST API identifier specified")
        if stage is not None and not rules.stage_exists(conn, rules.REST, api_id, stage):
            raise bad_request("Invalid stage identifier specified")
        rules.check_key(key)
        others = [m for m in rows.mappings_of(conn, found.host) if m.key != replacing]
        rules.check_together(conn, found, others, rules.REST, key)

    def create_base_path_mapping(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        key = base_path(params.get("basePath"))
        stage = params.get("stage") or None
        with self.store.write() as conn:
            found = self._domain(conn, ctx, params["domainName"])
            self._target(conn, ctx, found, params["restApiId"], stage, key)
            if rows.mapping_by_key(conn, found.host, key) is not None:
                raise base_path_taken()
            try:
                made = rows.insert_mapping(conn, found.host, key, params["restApiId"], stage)
            except IntegrityError:
                raise base_path_taken() from None
        self.domains_changed()
        return present_mapping(made)

    def _mapping(self, conn: Connection, found: Domain, value: str | None) -> Mapping:
        mapping = rows.mapping_by_key(conn, found.host, base_path(value))
        if mapping is None:
            raise mapping_not_found()
        return mapping

    def get_base_path_mapping(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            found = self._domain(conn, ctx, params["domainName"])
            return present_mapping(self._mapping(conn, found, params.get("basePath")))

    def get_base_path_mappings(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            found = self._domain(conn, ctx, params["domainName"])
            mappings = rows.mappings_of(conn, found.host)
        return page([present_mapping(m) for m in mappings], params)

    def update_base_path_mapping(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.write() as conn:
            found = self._domain(conn, ctx, params["domainName"])
            mapping = self._mapping(conn, found, params.get("basePath"))
            fields: dict[str, Any] = {
                "basePath": mapping.key, "restapiId": mapping.api_id, "stage": mapping.stage,
            }  # fmt: skip
            patchable = {"basePath": patches.FIELD, "restapiId": patches.FIELD,
                         "stage": patches.FIELD}  # fmt: skip
            patches.apply(fields, params.get("patchOperations") or [], patchable)
            key = base_path(fields.get("basePath"))
            api_id = str(fields.get("restapiId") or "")
            stage = fields.get("stage") or None
            self._target(conn, ctx, found, api_id, stage, key, replacing=mapping.key)
            if key != mapping.key and rows.mapping_by_key(conn, found.host, key) is not None:
                raise base_path_taken()
            updated = Mapping(key, mapping.mapping_id, api_id, stage, mapping.created_at)
            rows.update_mapping(conn, found.host, mapping.key, updated)
        self.domains_changed()
        return present_mapping(updated)

    def delete_base_path_mapping(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.write() as conn:
            found = self._domain(conn, ctx, params["domainName"])
            mapping = self._mapping(conn, found, params.get("basePath"))
            rows.delete_mapping(conn, found.host, mapping.key)
        self.domains_changed()
        return {}
