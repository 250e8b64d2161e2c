"""Access log lines to CloudWatch Logs, in batches: the data plane queues a line and goes
on; the lines of every stage are written together every FLUSH_AFTER_S at most, through the
same batcher and sink as functions' output (lamina/execution/logbatch.py, logs/sink.py), so
a request costs no store write of its own. Like functions' output, lines are not
acknowledged state: what is queued is written at shutdown, a crash may lose the last ones.

The log group is made when it is missing, as API Gateway does (it holds the
logs:CreateLogGroup permission for that). Each node writes its lines to a stream of its own,
named by 32 hexadecimal digits as API Gateway names the streams it makes; one per log
group, so lines of one group stay in one stream."""

from __future__ import annotations

import uuid

from lamina.execution.logbatch import LogBatcher, LogSink
from lamina.services.access_logs import format as formats
from lamina.services.access_logs.settings import AccessLog
from lamina.services.access_logs.trace import Trace


class AccessLogs:
    def __init__(self, sink: LogSink | None = None) -> None:
        self.batcher = LogBatcher(sink)  # without a sink (no Logs service), lines are dropped
        self.stream = uuid.uuid4().hex

    @property
    def sink(self) -> LogSink | None:
        return self.batcher.sink

    @sink.setter
    def sink(self, sink: LogSink | None) -> None:
        self.batcher.sink = sink

    def write(self, settings: AccessLog, trace: Trace) -> None:
        """On the event loop, once the request is answered."""
        line = formats.render(settings.format, trace.values)
        where = settings.destination
        key = (where.account_id, where.region, where.group, self.stream)
        self.batcher.add(key, [(trace.values["requestTimeEpoch"], line)])

    async def flush(self) -> None:
        await self.batcher.flush()
