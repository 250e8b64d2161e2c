"""Lambda layers: PublishLayerVersion and the rest of the layer operations, and the check of a
function's `Layers`. The provider delegates each operation here in one line."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from lamina.context import RequestContext
from lamina.services.lambda_ import layer_policy as policy
from lamina.services.lambda_ import layer_store as repo
from lamina.services.lambda_.code import UNZIPPED_LIMIT, read_code, unzipped_size
from lamina.services.lambda_.configuration import last_modified, new_revision
from lamina.services.lambda_.errors import (
    invalid_parameter,
    not_supported,
    precondition_failed,
    resource_not_found,
)
from lamina.services.lambda_.layer_arns import LayerRef, parse_layer_name, parse_layer_version_arn
from lamina.services.lambda_.paging import Paging, invalid_marker
from lamina.store import Store

MAX_LAYERS = 5  # per function
PAGE = 50  # MaxItems' default for ListLayers and ListLayerVersions


@dataclass(frozen=True)
class FunctionLayer:
    """One of a function's layers, as its configuration keeps it."""

    arn: str
    code_size: int
    digest: str
    unzipped_size: int

    def entry(self) -> dict[str, Any]:
        """Its entry in the function's Layers; present() shows Arn and CodeSize of it."""
        return {
            "Arn": self.arn,
            "CodeSize": self.code_size,
            "Digest": self.digest,
            "UnzippedSize": self.unzipped_size,
        }


