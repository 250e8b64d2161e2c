"""Two nodes on one PostgreSQL store: one of them polls a mapping's queue at a time (it holds
the worker's lease); when that node dies, the other takes the queue over once the lease runs
out, and every message is processed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import PG_URL, _own_store_env, client, create_function, make_zip, wait_for
from tests.server import LaminaServer
from tests.services.lambda_.sqsing import make_queue, map_queue
from tests.services.lambda_.test_sqs_event_source_durability import RECORDING, _ran

pytestmark = pytest.mark.skipif(not PG_URL, reason="a fleet needs PostgreSQL")


def _holders(url: str) -> list[tuple[str, str | None]]:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("select worker, owner from poller_leases"))
            return [(row[0], row[1]) for row in rows]
    finally:
        engine.dispose()


def _send(sqs, url: str, numbers: range) -> None:
    for start in range(numbers.start, numbers.stop, 10):
        entries = [
            {"Id": str(n), "MessageBody": str(n)}
            for n in range(start, min(start + 10, numbers.stop))
        ]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)


def test_one_node_polls_a_queue_and_the_other_takes_over_when_it_dies(tmp_path):
    env = _own_store_env("postgresql", "lamina_esm_fleet")
    nodes = {
        name: LaminaServer(tmp_path / name, {**env, "LAMINA_NODE_ID": name})
        for name in ("esm-a", "esm-b")
    }
    for node in nodes.values():
        node.start()
    try:
        one = nodes["esm-a"]
        functions, logs, sqs = (client(s, one.url) for s in ("lambda", "logs", "sqs"))
        logs.create_log_group(logGroupName="ran")
        logs.create_log_stream(logGroupName="ran", logStreamName="messages")
        code = {"ZipFile": make_zip({"handler.py": RECORDING})}
        create_function(functions, "recorder", Code=code, Timeout=2)
        url, arn = make_queue(sqs, "shared", VisibilityTimeout="3")
        map_queue(functions, arn, "recorder", BatchSize=5)
        _send(sqs, url, range(50))
        wait_for(lambda: len(_ran(logs)) == 50, timeout=60)
        holders = _holders(env["LAMINA_DATABASE_URL"])
        assert len(holders) == 1 and holders[0][1] in nodes, holders
        holder = holders[0][1]
        nodes[holder].kill()
        survivor = next(node for name, node in nodes.items() if name != holder)
        sqs, logs = client("sqs", survivor.url), client("logs", survivor.url)
        _send(sqs, url, range(50, 100))
        ran = wait_for(lambda: (seen := _ran(logs)) and len(seen) == 100 and seen, timeout=120)
        assert set(ran) == {str(n) for n in range(100)}
        assert _holders(env["LAMINA_DATABASE_URL"])[0][1] != holder
    finally:
        for node in nodes.values():
            node.stop()
