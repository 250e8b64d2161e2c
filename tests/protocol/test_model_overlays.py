"""Model overlays: facts a service's current botocore model lacks, merged when Lamina loads it
(SQS's query protocol: error codes for every protocol, query names for query only)."""

from __future__ import annotations

from lamina.protocol.models import load_service_model, protocol_model


def test_sqs_takes_json_and_query_with_the_legacy_error_codes():
    sqs = load_service_model("sqs")
    assert sqs.metadata["protocols"] == ["json", "query"]
    assert sqs.metadata["xmlNamespace"] == "http://queue.amazonaws.com/doc/2012-11-05/"
    missing = sqs.shape_for("QueueDoesNotExist")
    assert missing.metadata["error"]["code"] == "AWS.SimpleQueueService.NonExistentQueue"


def test_query_names_apply_to_the_query_model_only():
    sqs = load_service_model("sqs")
    query = protocol_model(sqs, "query")
    assert query is not sqs
    json_member = sqs.operation_model("SendMessage").input_shape.members["MessageAttributes"]
    query_member = query.operation_model("SendMessage").input_shape.members["MessageAttributes"]
    assert "name" not in json_member.serialization
    assert query_member.serialization["name"] == "MessageAttribute"
    assert query_member.key.serialization["name"] == "Name"
    receive = query.operation_model("ReceiveMessage")
    assert receive.output_shape.serialization["resultWrapper"] == "ReceiveMessageResult"


def test_a_service_without_an_overlay_is_its_own_protocol_model():
    logs = load_service_model("logs")
    assert protocol_model(logs, "json") is logs
