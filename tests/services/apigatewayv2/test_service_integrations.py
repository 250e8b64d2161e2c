"""AWS service integrations of HTTP APIs (SQS's four subtypes): the required parameters
checked when made, the request mapped to the action's parameters, SQS called and its answer
(or error) returned; and stage throttling, a token bucket per route: 429 over the limit."""

from __future__ import annotations

import requests

from tests.conftest import client
from tests.services.apigatewayv2.helpers import apigw, by_host
from tests.services.apigatewayv2.test_apis import refused


def sqs_integration(api, api_id: str, subtype: str, parameters: dict[str, str], **extra) -> str:
    return api.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationSubtype=subtype,
        PayloadFormatVersion="1.0", RequestParameters=parameters, **extra,
    )["IntegrationId"]  # fmt: skip


def route(api, api_id: str, key: str, integration_id: str) -> None:
    api.create_route(ApiId=api_id, RouteKey=key, Target=f"integrations/{integration_id}")


def test_service_integrations_check_their_parameters_when_made(endpoint):
    api = apigw(endpoint)
    api_id = api.create_api(Name="s", ProtocolType="HTTP")["ApiId"]
    for subtype, parameters, words in (
        ("SQS-SendMessage", {"QueueUrl": "q"}, "MessageBody"),
        ("SQS-DeleteMessage", {"QueueUrl": "q"}, "ReceiptHandle"),
        ("SQS-PurgeQueue", {}, "QueueUrl"),
        ("SQS-PurgeQueue", {"QueueUrl": "q", "MessageBody": "b"}, "MessageBody is not supported"),
        ("SQS-SendMessage", {"QueueUrl": "q", "MessageBody": "$request.nope"}, "Invalid mapping"),
        ("EventBridge-PutEvents", {"Detail": "d"}, "does not support IntegrationSubtype Event"),
        ("StepFunctions-StartExecution", {}, "does not support IntegrationSubtype StepF"),
        ("SQS-Nothing", {"QueueUrl": "q"}, "Invalid IntegrationSubtype"),
    ):
        code, status, message = refused(
            api.create_integration, ApiId=api_id, IntegrationType="AWS_PROXY",
            IntegrationSubtype=subtype, PayloadFormatVersion="1.0", RequestParameters=parameters,
        )  # fmt: skip
        assert (code, status) == ("BadRequestException", 400), subtype
        assert words in message, (subtype, message)
    assert api.get_integrations(ApiId=api_id)["Items"] == []
    role = "arn:aws:iam::000000000000:role/gateway"
    made = sqs_integration(
        api, api_id, "SQS-PurgeQueue", {"QueueUrl": "$request.header.q"}, CredentialsArn=role
    )
    found = api.get_integration(ApiId=api_id, IntegrationId=made)
    assert (found["IntegrationSubtype"], found["CredentialsArn"]) == ("SQS-PurgeQueue", role)
    assert found["RequestParameters"] == {"QueueUrl": "$request.header.q"}
    assert "IntegrationUri" not in found


