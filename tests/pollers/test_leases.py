"""Leases on mapping workers, on a store of their own: one holder at a time, taken over once a
lease runs out or is released."""

from __future__ import annotations

import pytest

from lamina.pollers import leases
from lamina.store import open_store


@pytest.fixture
def store(tmp_path):
    opened = open_store(f"sqlite:///{tmp_path / 'leases.db'}", tmp_path)
    yield opened
    opened.close()


def test_one_node_holds_a_worker_until_its_lease_runs_out_or_is_released(store):
    with store.write() as conn:
        assert leases.claim(conn, "m", "queue", "a", now=100, until=130)
        assert leases.claim(conn, "m", "queue", "a", now=101, until=131)  # its own: renewed
        assert not leases.claim(conn, "m", "queue", "b", now=110, until=140)
        assert leases.live(conn, "m", now=120)
        assert leases.claim(conn, "m", "queue", "b", now=132, until=160)  # a's ran out
        assert not leases.claim(conn, "m", "queue", "a", now=133, until=163)
        assert leases.release(conn, "b") == 1
        assert not leases.live(conn, "m", now=134)
        assert leases.claim(conn, "m", "queue", "a", now=134, until=164)


def test_renewal_extends_only_the_owners_leases(store):
    with store.write() as conn:
        leases.claim(conn, "m", "queue", "a", now=100, until=130)
        leases.renew(conn, "b", [("m", "queue")], until=1000)
        assert not leases.live(conn, "m", now=131)
        leases.claim(conn, "m", "queue", "a", now=131, until=140)
        leases.renew(conn, "a", [("m", "queue")], until=1000)
        assert leases.live(conn, "m", now=999)
        leases.forget(conn, "m")
        assert not leases.live(conn, "m", now=999)
