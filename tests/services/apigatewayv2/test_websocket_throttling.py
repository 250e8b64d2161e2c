"""A WebSocket API stage's throttling through a real WebSocket client: over `$connect`'s
limit a connect is refused (HTTP 429), over a route's limit a message is answered with the
gateway's "Too Many Requests" and not delivered."""

from __future__ import annotations

import json

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.services.apigatewayv2.helpers import apigw
from tests.services.apigatewayv2.test_websocket import _api, _events


def test_websocket_throttling_of_connects_and_messages(endpoint, lambda_client):
    api_id, queue = _api(endpoint, lambda_client)
    api = apigw(endpoint)
    # bursts of 1 connect and 2 shouts, next to no refill
    limits = lambda burst: {"ThrottlingBurstLimit": burst, "ThrottlingRateLimit": 0.0001}  # noqa: E731
    updated = api.update_stage(
        ApiId=api_id, StageName="dev",
        RouteSettings={"$connect": limits(1), "shout": limits(2)},
    )  # fmt: skip
    assert updated["RouteSettings"]["shout"]["ThrottlingBurstLimit"] == 2
    base = f"{endpoint.replace('http://', 'ws://')}/_aws/execute-api/{api_id}"
    with connect(f"{base}/dev", open_timeout=60) as ws:
        _events(endpoint, queue, 1)  # its $connect ran
        with pytest.raises(InvalidStatus) as throttled:
            connect(f"{base}/dev", open_timeout=60)
        assert throttled.value.response.status_code == 429
        for _ in range(3):
            ws.send(json.dumps({"action": "shout", "text": "x"}))
        answers = [ws.recv(timeout=60) for _ in range(3)]
        said = [json.loads(a) for a in answers if a != "X"]
        assert answers.count("X") == 2
        assert len(said) == 1 and said[0]["message"] == "Too Many Requests"
        assert set(said[0]) == {"message", "connectionId", "requestId"}
        # another route keeps its own (no) limit
        ws.send(json.dumps({"action": "nothing", "n": 1}))
        assert ws.recv(timeout=60).startswith("echo:")