def test_sqs_actions_are_called_with_mapped_parameters_and_answer_as_aws(endpoint):
    sqs = client("sqs", endpoint)
    queue_url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    api = apigw(endpoint)
    api_id = api.create_api(Name="s", ProtocolType="HTTP")["ApiId"]
    attributes = '{"from": {"DataType": "String", "StringValue": "${request.header.x-from}"}}'
    send = sqs_integration(api, api_id, "SQS-SendMessage", {
        "QueueUrl": "$stageVariables.queue", "MessageBody": "$request.body.message",
        "DelaySeconds": "$request.querystring.delay", "MessageAttributes": attributes,
    })  # fmt: skip
    receive = sqs_integration(api, api_id, "SQS-ReceiveMessage", {
        "QueueUrl": "$stageVariables.queue", "MaxNumberOfMessages": "10",
        "MessageAttributeNames": "All", "VisibilityTimeout": "$request.querystring.hide",
    })  # fmt: skip
    delete = sqs_integration(api, api_id, "SQS-DeleteMessage", {
        "QueueUrl": "$stageVariables.queue", "ReceiptHandle": "$request.body.handle",
    })  # fmt: skip
    purge = sqs_integration(api, api_id, "SQS-PurgeQueue", {"QueueUrl": "$request.header.queue"})
    for key, made in (("POST /send", send), ("POST /receive", receive),
                      ("POST /delete", delete), ("POST /purge", purge)):  # fmt: skip
        route(api, api_id, key, made)
    api.create_stage(
        ApiId=api_id, StageName="$default", AutoDeploy=True, StageVariables={"queue": queue_url}
    )

    sent = by_host(endpoint, api_id, "/send?delay=0", "POST",
                   json={"message": "one", "other": 1}, headers={"X-From": "shop"})  # fmt: skip
    assert sent.status_code == 200, sent.text
    result = sent.json()["SendMessageResponse"]["SendMessageResult"]
    assert result["MD5OfMessageBody"] == "f97c5d29941bfb1b2fdab0874906ab82"  # md5("one")
    assert sent.json()["SendMessageResponse"]["ResponseMetadata"]["RequestId"]

    got = by_host(endpoint, api_id, "/receive?hide=30", "POST")
    assert got.status_code == 200, got.text
    messages = got.json()["ReceiveMessageResponse"]["ReceiveMessageResult"]["Messages"]
    assert [m["Body"] for m in messages] == ["one"]
    assert messages[0]["MessageId"] == result["MessageId"]
    assert messages[0]["MessageAttributes"]["from"]["StringValue"] == "shop"
    handle = messages[0]["ReceiptHandle"]

    deleted = by_host(endpoint, api_id, "/delete", "POST", json={"handle": handle})
    assert deleted.status_code == 200, deleted.text
    assert "DeleteMessageResponse" in deleted.json()
    assert (
        sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"][
            "ApproximateNumberOfMessagesNotVisible"
        ]
        == "0"
    )

    sqs.send_message(QueueUrl=queue_url, MessageBody="left")
    purged = by_host(endpoint, api_id, "/purge", "POST", headers={"queue": queue_url})
    assert purged.status_code == 200, purged.text
    assert sqs.receive_message(QueueUrl=queue_url).get("Messages") is None

    # SQS's errors come back with their status; a required parameter the request lacks is 400
    gone = by_host(endpoint, api_id, "/purge", "POST", headers={"queue": queue_url + "-gone"})
    assert gone.status_code == 400
    assert gone.json()["Error"]["Code"] in (
        "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"
    )  # fmt: skip
    bad = by_host(endpoint, api_id, "/delete", "POST", json={"nothing": 1})
    assert bad.status_code == 400 and "ReceiptHandle" in bad.json()["Error"]["Message"]
    garbled = by_host(endpoint, api_id, "/send?delay=soon", "POST", json={"message": "m"})
    assert garbled.status_code == 400 and "DelaySeconds" in garbled.text


def test_stage_throttling_refuses_what_is_over_the_burst(endpoint):
    sqs = client("sqs", endpoint)
    queue_url = sqs.create_queue(QueueName="t")["QueueUrl"]
    api = apigw(endpoint)
    api_id = api.create_api(Name="t", ProtocolType="HTTP")["ApiId"]
    made = sqs_integration(
        api, api_id, "SQS-SendMessage", {"QueueUrl": queue_url, "MessageBody": "hi"}
    )
    route(api, api_id, "POST /a", made)
    route(api, api_id, "POST /b", made)
    stage = api.create_stage(
        ApiId=api_id, StageName="$default", AutoDeploy=True,
        DefaultRouteSettings={"ThrottlingBurstLimit": 2, "ThrottlingRateLimit": 1.0},
        RouteSettings={"POST /b": {"ThrottlingBurstLimit": 100}},
    )  # fmt: skip
    assert stage["DefaultRouteSettings"]["ThrottlingBurstLimit"] == 2
    assert stage["RouteSettings"]["POST /b"]["ThrottlingBurstLimit"] == 100
    with requests.Session() as session:
        headers = {"Host": f"{api_id}.execute-api.localhost"}
        answers = [session.post(endpoint + "/a", headers=headers, timeout=60) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert answers[2].json() == {"message": "Too Many Requests"}
        # each route has its own bucket, POST /b a burst of its own over the default
        b = [session.post(endpoint + "/b", headers=headers, timeout=60) for _ in range(5)]
        assert [a.status_code for a in b] == [200] * 5
        api.delete_route_settings(ApiId=api_id, StageName="$default", RouteKey="POST /b")
        assert api.get_stage(ApiId=api_id, StageName="$default")["RouteSettings"] == {}
        b = [session.post(endpoint + "/b", headers=headers, timeout=60) for _ in range(3)]
        assert [a.status_code for a in b] == [200, 200, 429]
    assert refused(
        api.update_stage, ApiId=api_id, StageName="$default",
        DefaultRouteSettings={"DetailedMetricsEnabled": True},
    )[2].startswith("Lamina does not support DetailedMetricsEnabled")  # fmt: skip
    code, _, message = refused(
        api.delete_route_settings, ApiId=api_id, StageName="$default", RouteKey="POST /a"
    )
    assert code == "NotFoundException" and "POST /a" in message
