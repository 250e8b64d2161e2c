"""IAM's rules for tags (on roles, users, managed policies, instance profiles), kept by ARN
in the shared tag table (services/tagging.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from lamina.services import tagging
from lamina.services.iam.errors import invalid_input, limit_exceeded
from lamina.services.iam.paging import page

MAX_TAGS = 50


def check(tags: list[dict[str, str]], case_insensitive: bool = True) -> dict[str, str]:
    """The tags of a request as a dict. Roles and users refuse keys that differ only in case
    (AWS's message says so); managed policies refuse only exact duplicates."""
    keys = [t["Key"].lower() if case_insensitive else t["Key"] for t in tags]
    if len(keys) != len(set(keys)):
        if case_insensitive:
            raise invalid_input(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive."
            )
        raise invalid_input("Duplicate tag keys found.")
    return {t["Key"]: t.get("Value", "") for t in tags}


def listed(conn: Connection, arn: str) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(tagging.get_tags(conn, arn).items())]


def add(conn: Connection, arn: str, tags: dict[str, str]) -> None:
    merged = {**tagging.get_tags(conn, arn), **tags}
    if len(merged) > MAX_TAGS:
        raise limit_exceeded(f"Cannot exceed quota for TagsPerResource: {MAX_TAGS}")
    tagging.put_tags(conn, arn, tags)


def remove(conn: Connection, arn: str, keys: list[str]) -> None:
    tagging.remove_tags(conn, arn, keys)


def forget(conn: Connection, arn: str) -> None:
    tagging.remove_tags(conn, arn)


def move(conn: Connection, old_arn: str, new_arn: str) -> None:
    """A renamed or moved entity keeps its tags under its new ARN."""
    if old_arn == new_arn:
        return
    found = tagging.get_tags(conn, old_arn)
    tagging.remove_tags(conn, old_arn)
    tagging.put_tags(conn, new_arn, found)


def page_of(conn: Connection, arn: str, params: dict[str, Any]) -> dict[str, Any]:
    return page(listed(conn, arn), lambda t: t["Key"], params, "Tags")
