"""Integrations of type AWS: the rendered request template sent to a service's action in-process
(lamina/services/internal.py), the service's answer handed to the integration response.

- Lambda (`arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations`):
  the template's output is the payload; a function error's errorMessage is what selectionPattern
  is matched against, a success takes the default response. The header X-Amz-Invocation-Type
  (integration.request.header.X-Amz-Invocation-Type = 'Event') invokes asynchronously.
- SQS SendMessage (`arn:aws:apigateway:{region}:sqs:path/{account}/{queue}` or
  `…:sqs:action/SendMessage`): the body form-encoded (Action=SendMessage&MessageBody=…, with
  integration.request.header.Content-Type 'application/x-www-form-urlencoded'), and/or
  integration.request.querystring parameters; the answer as SQS's query API gives it (XML, or
  JSON when integration.request.header.Accept asks for application/json), its status code what
  selectionPattern is matched against.

Other services answer 500 saying Lamina does not integrate with them yet."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from lamina.identity import service_identity
from lamina.protocol.errors import ServiceError
from lamina.services.apigateway import http_proxy
from lamina.services.apigateway.methods import LAMBDA_URI
from lamina.services.apigateway.templates import Outcome
from lamina.services.apigateway.vtl import Request
from lamina.services.internal import InternalClient
from lamina.services.sqs.urls import queue_url

PRINCIPAL = "apigateway.amazonaws.com"
_SERVICE_URI = re.compile(r"^arn:aws:apigateway:([a-z0-9-]+):([a-z0-9-]+):(path|action)/(.+)$")
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")
_SQS_XMLNS = "http://queue.amazonaws.com/doc/2012-11-05/"
# SendMessage's scalar members as the query API names them (MessageAttribute.N.* not yet).
_SQS_SCALARS = ("DelaySeconds", "MessageGroupId", "MessageDeduplicationId")


class NotIntegrated(Exception):
    """A service or action Lamina does not integrate with yet: the message says which."""


def request_parameters(integration: dict[str, Any], request: Request) -> dict[str, dict[str, str]]:
    """integration.request.{header,querystring,path}.NAME evaluated from their sources."""
    out: dict[str, dict[str, str]] = {"header": {}, "querystring": {}, "path": {}}
    for target, source in (integration.get("requestParameters") or {}).items():
        kind, _, name = target.removeprefix("integration.request.").partition(".")
        try:
            value = http_proxy.source_value(source, request.http, request.route)
        except http_proxy.Unsupported as unsupported:
            raise NotIntegrated(f"Lamina does not support {unsupported} yet") from None
        if value is not None and kind in out:
            out[kind][name.lower() if kind == "header" else name] = value
    return out


async def call(
    internal: InternalClient, integration: dict[str, Any], request: Request, payload: bytes,
    api_region: str,
) -> Outcome:  # fmt: skip
    """The service's answer to the integration request (ServiceError, TimeoutError propagate
    for the gateway's 500/504)."""
    uri = integration["uri"]
    parameters = request_parameters(integration, request)
    if LAMBDA_URI.match(uri):
        return await _lambda(internal, uri, request, payload, parameters, api_region)
    matched = _SERVICE_URI.match(uri)
    if matched is None:
        raise NotIntegrated(f"Lamina does not understand the integration URI {uri}")
    region, service, form, rest = matched.groups()
    if service == "sqs":
        return await _sqs(internal, region, form, rest, request, payload, parameters)
    raise NotIntegrated(f"Lamina does not integrate with the AWS service {service} yet")


