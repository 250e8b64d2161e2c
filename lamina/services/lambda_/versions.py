"""Published versions: PublishVersion (also CreateFunction's and UpdateFunctionCode's Publish),
ListVersionsByFunction, and DeleteFunction with a Qualifier. A version is an immutable snapshot
of $LATEST's code and configuration, numbered 1, 2, ... (a number is never reused)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lamina.protocol.errors import ServiceError
from lamina.services import tagging
from lamina.services.lambda_ import aliases, provisioned_configs
from lamina.services.lambda_ import event_configs as configs
from lamina.services.lambda_ import functions as repo
from lamina.services.lambda_.arns import LATEST, parse_function
from lamina.services.lambda_.configuration import last_modified, new_revision, present
from lamina.services.lambda_.errors import invalid_parameter, precondition_failed
from lamina.services.lambda_.paging import Paging
from lamina.services.registry import store_read

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from lamina.context import RequestContext
    from lamina.services.lambda_.catalog import FunctionCatalog

# What differs between versions of the same code and configuration.
_OWN = ("FunctionArn", "Version", "LastModified", "RevisionId", "Description")
DEFAULT_MAX_ITEMS = 50


def publish(
    conn: Connection, latest: repo.FunctionVersion, description: str | None = None
) -> repo.FunctionVersion:
    """A new version of $LATEST as it is; the last version if nothing changed since it."""
    repo.lock(conn, latest.function_id)  # one publish at a time: the check below holds
    published = [v for v in repo.every_version(conn, latest.function_id) if v.version != LATEST]
    if published and same(published[-1], latest):
        return published[-1]
    version = str(repo.next_version(conn, latest.function_id))
    config = dict(
        latest.config,
        Version=version,
        FunctionArn=f"{latest.config['FunctionArn']}:{version}",
        LastModified=last_modified(),
        RevisionId=new_revision(),
    )
    if description is not None:
        config["Description"] = description
    return repo.insert_version(conn, latest, version, config)


def same(version: repo.FunctionVersion, latest: repo.FunctionVersion) -> bool:
    def kept(config: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in config.items() if key not in _OWN}

    return version.code_digest == latest.code_digest and kept(version.config) == kept(latest.config)


def referenced(names: list[str]) -> ServiceError:
    return ServiceError(
        "ResourceConflictException",
        "Unable to delete version because the following aliases reference it: "
        f"[{', '.join(names)}]",
        409,
        Type="User",
    )


def sha_mismatch(given: str, current: str) -> ServiceError:
    return invalid_parameter(
        f"CodeSHA256 ({given}) is different from current CodeSHA256 in $LATEST ({current}). "
        "Please try again with the CodeSHA256 in $LATEST."
    )


class Versions:
    def __init__(self, functions: FunctionCatalog) -> None:
        self.functions = functions
        self.store = functions.store

    def publish_version(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"])
        with self.functions.writing(ref) as conn:
            latest = self.functions.find_latest(conn, ref)
            if params.get("RevisionId") and params["RevisionId"] != latest.revision_id:
                raise precondition_failed()
            sha = latest.config["CodeSha256"]
            if params.get("CodeSha256") and params["CodeSha256"] != sha:
                raise sha_mismatch(params["CodeSha256"], sha)
            version = publish(conn, latest, params.get("Description"))
        return present(version.config)

    @store_read
    def list_versions_by_function(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"])
        paging = Paging(params, DEFAULT_MAX_ITEMS)
        after = paging.after
        with self.store.read() as conn:
            function = self.functions.find_latest(conn, ref)
            every = repo.every_version(conn, function.function_id)
        start = 0
        if after is not None:
            start = next((i for i, v in enumerate(every) if _after(v.version, after)), len(every))
        page, more = paging.page(every[start:], lambda version: version.version)
        return {"Versions": [shown(v) for v in page], **more}

    def delete_function(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """The function with all its versions and aliases; or, with a Qualifier, one version."""
        ref = parse_function(ctx, params["FunctionName"], params.get("Qualifier"))
        if ref.qualifier == LATEST:
            raise invalid_parameter(
                "$LATEST version cannot be deleted without deleting the function."
            )
        with self.functions.writing(ref) as conn:
            function = self.functions.find(conn, ref)
            if ref.qualifier is None:
                repo.delete(conn, function.function_id)  # its aliases and configs cascade
                tagging.remove_tags(conn, ref.arn)
                return {}
            if not ref.qualifier.isdigit():
                raise invalid_parameter(
                    f"{ref.qualified_arn} is an alias: DeleteAlias deletes it, and DeleteFunction "
                    "deletes a version."
                )
            users = aliases.referring_to(conn, function.function_id, ref.qualifier)
            if users:
                raise referenced(users)
            repo.delete_version(conn, function.function_id, ref.qualifier)
            provisioned_configs.delete(conn, function.function_id, ref.qualifier)
            configs.delete(conn, function.function_id, ref.qualifier)
        return {}


def shown(version: repo.FunctionVersion) -> dict[str, Any]:
    """A version as lists show it: every ARN qualified, $LATEST's too."""
    config = present(version.config)
    if version.version == LATEST:
        config["FunctionArn"] = f"{config['FunctionArn']}:{LATEST}"
    return config


def _after(version: str, marker: str) -> bool:
    """Whether a version comes after the marker's ($LATEST first, then by number)."""
    if version == LATEST:
        return False
    return marker == LATEST or (marker.isdigit() and int(version) > int(marker))
