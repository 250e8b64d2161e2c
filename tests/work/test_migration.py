"""Migration 0009: events queued in Lambda's old `lambda_async_events` table move to
`work_items` as "lambda:invoke" items that unpack to the same events, and the table goes."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from lamina.services.lambda_ import async_events
from lamina.store.engine import MIGRATIONS
from lamina.work import items as rows
from lamina.work.items import WorkItem


def _upgrade(engine: sa.Engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
        conn.commit()


def test_queued_events_move_to_work_items(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    _upgrade(engine, "0007")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO lambda_async_events (request_id, account_id, region, function_name,"
                " qualifier, payload, trace_id, received_at, attempts, due_at, lease_owner,"
                " lease_until) VALUES ('req-1', '111111111111', 'eu-west-1', 'fn', '$LATEST',"
                " :payload, 'Root=1-a', 1000.5, 1, 1060.5, 'gone-node', 1100.0)"
            ),
            {"payload": b'{"n": 1}\n\x00binary'},
        )
    _upgrade(engine, "head")
    with engine.connect() as conn:
        assert "lambda_async_events" not in sa.inspect(conn).get_table_names()
        assert rows.count(conn, async_events.KIND) == 1
        claimed: list[WorkItem] = rows.claim_due(conn, async_events.KIND, "me", 2000, 2060, 10)
    (item,) = claimed
    assert (item.account_id, item.region, item.attempts, item.due_at, item.created_at) == (
        "111111111111",
        "eu-west-1",
        1,
        1060.5,
        1000.5,
    )
    assert async_events.unpack(item.payload) == async_events.AsyncEvent(
        "req-1", "111111111111", "eu-west-1", "fn", "$LATEST", b'{"n": 1}\n\x00binary', "Root=1-a",
        1000.5,
    )  # fmt: skip
    engine.dispose()