async def _lambda(
    internal: InternalClient, uri: str, request: Request, payload: bytes,
    parameters: dict[str, dict[str, str]], api_region: str,
) -> Outcome:  # fmt: skip
    matched = LAMBDA_URI.match(uri)
    assert matched is not None
    variables = request.route.stage_variables
    function = _STAGE_VARIABLE.sub(lambda m: variables.get(m.group(1), ""), matched.group(1))
    arn = function.split(":")
    is_arn = len(arn) > 4 and arn[0] == "arn"
    region = arn[3] if is_arn else api_region
    account = arn[4] if is_arn else request.route.account_id
    kind = parameters["header"].get("x-amz-invocation-type", "RequestResponse")
    params = {"FunctionName": function, "Payload": payload, "InvocationType": kind}
    result = await internal.call_async(
        "lambda", "Invoke", params, identity=service_identity(PRINCIPAL, account),
        region=region, request_id=request.route.request_id,
    )  # fmt: skip
    body = result.get("Payload") or b""
    if isinstance(body, str):
        body = body.encode()
    if not result.get("FunctionError"):
        return Outcome(None, body)
    try:
        message = json.loads(body).get("errorMessage")
    except (ValueError, AttributeError):
        message = None
    return Outcome(str(message) if message is not None else "", body)


async def _sqs(
    internal: InternalClient, region: str, form: str, rest: str, request: Request,
    payload: bytes, parameters: dict[str, dict[str, str]],
) -> Outcome:  # fmt: skip
    values: dict[str, str] = {}
    content_type = parameters["header"].get("content-type", "application/json")
    if content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
        values.update(parse_qsl(payload.decode("utf-8", "replace"), keep_blank_values=True))
    values.update(parameters["querystring"])
    account = request.route.account_id
    if form == "action":
        action = rest
        url = values.get("QueueUrl", "")
    else:
        parts = rest.strip("/").split("/")
        if len(parts) != 2:
            raise NotIntegrated(f"Lamina does not understand the SQS path {rest}")
        action = values.get("Action", "")
        url = queue_url("", region, parts[0], parts[1])
    if action != "SendMessage":
        raise NotIntegrated(f"Lamina does not integrate with the SQS action {action!r} yet")
    message: dict[str, Any] = {"QueueUrl": url, "MessageBody": values.get("MessageBody", "")}
    for name in _SQS_SCALARS:
        if name in values:
            message[name] = int(values[name]) if name == "DelaySeconds" else values[name]
    as_json = "application/json" in parameters["header"].get("accept", "")
    request_id = request.route.request_id
    try:
        sent = await internal.call_async(
            "sqs", "SendMessage", message, identity=service_identity(PRINCIPAL, account),
            region=region, request_id=request_id,
        )  # fmt: skip
    except ServiceError as error:
        status = error.status or 400
        return Outcome(str(status), _sqs_error(error, request_id, as_json), content_type=(
            "application/json" if as_json else "text/xml"))  # fmt: skip
    return Outcome("200", _sqs_sent(sent, request_id, as_json),
                   content_type="application/json" if as_json else "text/xml")  # fmt: skip


def _sqs_sent(sent: dict[str, Any], request_id: str, as_json: bool) -> bytes:
    result = {
        "MD5OfMessageAttributes": sent.get("MD5OfMessageAttributes"),
        "MD5OfMessageBody": sent.get("MD5OfMessageBody"),
        "MD5OfMessageSystemAttributes": sent.get("MD5OfMessageSystemAttributes"),
        "MessageId": sent.get("MessageId"),
        "SequenceNumber": sent.get("SequenceNumber"),
    }
    if as_json:
        return json.dumps({"SendMessageResponse": {
            "ResponseMetadata": {"RequestId": request_id}, "SendMessageResult": result,
        }}).encode()  # fmt: skip
    members = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in result.items() if v is not None)
    return (
        f'<?xml version="1.0"?><SendMessageResponse xmlns="{_SQS_XMLNS}"><SendMessageResult>'
        f"{members}</SendMessageResult><ResponseMetadata><RequestId>{request_id}</RequestId>"
        "</ResponseMetadata></SendMessageResponse>"
    ).encode()


def _sqs_error(error: ServiceError, request_id: str, as_json: bool) -> bytes:
    kind = "Sender" if (error.status or 400) < 500 else "Receiver"
    if as_json:
        return json.dumps({"Error": {"Type": kind, "Code": error.code, "Message": str(error)},
                           "RequestId": request_id}).encode()  # fmt: skip
    return (
        f'<?xml version="1.0"?><ErrorResponse xmlns="{_SQS_XMLNS}"><Error><Type>{kind}</Type>'
        f"<Code>{escape(error.code)}</Code><Message>{escape(str(error))}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    ).encode()
