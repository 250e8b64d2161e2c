"""Client certificates: GenerateClientCertificate, GetClientCertificate(s),
UpdateClientCertificate, DeleteClientCertificate. A certificate is self-signed, valid for 365
days as AWS's are, and belongs to its account and region; its private key is kept with it and
never answered. A stage names one (UpdateStage's /clientCertificateId) for its HTTP and
HTTP_PROXY integrations to present to https:// endpoints (the data plane, http_proxy.py)."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.services.apigateway import account_items as rows
from lamina.services.apigateway import ids, patches, tag_limits
from lamina.services.apigateway.account_items import Scope
from lamina.services.apigateway.errors import conflict, not_found
from lamina.services.apigateway.rest_apis import page
from lamina.store import Store
from lamina.store.schema import apigateway_rest_apis as apis
from lamina.store.schema import apigateway_stages as stages

VALID_DAYS = 365
_KEY = "privateKey"  # the config's private key (PEM, PKCS #8): never answered
_PATCHABLE = {"description": patches.FIELD}


def certificate_not_found() -> Exception:
    return not_found("Invalid Client Certificate identifier specified")


def made(certificate_id: str, now: float) -> tuple[str, str, float]:
    """(certificate PEM, private key PEM, expiration) of a new self-signed certificate."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Lamina API Gateway"),
        x509.NameAttribute(NameOID.COMMON_NAME, certificate_id),
    ])  # fmt: skip
    start = datetime.datetime.fromtimestamp(int(now), datetime.UTC)
    end = start + datetime.timedelta(days=VALID_DAYS)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )  # fmt: skip
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    return pem.decode(), key_pem.decode(), end.timestamp()


def present(row: Any) -> dict[str, Any]:
    config = row.config
    answer: dict[str, Any] = {"clientCertificateId": row.item_id}
    if config.get("description"):
        answer["description"] = config["description"]
    answer["pemEncodedCertificate"] = config["pemEncodedCertificate"]
    answer["createdDate"] = row.created_at
    answer["expirationDate"] = config["expirationDate"]
    answer["tags"] = dict(config.get("tags") or {})
    return answer


def find(conn: Connection, ctx: Scope, certificate_id: str) -> Any:
    row = rows.get(conn, ctx, rows.CLIENT_CERTIFICATE, certificate_id)
    if row is None:
        raise certificate_not_found()
    return row


def key_pair(conn: Connection, owner: Scope, certificate_id: str) -> tuple[str, str] | None:
    """(certificate PEM, private key PEM) of an API owner's certificate, for the data plane;
    None if it has none by that id."""
    row = rows.get(conn, owner, rows.CLIENT_CERTIFICATE, certificate_id)
    if row is None:
        return None
    return row.config["pemEncodedCertificate"], row.config[_KEY]


def _users(conn: Connection, ctx: RequestContext, certificate_id: str) -> list[tuple[str, str]]:
    """(API id, stage name) of the caller's stages that name the certificate."""
    query = (
        sa.select(stages.c.api_id, stages.c.stage_name, stages.c.config)
        .join(apis, apis.c.api_id == stages.c.api_id)
        .where(apis.c.account_id == ctx.account_id, apis.c.region == ctx.region)
    )
    return [
        (row.api_id, row.stage_name) for row in conn.execute(query)
        if (row.config or {}).get("clientCertificateId") == certificate_id
    ]  # fmt: skip


class ClientCertificateOperations:
    store: Store
    client_certificate_deleted: Callable[[str], None]  # the data plane drops its copies

    def generate_client_certificate(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        tags = tag_limits.checked(params.get("tags"))
        certificate_id = ids.client_certificate_id()
        now = time.time()
        pem, key, expires = made(certificate_id, now)
        config: dict[str, Any] = {
            "pemEncodedCertificate": pem,
            "expirationDate": expires,
            _KEY: key,
        }
        if params.get("description"):
            config["description"] = params["description"]
        if tags:
            config["tags"] = tags
        with self.store.write() as conn:
            rows.insert(conn, ctx, rows.CLIENT_CERTIFICATE, certificate_id, None, config, now)
            return present(find(conn, ctx, certificate_id))

    def get_client_certificate(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            return present(find(conn, ctx, params["clientCertificateId"]))

    def get_client_certificates(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.read() as conn:
            found = rows.listed(conn, ctx, rows.CLIENT_CERTIFICATE)
        return page([present(row) for row in found], params)

    def update_client_certificate(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.write() as conn:
            row = find(conn, ctx, params["clientCertificateId"])
            config = dict(row.config)
            patches.apply(config, params.get("patchOperations") or [], _PATCHABLE)
            if not config.get("description"):
                config.pop("description", None)
            rows.update(conn, ctx, rows.CLIENT_CERTIFICATE, row.item_id, config)
            return present(find(conn, ctx, row.item_id))

    def delete_client_certificate(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.write() as conn:
            row = find(conn, ctx, params["clientCertificateId"])
            users = _users(conn, ctx, row.item_id)
            if users:
                api_id, stage = users[0]
                raise conflict(
                    f"Cannot delete Client Certificate {row.item_id}: it is used by stage "
                    f"{stage} of REST API {api_id}"
                )
            rows.delete(conn, ctx, rows.CLIENT_CERTIFICATE, row.item_id)
        self.client_certificate_deleted(row.item_id)
        return {}