class Layers:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- operations --------------------------------------------------------------------------

    def publish_layer_version(self, ctx: RequestContext, params: dict[str, Any]) -> dict:
        ref = self._own(ctx, params["LayerName"])
        content = params["Content"]
        if content.get("S3Bucket") or content.get("S3Key"):
            raise not_supported("layer content from S3 (Content.S3Bucket); give Content.ZipFile")
        code = read_code({"ZipFile": content.get("ZipFile")}, "PublishLayerVersion")
        digest = self.store.blobs.put(code.data)  # before the row: a row never names a lost blob
        config: dict[str, Any] = {
            "Description": params.get("Description", ""),
            "CreatedDate": last_modified(),
            "CodeSha256": code.sha256,
            "CodeSize": code.size,
        }
        for key in ("CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo"):
            if params.get(key):
                config[key] = params[key]
        with self.store.write() as conn:
            layer_id, version = repo.next_version(conn, ref.account_id, ref.region, ref.name)
            size = unzipped_size(code.data)
            repo.insert(conn, layer_id, version, config, digest, size, new_revision())
            found = repo.get(conn, ref.account_id, ref.region, ref.name, version)
        assert found is not None
        return self._present(ctx, found)

    def get_layer_version(self, ctx: RequestContext, params: dict[str, Any]) -> dict:
        ref = parse_layer_name(ctx, params["LayerName"])
        return self._present(ctx, self._readable(ctx, ref, params["VersionNumber"]))

    def get_layer_version_by_arn(self, ctx: RequestContext, params: dict[str, Any]) -> dict:
        parsed = parse_layer_version_arn(params["Arn"])
        if parsed is None:
            raise invalid_parameter(f"Invalid Layer Version Arn: {params['Arn']}")
        return self._present(ctx, self._readable(ctx, *parsed))

    def list_layers(self, ctx: RequestContext, params: dict[str, Any]) -> dict:
        paging = Paging(params, PAGE)
        with self.store.read() as conn:
            found = repo.live_versions(conn, ctx.account_id, ctx.region, paging.after)
        newest: dict[str, repo.LayerVersion] = {}
        for version in found:  # by name, newest first: the first match of a name is its latest
            if version.name not in newest and _matches(version, params):
                newest[version.name] = version
        page, more = paging.page(list(newest.values()), lambda version: version.name)
        items = [
            {
                "LayerName": v.name,
                "LayerArn": _ref(v).arn,
                "LatestMatchingVersion": _list_item(v),
            }
            for v in page
        ]
        return {"Layers": items, **more}

    def list_layer_versions(self, ctx: RequestContext, params: dict[str, Any]) -> dict:
        ref = parse_layer_name(ctx, params["LayerName"])
        paging = Paging(params, PAGE)
        below = None
        if paging.after is not None:
            if not paging.after.isdigit():  # a marker of another List operation's
                raise invalid_marker(params["Marker"])
            below = int(paging.after)
        with self.store.read() as conn:
            found = repo.versions_of(conn, ref.account_id, ref.region, ref.name, below, 10_000)
        readable = [v for v in found if _matches(v, params) and self._may_read(ctx, v)]
        page, more = paging.page(readable, lambda version: str(version.version))
        return {"LayerVersions": [_list_item(v) for v in page], **more}

    def delete_layer_version(self, ctx: RequestContext, params: dict[str, Any]) -> dict:
        """Idempotent, as on AWS; the content stays for the functions that use it."""
        ref = self._own(ctx, params["LayerName"])
        with self.store.write() as conn:
            found = repo.get(conn, ref.account_id, ref.region, ref.name, params["VersionNumber"])
            if found is not None and not found.deleted:
                repo.mark_deleted(conn, found.id)
        return {}

    def add_layer_version_permission(self, ctx: RequestContext, params: dict[str, Any]) -> dict:
        ref = self._own(ctx, params["LayerName"])
        policy.check_action(params["Action"])
        sid = params["StatementId"]

        def change(current: repo.LayerVersion) -> tuple[list[dict[str, Any]], dict[str, Any]]:
            if any(s["Sid"] == sid for s in current.statements):
                raise policy.statement_exists(sid)
            arn = ref.version_arn(current.version)
            added = policy.statement(sid, params["Principal"], arn, params.get("OrganizationId"))
            return [*current.statements, added], added

        added, revision = self._change_policy(ref, params, change)
        return {"Statement": json.dumps(added), "RevisionId": revision}

    def get_layer_version_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict:
        ref = self._own(ctx, params["LayerName"])
        found = self._live(ref, params["VersionNumber"])
        if not found.statements:
            raise policy.no_policy()
        return {"Policy": policy.document(found.statements), "RevisionId": found.revision_id}

    def remove_layer_version_permission(self, ctx: RequestContext, params: dict) -> dict:
        ref = self._own(ctx, params["LayerName"])
        sid = params["StatementId"]

        def change(current: repo.LayerVersion) -> tuple[list[dict[str, Any]], None]:
            kept = [s for s in current.statements if s["Sid"] != sid]
            if len(kept) == len(current.statements):
                raise policy.statement_not_found(sid)
            return kept, None

        self._change_policy(ref, params, change)
        return {}

    # -- a function's layers ----------------------------------------------------------------

    def for_function(
        self, ctx: RequestContext, arns: list[str], code_unzipped: int
    ) -> list[FunctionLayer]:
        """The layers a Create/UpdateFunctionConfiguration names, checked as Lambda checks
        them: at most five, in the function's region, existing, readable by its account,
        and with the code no more than 250 MB unzipped."""
        if len(arns) > MAX_LAYERS:
            raise invalid_parameter(f"Cannot reference more than {MAX_LAYERS} layers.")
        chosen = []
        with self.store.read() as conn:
            for arn in arns:
                parsed = parse_layer_version_arn(arn)
                if parsed is None:
                    raise invalid_parameter(f"Invalid Layer Version Arn: {arn}")
                ref, number = parsed
                if ref.region != ctx.region:
                    raise invalid_parameter(
                        "Layers are not in the same region as the function. "
                        f"Layers are expected to be in region {ctx.region}."
                    )
                found = repo.get(conn, ref.account_id, ref.region, ref.name, number)
                if found is None or found.deleted:
                    raise invalid_parameter(f"Layer version {arn} does not exist.")
                if not self._may_read(ctx, found):
                    raise policy.not_allowed(ctx.account_id, arn)
                size = found.config["CodeSize"]
                chosen.append(FunctionLayer(arn, size, found.digest, found.unzipped_size))
        self.check_total(code_unzipped, [layer.unzipped_size for layer in chosen])
        return chosen

    @staticmethod
    def check_total(code_unzipped: int, layers_unzipped: list[int]) -> None:
        total = code_unzipped + sum(layers_unzipped)
        if total > UNZIPPED_LIMIT:
            raise invalid_parameter(
                "Function code combined with layers exceeds the maximum allowed size of "
                f"{UNZIPPED_LIMIT} bytes. The actual size is {total} bytes."
            )

    # -- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _own(ctx: RequestContext, name: str) -> LayerRef:
        """A layer the caller may change: only its own account's, in its region."""
        ref = parse_layer_name(ctx, name)
        if (ref.account_id, ref.region) != (ctx.account_id, ctx.region):
            raise resource_not_found()
        return ref

    def _live(self, ref: LayerRef, number: int) -> repo.LayerVersion:
        with self.store.read() as conn:
            found = repo.get(conn, ref.account_id, ref.region, ref.name, number)
        if found is None or found.deleted:
            raise resource_not_found()
        return found

    def _readable(self, ctx: RequestContext, ref: LayerRef, number: int) -> repo.LayerVersion:
        found = self._live(ref, number)
        if ref.region != ctx.region:
            raise resource_not_found()
        if not self._may_read(ctx, found):
            raise policy.not_allowed(ctx.account_id, ref.version_arn(number))
        return found

    @staticmethod
    def _may_read(ctx: RequestContext, found: repo.LayerVersion) -> bool:
        return found.account_id == ctx.account_id or policy.allows(found.statements, ctx.account_id)

    def _change_policy(self, ref: LayerRef, params: dict[str, Any], change: Any) -> tuple:
        """Read, change, write if unchanged meanwhile (RevisionId as the caller's view)."""
        expected = params.get("RevisionId")
        while True:
            current = self._live(ref, params["VersionNumber"])
            if expected and expected != current.revision_id:
                raise precondition_failed()
            statements, answer = change(current)
            revision = new_revision()
            with self.store.write() as conn:
                if repo.replace_statements(conn, current, statements, revision):
                    return answer, revision
            if expected:
                raise precondition_failed()

    @staticmethod
    def _present(ctx: RequestContext, found: repo.LayerVersion) -> dict[str, Any]:
        config = dict(found.config)
        ref = _ref(found)
        shown: dict[str, Any] = {
            "Content": {
                "Location": f"{ctx.base_url}/_lamina/code/{found.digest}.zip",
                "CodeSha256": config.pop("CodeSha256"),
                "CodeSize": config.pop("CodeSize"),
            },
            "LayerArn": ref.arn,
            "LayerVersionArn": ref.version_arn(found.version),
            "Version": found.version,
        }
        return {**shown, **config}


def _ref(found: repo.LayerVersion) -> LayerRef:
    return LayerRef(found.account_id, found.region, found.name)


def _list_item(found: repo.LayerVersion) -> dict[str, Any]:
    item = {"LayerVersionArn": _ref(found).version_arn(found.version), "Version": found.version}
    for key in _LISTED:
        if key in found.config:
            item[key] = found.config[key]
    return item


_LISTED = (
    "Description", "CreatedDate", "CompatibleRuntimes", "LicenseInfo", "CompatibleArchitectures",
)  # fmt: skip


def _matches(found: repo.LayerVersion, params: dict[str, Any]) -> bool:
    runtime, architecture = params.get("CompatibleRuntime"), params.get("CompatibleArchitecture")
    if runtime and runtime not in found.config.get("CompatibleRuntimes", []):
        return False
    return not architecture or architecture in found.config.get("CompatibleArchitectures", [])
