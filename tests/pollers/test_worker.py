"""The poller framework's worker against an in-memory source and Lambda: batching by size,
window and payload, checkpointing by outcome, ReportBatchItemFailures, filtering, throttles,
scaling with the backlog, and stopping."""

from __future__ import annotations

import asyncio
import json

import pytest

from lamina.patterns import PatternError
from lamina.pollers import filtering
from lamina.pollers.filtering import Filters
from lamina.pollers.worker import Worker
from tests.pollers.fakes import FakeLambda, FakeSource, mapping, record, until


def run(scenario):
    return asyncio.run(asyncio.wait_for(scenario(), 30))


def _ids(event: dict) -> list[str]:
    return [r["messageId"] for r in event["Records"]]


def test_batches_hold_at_most_batch_size_records_and_are_acknowledged_when_they_succeed():
    async def scenario():
        source, lam = FakeSource([record(n) for n in range(25)]), FakeLambda()
        worker = Worker(mapping(batch_size=4), source, Filters([]), lam)  # type: ignore[arg-type]
        worker.start()
        await until(lambda: len(source.acked) == 25)
        await worker.stop()
        return source, lam

    source, lam = run(scenario)
    assert all(len(event["Records"]) <= 4 for event in lam.events)
    assert sorted(source.acked) == sorted(f"id-{n}" for n in range(25))
    assert source.failed == []


def test_a_batch_is_cut_before_it_would_pass_the_6_mb_payload_limit():
    async def scenario():
        big = [record(n, pad=2_500_000) for n in range(5)]  # 2.5 MB each: two fit, not three
        source, lam = FakeSource(big), FakeLambda()
        worker = Worker(mapping(batch_size=10, window_s=1), source, Filters([]), lam)  # type: ignore[arg-type]
        worker.start()
        await until(lambda: len(source.acked) == 5)
        await worker.stop()
        return lam

    lam = run(scenario)
    assert [len(event["Records"]) for event in lam.events] == [2, 2, 1]
    assert all(len(json.dumps(event)) <= 6 * 1024 * 1024 for event in lam.events)


def test_a_batching_window_gathers_records_that_arrive_during_it():
    async def scenario():
        source, lam = FakeSource([record(0)]), FakeLambda()
        worker = Worker(mapping(batch_size=10, window_s=1), source, Filters([]), lam)  # type: ignore[arg-type]
        worker.start()
        await asyncio.sleep(0.2)
        source.put(record(1), record(2))
        await until(lambda: len(source.acked) == 3)
        await worker.stop()
        return lam

    lam = run(scenario)
    assert [_ids(event) for event in lam.events] == [["id-0", "id-1", "id-2"]]


