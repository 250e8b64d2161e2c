"""Resource-based policies: AddPermission, RemovePermission, GetPolicy on a function or one of
its qualifiers, each policy a row of statements with its own RevisionId. Stored and returned;
the only place they are enforced today is the function URL data plane (AuthType NONE needs
the statement AWS requires), which asks `allows_public_url`."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from lamina.context import RequestContext
from lamina.protocol.errors import ServiceError
from lamina.services.lambda_ import functions as repo
from lamina.services.lambda_.arns import FunctionRef, parse_function
from lamina.services.lambda_.configuration import new_revision
from lamina.services.lambda_.errors import precondition_failed
from lamina.services.lambda_.policy_statements import (
    POLICY_LIMIT,
    allows_public_url,
    document,
    dump,
    statement,
)
from lamina.services.lambda_.recent import Recent
from lamina.store import Store
from lamina.store.schema import lambda_policies as policies

Finder = Callable[[Connection, FunctionRef], repo.FunctionVersion]


@dataclass(frozen=True)
class Policy:
    statements: list[dict[str, Any]]
    revision_id: str


def _one(function_id: int, qualifier: str) -> tuple[sa.ColumnElement[bool], ...]:
    return policies.c.function_id == function_id, policies.c.qualifier == qualifier


def read(conn: Connection, function_id: int, qualifier: str, lock: bool = False) -> Policy | None:
    query = sa.select(policies.c.statements, policies.c.revision_id).where(
        *_one(function_id, qualifier)
    )
    row = conn.execute(query.with_for_update() if lock else query).first()
    return Policy(list(row[0]), row[1]) if row else None


def write(conn: Connection, function_id: int, qualifier: str, policy: Policy | None) -> None:
    """Replace the row (or remove it: a policy without statements is no policy)."""
    conn.execute(policies.delete().where(*_one(function_id, qualifier)))
    if policy is not None:
        conn.execute(
            policies.insert().values(
                function_id=function_id,
                qualifier=qualifier,
                statements=policy.statements,
                revision_id=policy.revision_id,
            )
        )


def _not_found(message: str) -> ServiceError:
    return ServiceError("ResourceNotFoundException", message, 404, Type="User")


class ResourcePolicies:
    def __init__(self, store: Store, find: Finder) -> None:
        self.store = store
        self.find = find
        # (function_id, qualifier) → may anyone invoke its URL; read on every URL request.
        self.public: Recent[tuple[int, str], bool] = Recent()

    def reset(self) -> None:
        self.public.clear()

    def add_permission(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"], params.get("Qualifier"))
        sid = params["StatementId"]
        made = statement(params, ref.qualified_arn)
        while True:
            try:
                with self.store.write() as conn:
                    function = self.find(conn, ref)
                    key = (function.function_id, ref.qualifier or "")
                    current = read(conn, *key, lock=True) or Policy([], "")
                    if any(found.get("Sid") == sid for found in current.statements):
                        raise ServiceError(
                            "ResourceConflictException",
                            f"The statement id ({sid}) provided already exists. Please provide "
                            "a new statement id, or remove the existing statement.",
                            409,
                            Type="User",
                        )
                    _check_revision(params, current)
                    statements = [*current.statements, made]
                    size = len(document(statements).encode())
                    if size > POLICY_LIMIT:
                        raise ServiceError(
                            "PolicyLengthExceededException",
                            f"The final policy size ({size}) is bigger than the limit "
                            f"({POLICY_LIMIT}).",
                            400,
                            Type="User",
                        )
                    write(conn, *key, Policy(statements, new_revision()))
                break
            except IntegrityError:
                continue  # another node wrote the first statement meanwhile: read it anew
        self.public.drop(key)
        return {"Statement": dump(made)}

    def remove_permission(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"], params.get("Qualifier"))
        sid = params["StatementId"]
        with self.store.write() as conn:
            function = self.find(conn, ref)
            key = (function.function_id, ref.qualifier or "")
            current = read(conn, *key, lock=True)
            if current is None:
                raise _not_found("No policy is associated with the given resource.")
            kept = [found for found in current.statements if found.get("Sid") != sid]
            if len(kept) == len(current.statements):
                raise _not_found(f"Statement {sid} is not found in resource policy.")
            _check_revision(params, current)
            write(conn, *key, Policy(kept, new_revision()) if kept else None)
        self.public.drop(key)
        return {}

    def get_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"], params.get("Qualifier"))
        with self.store.read() as conn:
            function = self.find(conn, ref)
            current = read(conn, function.function_id, ref.qualifier or "")
        if current is None:
            raise _not_found("The resource you requested does not exist.")
        return {"Policy": document(current.statements), "RevisionId": current.revision_id}

    def allows_public_url(self, function_id: int, qualifier: str) -> bool:
        """Whether the policy of this function (and URL qualifier) lets AuthType NONE serve."""
        key = (function_id, qualifier)
        found, allowed = self.public.get(key)
        if not found:
            read_at = time.monotonic()
            with self.store.read() as conn:
                current = read(conn, *key)
            allowed = current is not None and allows_public_url(current.statements)
            self.public.put(key, allowed, read_at)
        return bool(allowed)


def _check_revision(params: dict[str, Any], current: Policy) -> None:
    expected = params.get("RevisionId")
    if expected and expected != current.revision_id:
        raise precondition_failed()
