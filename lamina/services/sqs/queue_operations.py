"""Queue operations: create, find, list, delete, attributes, tags, permissions, purge.

A deleted queue's name cannot be used again for 60 seconds (QueueDeletedRecently), as AWS
documents; POST /_lamina/reset forgets deleted names with everything else, so test suites that
reset between tests are not held up.
"""

from __future__ import annotations

import json
import time
from typing import Any

from lamina.context import RequestContext
from lamina.protocol.errors import ServiceError
from lamina.services import pagetokens, tagging
from lamina.services.registry import store_read
from lamina.services.sqs import attributes, counts, permissions, queues, redrive
from lamina.services.sqs.base import SqsBase
from lamina.services.sqs.errors import invalid_parameter, queue_does_not_exist
from lamina.services.sqs.queues import Queue
from lamina.services.sqs.urls import queue_arn, queue_url
from lamina.store.schema import sqs_messages

PURGE_INTERVAL_S = 60.0
MAX_TAGS = 50
MAX_PAGE = 1000


def _page_size(params: dict[str, Any]) -> int | None:
    size = params.get("MaxResults")
    if size is not None and not 1 <= size <= MAX_PAGE:
        raise invalid_parameter(
            f"Value {size} for parameter MaxResults is invalid. Reason: MaxResults must be an "
            f"integer between 1 and {MAX_PAGE}."
        )
    return size


def _page(items: list[str], params: dict[str, Any], key: str) -> dict[str, Any]:
    """AWS's paging of queue URLs: all (up to 1000) without MaxResults, else pages."""
    size = _page_size(params)
    start = 0
    if params.get("NextToken"):
        try:
            start = int(pagetokens.decode(params["NextToken"]))
        except (pagetokens.BadToken, TypeError, ValueError):
            raise invalid_parameter("Invalid NextToken value.") from None
    limit = size or MAX_PAGE
    shown = items[start : start + limit]
    result: dict[str, Any] = {key: shown} if shown else {}
    if size is not None and start + limit < len(items):
        result["NextToken"] = pagetokens.encode(start + limit)
    return result