def test_a_function_error_fails_the_whole_batch_and_acknowledges_nothing():
    async def scenario():
        def failing(event):
            return {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": b"{}"}

        source, lam = FakeSource([record(n) for n in range(3)]), FakeLambda(failing)
        worker = Worker(mapping(), source, Filters([]), lam)  # type: ignore[arg-type]
        worker.start()
        await until(lambda: len(source.failed) == 3)
        await worker.stop()
        return source

    source = run(scenario)
    assert source.acked == []
    assert sorted(source.failed) == ["id-0", "id-1", "id-2"]


def _reporting(response: object):
    def answer(event):
        return {"StatusCode": 200, "Payload": json.dumps(response).encode()}

    return answer


def _report(response: object) -> FakeSource:
    async def scenario():
        source = FakeSource([record(n) for n in range(3)])
        lam = FakeLambda(_reporting(response))
        worker = Worker(mapping(report_item_failures=True), source, Filters([]), lam)  # type: ignore[arg-type]
        worker.start()
        await until(lambda: len(source.acked) + len(source.failed) == 3)
        await worker.stop()
        return source

    return run(scenario)


def test_report_batch_item_failures_acknowledges_all_but_the_reported_records():
    source = _report({"batchItemFailures": [{"itemIdentifier": "id-1"}]})
    assert sorted(source.acked) == ["id-0", "id-2"]
    assert source.failed == ["id-1"]


def test_an_item_failure_naming_no_record_of_the_batch_fails_the_whole_batch():
    for response in (
        {"batchItemFailures": [{"itemIdentifier": "not-in-batch"}]},
        {"batchItemFailures": [{"itemIdentifier": ""}]},
        {"batchItemFailures": [{"foo": "notvalid"}]},
    ):
        source = _report(response)
        assert source.acked == [], response
        assert sorted(source.failed) == ["id-0", "id-1", "id-2"], response


def test_an_empty_item_failure_response_is_complete_success():
    for response in ({}, None, {"batchItemFailures": []}, {"batchItemFailures": None}):
        source = _report(response)
        assert sorted(source.acked) == ["id-0", "id-1", "id-2"], response
        assert source.failed == []


def test_without_report_batch_item_failures_a_reported_failure_is_ignored():
    async def scenario():
        source = FakeSource([record(n) for n in range(2)])
        lam = FakeLambda(_reporting({"batchItemFailures": [{"itemIdentifier": "id-1"}]}))
        worker = Worker(mapping(), source, Filters([]), lam)  # type: ignore[arg-type]
        worker.start()
        await until(lambda: len(source.acked) == 2)
        await worker.stop()
        return source

    assert run(scenario).failed == []


class _BodyHas:
    """A matcher standing in for the shared one: the JSON body has key `n` equal to `value`."""

    def __init__(self, value: int) -> None:
        self.value = value

    def matches(self, event: dict) -> bool:
        body = event["body"]
        return isinstance(body, dict) and body.get("n") == self.value


def test_records_no_filter_matches_are_acknowledged_without_an_invocation():
    async def scenario():
        source, lam = FakeSource([record(n) for n in range(4)]), FakeLambda()
        filters = Filters([_BodyHas(1), _BodyHas(3)])  # filters are ORed
        worker = Worker(mapping(), source, filters, lam)  # type: ignore[arg-type]
        worker.start()
        await until(lambda: len(source.acked) == 4)
        await worker.stop()
        return lam

    lam = run(scenario)
    assert [_ids(event) for event in lam.events] == [["id-1", "id-3"]]


def test_filters_are_lambdas_dialect_of_the_shared_matcher():
    filters = filtering.compile_filters(['{"body": {"n": [{"numeric": [">", 1]}]}}'])
    kept, dropped = filters.split([record(n, body={"n": n}) for n in range(3)])
    assert [r.item_id for r in kept] == ["id-2"]
    assert [r.item_id for r in dropped] == ["id-0", "id-1"]
    with pytest.raises(PatternError):
        filtering.compile_filters(['{"ip": [{"cidr": "10.0.0.0/8"}]}'])  # not in Lambda's


def test_a_throttled_batch_is_retried_while_its_records_are_held():
    async def scenario():
        source, lam = FakeSource([record(0)]), FakeLambda(throttles=3)
        worker = Worker(mapping(), source, Filters([]), lam)  # type: ignore[arg-type]
        worker.start()
        await until(lambda: source.acked == ["id-0"])
        await worker.stop()
        return source, lam

    source, lam = run(scenario)
    assert lam.calls == 4
    assert source.failed == []


def test_a_throttled_batch_goes_back_to_the_source_once_its_hold_runs_out():
    async def scenario():
        source, lam = FakeSource([record(0)], hold_s=0.3), FakeLambda(throttles=1000)
        worker = Worker(mapping(), source, Filters([]), lam)  # type: ignore[arg-type]
        worker.start()
        await until(lambda: source.failed == ["id-0"])
        await worker.stop()
        return source

    assert run(scenario).acked == []


def test_concurrent_batches_grow_with_a_backlog_up_to_maximum_concurrency():
    async def scenario(limit):
        source = FakeSource([record(n) for n in range(200)])
        lam = FakeLambda(delay_s=0.05)
        worker = Worker(mapping(max_concurrency=limit), source, Filters([]), lam)  # type: ignore[arg-type]
        worker.start()
        await until(lambda: len(source.acked) == 200, timeout=20)
        await worker.stop()
        return lam.most_running

    assert run(lambda: scenario(None)) > 1  # the backlog brought more pollers
    assert run(lambda: scenario(2)) == 2


def test_pollers_added_for_a_backlog_end_once_it_is_gone_even_with_batch_size_1():
    # With BatchSize 1 every fetch comes back full, so each looks like a backlog: the pollers
    # it added must still end when the queue is empty, not stay long-polling it.
    async def scenario():
        source = FakeSource([record(n) for n in range(30)])
        lam = FakeLambda(delay_s=0.02)
        worker = Worker(mapping(batch_size=1), source, Filters([]), lam)  # type: ignore[arg-type]
        worker.start()
        await until(lambda: len(source.acked) == 30, timeout=20)
        grown = lam.most_running
        await until(lambda: worker.concurrency == 1, timeout=20)
        source.put(record(30))  # the one poller left still takes what comes
        await until(lambda: len(source.acked) == 31, timeout=20)
        await worker.stop()
        return grown, worker.concurrency

    grown, after = run(scenario)
    assert grown > 1
    assert after == 0


def test_stop_lets_the_batch_in_flight_finish():
    async def scenario():
        source, lam = FakeSource([record(0)]), FakeLambda(delay_s=0.3)
        worker = Worker(mapping(), source, Filters([]), lam)  # type: ignore[arg-type]
        worker.start()
        await until(lambda: lam.running == 1)
        await worker.stop()
        return source

    assert run(scenario).acked == ["id-0"]


def test_records_fetched_after_a_failed_batch_go_back_with_it():
    async def scenario():
        def failing(event):
            return {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": b"{}"}

        big = [record(n, pad=2_500_000) for n in range(5)]  # one fetch; two fit a batch
        source, lam = FakeSource(big), FakeLambda(failing)
        worker = Worker(mapping(batch_size=10, window_s=1), source, Filters([]), lam)  # type: ignore[arg-type]
        worker.start()
        await until(lambda: len(source.failed) == 5)
        await worker.stop()
        return source, lam

    source, lam = run(scenario)
    assert [_ids(event) for event in lam.events] == [["id-0", "id-1"]]  # 2-4 never overtook
    assert source.acked == []


def test_cancel_ends_a_batch_in_flight_and_acknowledges_nothing():
    async def scenario():
        source, lam = FakeSource([record(0)]), FakeLambda(delay_s=30)
        worker = Worker(mapping(), source, Filters([]), lam)  # type: ignore[arg-type]
        worker.start()
        await until(lambda: lam.running == 1)
        worker.cancel()
        await asyncio.wait_for(worker.stop(), 5)
        return source

    assert run(scenario).acked == []
