"""Resource-based policies: AddPermission, RemovePermission, GetPolicy on a function, a version
or an alias, each policy a row of statements. As on AWS, the policy's RevisionId is that of
what it is on (the function's, the version's, the alias's), and a change renews it. Stored
and returned; the only place they are enforced today is the function URL data plane
(AuthType NONE needs the statement AWS requires), which asks `allows_public_url`."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina import lambda_invoke_permission
from lamina.context import RequestContext
from lamina.protocol.errors import ServiceError
from lamina.services.lambda_ import aliases
from lamina.services.lambda_ import functions as repo
from lamina.services.lambda_.arns import LATEST, FunctionRef, parse_function
from lamina.services.lambda_.catalog import FunctionCatalog
from lamina.services.lambda_.configuration import new_revision
from lamina.services.lambda_.errors import invalid_parameter, precondition_failed
from lamina.services.lambda_.policy_statements import (
    POLICY_LIMIT,
    allows_public_url,
    document,
    dump,
    statement,
)
from lamina.services.lambda_.recent import Recent
from lamina.store.schema import lambda_policies as policies


def _one(function_id: int, qualifier: str) -> tuple[sa.ColumnElement[bool], ...]:
    return policies.c.function_id == function_id, policies.c.qualifier == qualifier


def read(conn: Connection, function_id: int, qualifier: str) -> list[dict[str, Any]] | None:
    query = sa.select(policies.c.statements).where(*_one(function_id, qualifier))
    row = conn.execute(query).first()
    return list(row[0]) if row else None


def write(conn: Connection, function_id: int, qualifier: str, statements: list[dict]) -> None:
    """Replace the row, or remove it: a policy without statements is no policy."""
    conn.execute(policies.delete().where(*_one(function_id, qualifier)))
    if statements:
        conn.execute(
            policies.insert().values(
                function_id=function_id, qualifier=qualifier, statements=statements
            )
        )


def _not_found(message: str) -> ServiceError:
    return ServiceError("ResourceNotFoundException", message, 404, Type="User")


def _qualifier(ref: FunctionRef) -> str:
    """The policy's key: '' for the function itself ($LATEST's policy is the function's)."""
    return "" if ref.qualifier in (None, LATEST) else str(ref.qualifier)


class _Changed(Exception):
    """The function changed between our read and our write: roll back and go again."""


class ResourcePolicies:
    def __init__(self, functions: FunctionCatalog) -> None:
        self.functions = functions
        self.store = functions.store
        # (function_id, qualifier) → may anyone invoke its URL; read on every URL request.
        self.public: Recent[tuple[int, str], bool] = Recent()

    def reset(self) -> None:
        self.public.clear()

    def add_permission(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"], params.get("Qualifier"))
        if ref.qualifier == LATEST:
            raise invalid_parameter("We currently do not support adding policies for $LATEST.")
        sid = params["StatementId"]
        made = statement(params, ref.qualified_arn)

        def change(conn: Connection, statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
            if any(found.get("Sid") == sid for found in statements):
                raise ServiceError(
                    "ResourceConflictException",
                    f"The statement id ({sid}) provided already exists. Please provide a new "
                    "statement id, or remove the existing statement.",
                    409,
                    Type="User",
                )
            changed = [*statements, made]
            size = len(document(changed).encode())
            if size > POLICY_LIMIT:
                raise ServiceError(
                    "PolicyLengthExceededException",
                    f"The final policy size ({size}) is bigger than the limit ({POLICY_LIMIT}).",
                    400,
                    Type="User",
                )
            return changed

        self._change(ref, params.get("RevisionId"), change, missing=None)
        return {"Statement": dump(made)}

    def remove_permission(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"], params.get("Qualifier"))
        sid = params["StatementId"]

        def change(conn: Connection, statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
            kept = [found for found in statements if found.get("Sid") != sid]
            if len(kept) == len(statements):
                raise _not_found(f"Statement {sid} is not found in resource policy.")
            return kept

        missing = _not_found("No policy is associated with the given resource.")
        self._change(ref, params.get("RevisionId"), change, missing)
        return {}

    def _change(
        self, ref: FunctionRef, expected: str | None, change: Any, missing: ServiceError | None
    ) -> None:
        """Change the statements and renew the function's RevisionId in one transaction;
        again if the function changed meanwhile (unless the caller named the revision)."""
        while True:
            try:
                with self.functions.writing(ref) as conn:
                    function_id, revision, renew = self._target(conn, ref)
                    key = (function_id, _qualifier(ref))
                    statements = read(conn, *key)
                    if statements is None and missing is not None:
                        raise missing
                    if expected and expected != revision:
                        raise precondition_failed()
                    write(conn, *key, change(conn, statements or []))
                    if not renew():
                        raise _Changed
                break
            except _Changed:
                if expected:
                    raise precondition_failed() from None
        self.public.drop(key)
        lambda_invoke_permission.changed()

    def _target(self, conn: Connection, ref: FunctionRef) -> tuple[int, str, Callable[[], bool]]:
        """What the policy is on: its function, its RevisionId, and how to renew that (False
        when it changed meanwhile). An alias has its own revision; $LATEST and each version
        theirs."""
        function = self.functions.find(conn, ref)  # ResourceNotFound for a missing qualifier
        qualifier = _qualifier(ref)
        if qualifier and not qualifier.isdigit():
            alias = aliases.get(conn, function.function_id, qualifier)
            assert alias is not None  # find() resolved it in this transaction
            renewed = replace(alias, revision_id=new_revision())
            return (
                function.function_id,
                alias.revision_id,
                lambda: aliases.replace(conn, alias, renewed),
            )
        config = dict(function.config, RevisionId=new_revision())
        return (
            function.function_id,
            function.revision_id,
            lambda: repo.replace(conn, function, config, function.code_digest),
        )

    def get_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"], params.get("Qualifier"))
        with self.store.read() as conn:
            function_id, revision, _ = self._target(conn, ref)
            statements = read(conn, function_id, _qualifier(ref))
        if statements is None:
            raise _not_found("The resource you requested does not exist.")
        return {"Policy": document(statements), "RevisionId": revision}

    def allows_public_url(self, function_id: int, qualifier: str) -> bool:
        """Whether the policy of this function (and URL qualifier) lets AuthType NONE serve."""
        key = (function_id, qualifier)
        found, allowed = self.public.get(key)
        if not found:
            read_at = time.monotonic()
            with self.store.read() as conn:
                statements = read(conn, *key)
            allowed = statements is not None and allows_public_url(statements)
            self.public.put(key, allowed, read_at)
        return bool(allowed)