class QueueOperations(SqsBase):
    def url_of(self, ctx: RequestContext, queue: Queue) -> str:
        return queue_url(ctx.base_url, queue.region, queue.account_id, queue.name)

    def _normalize(self, conn: Any, arn: str, fifo: bool, stored: dict[str, str]) -> None:
        if stored.get("RedrivePolicy"):
            redrive.check_redrive_policy(conn, arn, fifo, stored["RedrivePolicy"])
            policy = json.loads(stored["RedrivePolicy"])
            stored["RedrivePolicy"] = json.dumps(
                {
                    "deadLetterTargetArn": policy["deadLetterTargetArn"],
                    "maxReceiveCount": int(policy["maxReceiveCount"]),
                },
                separators=(",", ":"),
            )
        if stored.get("RedriveAllowPolicy"):
            redrive.check_redrive_allow_policy(stored["RedriveAllowPolicy"])
        for name in attributes.POLICIES:
            if stored.get(name) == "":
                del stored[name]  # an empty policy removes it

    def create_queue(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["QueueName"]
        given = dict(params.get("Attributes") or {})
        fifo = str(given.get("FifoQueue", "false")).lower() == "true"
        queues.check_name(name, fifo)
        stored = attributes.check(given, fifo, creating=True)
        tags = params.get("tags") or {}
        _check_tags(tags)
        arn = queue_arn(ctx.region, ctx.account_id, name)
        with self.store.write() as conn:
            existing = queues.get(conn, ctx.account_id, ctx.region, name)
            if existing is not None:
                _same_or_refuse(existing, given)
                return {"QueueUrl": self.url_of(ctx, existing)}
            if queues.deleted_recently(conn, ctx.account_id, ctx.region, name):
                raise ServiceError(
                    "QueueDeletedRecently",
                    "You must wait 60 seconds after deleting a queue before you can create "
                    "another with the same name.",
                )
            self._normalize(conn, arn, fifo, stored)
            queue = queues.insert(conn, ctx.account_id, ctx.region, name, fifo, stored)
            tagging.put_tags(conn, arn, tags)
        self.changed(queue)
        return {"QueueUrl": self.url_of(ctx, queue)}

    @store_read
    def get_queue_url(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        account = params.get("QueueOwnerAWSAccountId") or ctx.account_id
        with self.store.read() as conn:
            queue = queues.get(conn, account, ctx.region, params["QueueName"])
        if queue is None:
            raise queue_does_not_exist()
        return {"QueueUrl": self.url_of(ctx, queue)}

    @store_read
    def list_queues(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            found = queues.listing(
                conn, ctx.account_id, ctx.region, params.get("QueueNamePrefix") or ""
            )
        urls = [self.url_of(ctx, q) for q in found]
        return _page(urls, params, "QueueUrls")

    def delete_queue(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = self.queue_key(ctx, params["QueueUrl"])
        with self.store.write() as conn:
            queue = queues.require(conn, *key)
            queues.delete(conn, queue)
            tagging.remove_tags(conn, queue.arn)
        self.changed(queue)
        return {}

    # -- attributes ------------------------------------------------------------------------

    @store_read
    def get_queue_attributes(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        wanted = attributes.requested(list(params.get("AttributeNames") or []))
        key = self.queue_key(ctx, params["QueueUrl"])
        with self.store.read() as conn:
            queue = queues.require(conn, *key)
            values: dict[str, str] = dict(queue.values)
            if wanted & {n for n in attributes.COMPUTED if n.startswith("Approximate")}:
                values.update(counts.approximate(conn, queue))
        values["QueueArn"] = queue.arn
        values["CreatedTimestamp"] = str(int(queue.created_at))
        values["LastModifiedTimestamp"] = str(int(queue.modified_at))
        shown = {k: v for k, v in values.items() if k in wanted}
        return {"Attributes": shown} if shown else {}

    def set_queue_attributes(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        given = dict(params["Attributes"])
        key = self.queue_key(ctx, params["QueueUrl"])
        with self.store.write() as conn:
            queue = queues.require(conn, *key)
            changes = attributes.check(given, queue.fifo, creating=False)
            stored = {**queue.stored, **changes}
            effective = attributes.effective(stored, queue.fifo)
            if effective.get("FifoThroughputLimit") == "perMessageGroupId" and (
                effective.get("DeduplicationScope") != "messageGroup"
            ):
                raise ServiceError(
                    "InvalidAttributeValue",
                    "Invalid value for the parameter FifoThroughputLimit. Reason: The "
                    "perMessageGroupId value is allowed only when the value for "
                    "DeduplicationScope is messageGroup.",
                )
            self._normalize(conn, queue.arn, queue.fifo, stored)
            queues.update_attributes(conn, queue, stored)
        self.changed(queue)
        return {}

    # -- purge -----------------------------------------------------------------------------

    def purge_queue(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = self.queue_key(ctx, params["QueueUrl"])
        now = time.time()
        with self.store.write() as conn:
            queue = queues.require(conn, *key)
            if queue.purged_at is not None and now - queue.purged_at < PURGE_INTERVAL_S:
                raise ServiceError(
                    "PurgeQueueInProgress",
                    f"Only one PurgeQueue operation on {queue.name} is allowed every 60 seconds.",
                )
            queues.set_purged(conn, queue, now)
            conn.execute(
                sqs_messages.delete().where(
                    sqs_messages.c.queue_id == queue.id,
                    sqs_messages.c.sent_at <= int(now * 1000),
                )
            )
        self.changed(queue)
        return {}

    # -- tags ------------------------------------------------------------------------------

    def tag_queue(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = self.queue_key(ctx, params["QueueUrl"])
        tags = params["Tags"]
        with self.store.write() as conn:
            queue = queues.require(conn, *key)
            _check_tags({**tagging.get_tags(conn, queue.arn), **tags})
            tagging.put_tags(conn, queue.arn, tags)
        return {}

    def untag_queue(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = self.queue_key(ctx, params["QueueUrl"])
        with self.store.write() as conn:
            queue = queues.require(conn, *key)
            tagging.remove_tags(conn, queue.arn, list(params["TagKeys"]))
        return {}

    @store_read
    def list_queue_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = self.queue_key(ctx, params["QueueUrl"])
        with self.store.read() as conn:
            queue = queues.require(conn, *key)
            tags = tagging.get_tags(conn, queue.arn)
        return {"Tags": tags} if tags else {}

    # -- permissions -----------------------------------------------------------------------

    def add_permission(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = self.queue_key(ctx, params["QueueUrl"])
        with self.store.write() as conn:
            queue = queues.require(conn, *key)
            policy = permissions.add(
                queue.stored.get("Policy"),
                queue.arn,
                params["Label"],
                list(params["AWSAccountIds"]),
                list(params["Actions"]),
            )
            queues.update_attributes(conn, queue, {**queue.stored, "Policy": policy})
        self.changed(queue)
        return {}

    def remove_permission(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = self.queue_key(ctx, params["QueueUrl"])
        with self.store.write() as conn:
            queue = queues.require(conn, *key)
            policy = permissions.remove(queue.stored.get("Policy"), params["Label"])
            stored = {k: v for k, v in queue.stored.items() if k != "Policy"}
            if policy:
                stored["Policy"] = policy
            queues.update_attributes(conn, queue, stored)
        self.changed(queue)
        return {}

    # -- dead-letter sources ---------------------------------------------------------------

    @store_read
    def list_dead_letter_source_queues(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        key = self.queue_key(ctx, params["QueueUrl"])
        with self.store.read() as conn:
            dlq = queues.require(conn, *key)
            found = redrive.sources(conn, dlq)
        urls = [self.url_of(ctx, q) for q in found]
        result = _page(urls, params, "queueUrls")
        result.setdefault("queueUrls", [])  # a required member of the answer
        return result


def _same_or_refuse(existing: Queue, given: dict[str, str]) -> None:
    """CreateQueue of an existing name: its URL if every given attribute matches."""
    current = existing.values
    current["FifoQueue"] = "true" if existing.fifo else "false"
    for name, value in given.items():
        if not _same_value(name, current.get(name, ""), str(value)):
            raise ServiceError(
                "QueueNameExists",
                f"A queue already exists with the same name and a different value for "
                f"attribute {name}",
            )


def _same_value(name: str, current: str, given: str) -> bool:
    if name not in attributes.POLICIES or not current or not given:
        return current == given
    try:
        mine, theirs = json.loads(current), json.loads(given)
    except ValueError:
        return False
    if name == "RedrivePolicy" and isinstance(theirs, dict) and "maxReceiveCount" in theirs:
        try:
            theirs["maxReceiveCount"] = int(theirs["maxReceiveCount"])
        except (TypeError, ValueError):
            return False
    return bool(mine == theirs)


def _check_tags(tags: dict[str, str]) -> None:
    if len(tags) > MAX_TAGS:
        raise invalid_parameter(
            f"Too many tags added for queue. A queue can have at most {MAX_TAGS} tags."
        )
    for key, value in tags.items():
        if not 1 <= len(key) <= 128:
            raise invalid_parameter(f"Tag key must be between 1 and 128 characters: {key}")
        if len(value) > 256:
            raise invalid_parameter(f"Tag value must be at most 256 characters: {value}")
