"""Function URLs' control plane: Create/Get/Update/Delete/ListFunctionUrlConfigs, one URL per
function and qualifier ($LATEST, or an alias), each named by a url-id of 32 lowercase letters
and digits as on AWS. The data plane that serves them is `url_plane.py`."""

from __future__ import annotations

import secrets
import string
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from lamina.config import Settings
from lamina.context import RequestContext
from lamina.protocol.errors import ServiceError
from lamina.services.lambda_ import functions as repo
from lamina.services.lambda_.arns import (
    LATEST,
    FunctionRef,
    parse_function,
)
from lamina.services.lambda_.paging import Paging
from lamina.services.lambda_.recent import Recent
from lamina.store import Store
from lamina.store.schema import lambda_function_urls as urls
from lamina.store.schema import lambda_functions as functions

Finder = Callable[[Connection, FunctionRef], repo.FunctionVersion]
_ALPHABET = string.ascii_lowercase + string.digits


@dataclass(frozen=True)
class FunctionUrl:
    url_id: str
    function_id: int
    account_id: str
    region: str
    name: str
    qualifier: str  # '' for $LATEST, else the alias
    config: dict[str, Any]  # AuthType, InvokeMode, Cors (when set)
    created_at: float
    last_modified: float

    @property
    def function_arn(self) -> str:
        arn = f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.name}"
        return f"{arn}:{self.qualifier}" if self.qualifier else arn


_SELECT = sa.select(
    urls.c.url_id,
    urls.c.function_id,
    functions.c.account_id,
    functions.c.region,
    functions.c.name,
    urls.c.qualifier,
    urls.c.config,
    urls.c.created_at,
    urls.c.last_modified,
).select_from(urls.join(functions, functions.c.id == urls.c.function_id))


def by_id(conn: Connection, url_id: str) -> FunctionUrl | None:
    row = conn.execute(_SELECT.where(urls.c.url_id == url_id)).first()
    return FunctionUrl(*row) if row else None


def _of(conn: Connection, function_id: int, qualifier: str) -> FunctionUrl | None:
    query = _SELECT.where(urls.c.function_id == function_id, urls.c.qualifier == qualifier)
    row = conn.execute(query).first()
    return FunctionUrl(*row) if row else None


def timestamp(seconds: float) -> str:
    """Function URLs' own format: 2021-10-31T12:00:00.123456Z."""
    micros = int(seconds * 1_000_000) % 1_000_000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{micros:06d}Z"


def _conflict(arn: str) -> ServiceError:
    return ServiceError(
        "ResourceConflictException",
        f"Failed to create function url config for [functionArn = {arn}]. "
        "Error message:  FunctionUrlConfig exists for this Lambda function",
        409,
        Type="User",
    )


def _not_found() -> ServiceError:
    return ServiceError(
        "ResourceNotFoundException", "The resource you requested does not exist.", 404, Type="User"
    )


class FunctionUrls:
    def __init__(self, store: Store, settings: Settings, find: Finder) -> None:
        self.store = store
        self.settings = settings
        self.find = find
        self.recent: Recent[str, FunctionUrl | None] = Recent()  # by url-id, for the data plane

    def reset(self) -> None:
        self.recent.clear()

    def url_of(self, found: FunctionUrl) -> str:
        return f"http://{found.url_id}.lambda-url.{found.region}.localhost:{self.settings.port}/"

    def present(self, found: FunctionUrl, modified: bool = True) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "FunctionUrl": self.url_of(found),
            "FunctionArn": found.function_arn,
            "AuthType": found.config["AuthType"],
            "CreationTime": timestamp(found.created_at),
            "InvokeMode": found.config.get("InvokeMode", "BUFFERED"),
        }
        if "Cors" in found.config:
            answer["Cors"] = found.config["Cors"]
        if modified:
            answer["LastModifiedTime"] = timestamp(found.last_modified)
        return answer

    def _target(self, conn: Connection, ref: FunctionRef) -> tuple[repo.FunctionVersion, str]:
        """The function and the URL's qualifier. A URL is for $LATEST (no qualifier) or an
        alias; the model's pattern already refuses a version number and '$LATEST'."""
        function = self.find(conn, ref)
        return function, "" if ref.qualifier in (None, LATEST) else str(ref.qualifier)

    def create_function_url_config(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"], params.get("Qualifier"))
        config: dict[str, Any] = {
            "AuthType": params["AuthType"],
            "InvokeMode": params.get("InvokeMode") or "BUFFERED",
        }
        if params.get("Cors") is not None:
            config["Cors"] = params["Cors"]
        now = time.time()
        with self.store.write() as conn:
            function, qualifier = self._target(conn, ref)
            if _of(conn, function.function_id, qualifier) is not None:
                raise _conflict(ref.qualified_arn)
            url_id = "".join(secrets.choice(_ALPHABET) for _ in range(32))
            row = urls.insert().values(
                url_id=url_id,
                function_id=function.function_id,
                qualifier=qualifier,
                config=config,
                created_at=now,
                last_modified=now,
            )
            try:
                with conn.begin_nested():  # PostgreSQL would abort the whole transaction
                    conn.execute(row)
            except IntegrityError:
                raise _conflict(ref.qualified_arn) from None  # made meanwhile elsewhere
        made = FunctionUrl(
            url_id, function.function_id, ref.account_id, ref.region, ref.name, qualifier,
            config, now, now,
        )  # fmt: skip
        self.recent.drop(url_id)
        return self.present(made, modified=False)

    def get_function_url_config(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"], params.get("Qualifier"))
        with self.store.read() as conn:
            function, qualifier = self._target(conn, ref)
            found = _of(conn, function.function_id, qualifier)
        if found is None:
            raise _not_found()
        return self.present(found)

    def update_function_url_config(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"], params.get("Qualifier"))
        now = time.time()
        with self.store.write() as conn:
            function, qualifier = self._target(conn, ref)
            found = _of(conn, function.function_id, qualifier)
            if found is None:
                raise _not_found()
            config = dict(found.config)
            for key in ("AuthType", "InvokeMode", "Cors"):
                if params.get(key) is not None:
                    config[key] = params[key]
            conn.execute(
                urls.update()
                .where(urls.c.url_id == found.url_id)
                .values(config=config, last_modified=now)
            )
        self.recent.drop(found.url_id)
        changed = FunctionUrl(**{**found.__dict__, "config": config, "last_modified": now})
        return self.present(changed)

    def delete_function_url_config(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"], params.get("Qualifier"))
        with self.store.write() as conn:
            function, qualifier = self._target(conn, ref)
            found = _of(conn, function.function_id, qualifier)
            if found is None:
                raise _not_found()
            conn.execute(urls.delete().where(urls.c.url_id == found.url_id))
        self.recent.drop(found.url_id)
        return {}

    def list_function_url_configs(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"])
        paging = Paging(params, 50)
        with self.store.read() as conn:
            function = self.find(conn, ref)
            query = _SELECT.where(urls.c.function_id == function.function_id)
            if paging.after is not None:
                query = query.where(urls.c.qualifier > paging.after)
            rows = conn.execute(query.order_by(urls.c.qualifier).limit(paging.limit + 1)).all()
        page, more = paging.page([FunctionUrl(*row) for row in rows], lambda url: url.qualifier)
        return {"FunctionUrlConfigs": [self.present(found) for found in page], **more}

    def lookup(self, url_id: str) -> FunctionUrl | None:
        """The data plane's read: the URL a request names, briefly cached."""
        found, value = self.recent.get(url_id)
        if not found:
            read_at = time.monotonic()
            with self.store.read() as conn:
                value = by_id(conn, url_id)
            self.recent.put(url_id, value, read_at)
        return value
