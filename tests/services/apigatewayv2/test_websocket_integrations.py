"""WebSocket APIs beyond Lambda proxy integrations, through boto3 and a real WebSocket client:
integration responses, models validating messages, request and response templates of MOCK,
AWS (Lambda non-proxy) and HTTP integrations, HTTP_PROXY, and what the control plane refuses."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from botocore.exceptions import ClientError
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.conftest import error_of, make_zip
from tests.services.apigatewayv2.helpers import ARN, apigw, create_api_function


def _ws_api(api) -> str:
    return api.create_api(
        Name="w", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )["ApiId"]


def _two_way(api, api_id: str, key: str, integration_id: str, **extra) -> dict:
    route = api.create_route(
        ApiId=api_id, RouteKey=key, Target=f"integrations/{integration_id}",
        RouteResponseSelectionExpression="$default", **extra,
    )  # fmt: skip
    api.create_route_response(ApiId=api_id, RouteId=route["RouteId"], RouteResponseKey="$default")
    return route


def _deploy(api, api_id: str, variables: dict | None = None) -> None:
    api.create_stage(ApiId=api_id, StageName="dev", StageVariables=variables or {})
    api.create_deployment(ApiId=api_id, StageName="dev")


def _url(endpoint: str, api_id: str, query: str = "") -> str:
    return endpoint.replace("http://", "ws://") + f"/_aws/execute-api/{api_id}/dev{query}"


def test_integration_responses_control_plane(endpoint):
    api = apigw(endpoint)
    api_id = _ws_api(api)
    mock = api.create_integration(
        ApiId=api_id, IntegrationType="MOCK", TemplateSelectionExpression="\\$default",
        RequestTemplates={"$default": '{"statusCode": 200}'},
    )  # fmt: skip
    assert mock["IntegrationType"] == "MOCK"
    assert mock["RequestTemplates"] == {"$default": '{"statusCode": 200}'}
    assert mock["TemplateSelectionExpression"] == "\\$default"
    assert mock["PassthroughBehavior"] == "WHEN_NO_MATCH"
    integration_id = mock["IntegrationId"]
    made = api.create_integration_response(
        ApiId=api_id, IntegrationId=integration_id, IntegrationResponseKey="/4\\d\\d/",
        ResponseTemplates={"$default": "bad"}, TemplateSelectionExpression="\\$default",
        ContentHandlingStrategy="CONVERT_TO_TEXT",
    )  # fmt: skip
    response_id = made["IntegrationResponseId"]
    assert made["IntegrationResponseKey"] == "/4\\d\\d/"
    assert made["ContentHandlingStrategy"] == "CONVERT_TO_TEXT"
    got = api.get_integration_response(
        ApiId=api_id, IntegrationId=integration_id, IntegrationResponseId=response_id
    )
    assert got["ResponseTemplates"] == {"$default": "bad"}
    api.create_integration_response(
        ApiId=api_id, IntegrationId=integration_id, IntegrationResponseKey="$default"
    )
    listed = api.get_integration_responses(ApiId=api_id, IntegrationId=integration_id)["Items"]
    assert [r["IntegrationResponseKey"] for r in listed] == ["/4\\d\\d/", "$default"]

    def refused(**params) -> tuple[str, int, str]:
        with pytest.raises(ClientError) as bad:
            api.create_integration_response(ApiId=api_id, IntegrationId=integration_id, **params)
        return error_of(bad)

    assert refused(IntegrationResponseKey="$default")[:2] == ("ConflictException", 409)
    code, status, message = refused(IntegrationResponseKey="4\\d\\d")
    assert (code, status) == ("BadRequestException", 400)
    assert "Invalid IntegrationResponseKey: 4\\d\\d" in message
    assert "Invalid IntegrationResponseKey" in refused(IntegrationResponseKey="/[/")[2]
    assert (
        "enum value set: [CONVERT_TO_BINARY, CONVERT_TO_TEXT]"
        in refused(IntegrationResponseKey="/5\\d\\d/", ContentHandlingStrategy="CONVERT")[2]
    )
    assert (
        "ResponseParameters"
        in refused(IntegrationResponseKey="/5\\d\\d/", ResponseParameters={"a": "b"})[2]
    )
    assert (
        "TemplateSelectionExpression"
        in refused(
            IntegrationResponseKey="/5\\d\\d/", TemplateSelectionExpression="$context.routeKey"
        )[2]
    )
    # a bad update changes nothing
    with pytest.raises(ClientError) as bad:
        api.update_integration_response(
            ApiId=api_id, IntegrationId=integration_id, IntegrationResponseId=response_id,
            IntegrationResponseKey="$default",
        )  # fmt: skip
    assert error_of(bad)[0] == "ConflictException"
    updated = api.update_integration_response(
        ApiId=api_id, IntegrationId=integration_id, IntegrationResponseId=response_id,
        ResponseTemplates={"$default": "worse"},
    )  # fmt: skip
    assert (updated["IntegrationResponseKey"], updated["ResponseTemplates"]) == (
        "/4\\d\\d/", {"$default": "worse"},
    )  # fmt: skip
    api.delete_integration_response(
        ApiId=api_id, IntegrationId=integration_id, IntegrationResponseId=response_id
    )
    with pytest.raises(ClientError) as gone:
        api.get_integration_response(
            ApiId=api_id, IntegrationId=integration_id, IntegrationResponseId=response_id
        )
    assert error_of(gone)[:2] == ("NotFoundException", 404)
    # proxy integrations pass their answer on: no integration responses for them
    proxy = api.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=f"{ARN}:nobody"
    )["IntegrationId"]
    with pytest.raises(ClientError) as bad:
        api.create_integration_response(
            ApiId=api_id, IntegrationId=proxy, IntegrationResponseKey="$default"
        )
    assert "not supported for AWS_PROXY" in error_of(bad)[2]
    with pytest.raises(ClientError) as bad:
        api.update_integration(ApiId=api_id, IntegrationId=integration_id,
                               IntegrationType="HTTP_PROXY", IntegrationUri="http://x",
                               IntegrationMethod="POST", RequestTemplates={},
                               TemplateSelectionExpression="")  # fmt: skip
    assert "has integration responses" in error_of(bad)[2]
    assert api.get_integration(ApiId=api_id, IntegrationId=integration_id)["IntegrationType"] == (
        "MOCK"
    )
    # templates belong to non-proxy integrations; a selection reads what AWS lets it
    with pytest.raises(ClientError) as bad:
        api.create_integration(
            ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=f"{ARN}:x",
            RequestTemplates={"$default": "x"},
        )  # fmt: skip
    assert "RequestTemplates is not supported for AWS_PROXY" in error_of(bad)[2]
    with pytest.raises(ClientError) as bad:
        api.create_integration(ApiId=api_id, IntegrationType="MOCK",
                               TemplateSelectionExpression="$context.connectionId")  # fmt: skip
    assert "Invalid TemplateSelectionExpression" in error_of(bad)[2]
    with pytest.raises(ClientError) as bad:
        api.create_integration(ApiId=api_id, IntegrationType="HTTP", IntegrationUri="http://x")
    assert "IntegrationMethod is required" in error_of(bad)[2]
    with pytest.raises(ClientError) as bad:
        api.create_integration(
            ApiId=api_id, IntegrationType="MOCK", PassthroughBehavior="SOMETIMES"
        )
    assert "enum value set: [WHEN_NO_MATCH, NEVER, WHEN_NO_TEMPLATES]" in error_of(bad)[2]
    # deleting the integration takes its integration responses along
    api.delete_integration(ApiId=api_id, IntegrationId=integration_id)
    with pytest.raises(ClientError) as gone:
        api.get_integration_responses(ApiId=api_id, IntegrationId=integration_id)
    assert error_of(gone)[0] == "NotFoundException"

    # HTTP APIs have none of this
    http_id = api.create_api(Name="h", ProtocolType="HTTP")["ApiId"]
    http_integration = api.create_integration(
        ApiId=http_id, IntegrationType="HTTP_PROXY", IntegrationUri="http://x",
        IntegrationMethod="GET", PayloadFormatVersion="1.0",
    )["IntegrationId"]  # fmt: skip
    with pytest.raises(ClientError) as bad:
        api.create_integration_response(
            ApiId=http_id, IntegrationId=http_integration, IntegrationResponseKey="$default"
        )
    assert error_of(bad) == (
        "BadRequestException", 400, "Integration responses are supported only for WebSocket APIs."
    )  # fmt: skip
    with pytest.raises(ClientError) as bad:
        api.create_integration(ApiId=http_id, IntegrationType="HTTP_PROXY",
                               IntegrationUri="http://x", IntegrationMethod="GET",
                               RequestTemplates={"$default": "x"})  # fmt: skip
    assert error_of(bad)[2] == "RequestTemplates is supported only for WebSocket APIs."


def test_models_control_plane(endpoint):
    api = apigw(endpoint)
    api_id = _ws_api(api)
    schema = json.dumps({
        "$schema": "http://json-schema.org/draft-04/schema#", "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"},
                       "tags": {"type": "array", "items": {"type": "string"}}},
    })  # fmt: skip
    made = api.create_model(ApiId=api_id, Name="Person", Schema=schema, Description="who")
    model_id = made["ModelId"]
    assert (made["Name"], made["ContentType"], made["Description"]) == (
        "Person", "application/json", "who",
    )  # fmt: skip
    assert api.get_model(ApiId=api_id, ModelId=model_id)["Schema"] == schema
    assert [m["Name"] for m in api.get_models(ApiId=api_id)["Items"]] == ["Person"]
    template = api.get_model_template(ApiId=api_id, ModelId=model_id)["Value"]
    assert template.startswith("#set($inputRoot = $input.path('$'))")
    assert '"name" : "$inputRoot.name"' in template
    assert '"age" : $inputRoot.age' in template
    assert "#foreach($elem in $inputRoot.tags)" in template

    def refused(**params) -> tuple[str, int, str]:
        with pytest.raises(ClientError) as bad:
            api.create_model(ApiId=api_id, **params)
        return error_of(bad)

    assert refused(Name="Person", Schema="{}")[:2] == ("ConflictException", 409)
    code, _, message = refused(Name="Broken", Schema="{not json")
    assert code == "BadRequestException" and message.startswith("Invalid model specified")
    assert "Invalid model schema" in refused(Name="Typed", Schema='{"type": "nothing"}')[2]
    assert "Invalid model name" in refused(Name="no-dashes", Schema="{}")[2]
    assert "$ref" in refused(Name="Ref", Schema='{"$ref": "#/definitions/x"}')[2]
    with pytest.raises(ClientError) as bad:
        api.update_model(ApiId=api_id, ModelId=model_id, Schema="[]")
    assert error_of(bad)[0] == "BadRequestException"
    assert api.get_model(ApiId=api_id, ModelId=model_id)["Schema"] == schema  # unchanged

    # routes choose among their models by ModelSelectionExpression
    mock = api.create_integration(ApiId=api_id, IntegrationType="MOCK")["IntegrationId"]
    with pytest.raises(ClientError) as bad:
        api.create_route(ApiId=api_id, RouteKey="join", Target=f"integrations/{mock}",
                         ModelSelectionExpression="\\$default",
                         RequestModels={"$default": "Nobody"})  # fmt: skip
    assert "Invalid model Nobody" in error_of(bad)[2]
    with pytest.raises(ClientError) as bad:
        api.create_route(ApiId=api_id, RouteKey="join", RequestModels={"$default": "Person"})
    assert "need a ModelSelectionExpression" in error_of(bad)[2]
    with pytest.raises(ClientError) as bad:
        api.create_route(ApiId=api_id, RouteKey="$connect", ModelSelectionExpression="\\$default",
                         RequestModels={"$default": "Person"})  # fmt: skip
    assert error_of(bad)[0] == "BadRequestException"
    assert api.get_routes(ApiId=api_id)["Items"] == []  # nothing was made
    route = api.create_route(
        ApiId=api_id, RouteKey="join", ModelSelectionExpression="${request.body.kind}",
        RequestModels={"person": "Person"},
    )  # fmt: skip
    assert route["RequestModels"] == {"person": "Person"}
    assert route["ModelSelectionExpression"] == "${request.body.kind}"
    with pytest.raises(ClientError) as bad:
        api.delete_model(ApiId=api_id, ModelId=model_id)
    assert "route join names it" in error_of(bad)[2]
    api.update_route(ApiId=api_id, RouteId=route["RouteId"], RequestModels={},
                     ModelSelectionExpression="")  # fmt: skip
    api.delete_model(ApiId=api_id, ModelId=model_id)
    with pytest.raises(ClientError) as gone:
        api.get_model(ApiId=api_id, ModelId=model_id)
    assert error_of(gone)[:2] == ("NotFoundException", 404)

    http_id = api.create_api(Name="h", ProtocolType="HTTP")["ApiId"]
    with pytest.raises(ClientError) as bad:
        api.create_model(ApiId=http_id, Name="M", Schema="{}")
    assert error_of(bad) == (
        "BadRequestException",
        400,
        "Models are supported only for WebSocket APIs.",
    )
    with pytest.raises(ClientError) as bad:
        api.create_route(ApiId=http_id, RouteKey="GET /x", ModelSelectionExpression="\\$default")
    assert error_of(bad)[2] == "ModelSelectionExpression is supported only for WebSocket APIs."


def test_a_mock_route_answers_through_its_templates_and_models_refuse_bad_messages(endpoint):
    api = apigw(endpoint)
    api_id = _ws_api(api)
    connect_mock = api.create_integration(
        ApiId=api_id, IntegrationType="MOCK",
        RequestTemplates={"$default": (
            '{"statusCode": #if($input.params(\'deny\') == "1")403#{else}200#end}'
        )},
    )["IntegrationId"]  # fmt: skip
    api.create_route(ApiId=api_id, RouteKey="$connect", Target=f"integrations/{connect_mock}")
    mock = api.create_integration(
        ApiId=api_id, IntegrationType="MOCK", TemplateSelectionExpression="${request.body.kind}",
        RequestTemplates={"$default": '{"statusCode": 200}', "teapot": '{"statusCode": 418}'},
    )["IntegrationId"]  # fmt: skip
    api.create_integration_response(
        ApiId=api_id, IntegrationId=mock, IntegrationResponseKey="$default",
        TemplateSelectionExpression="\\$default",
        ResponseTemplates={"$default": (
            '{"route": "$context.routeKey", "connection": "$context.connectionId", '
            '"stage": "$context.stage"}'
        )},
    )  # fmt: skip
    api.create_integration_response(
        ApiId=api_id, IntegrationId=mock, IntegrationResponseKey="/4\\d\\d/",
        ResponseTemplates={"$default": "a teapot, $stageVariables.color"},
    )  # fmt: skip
    _two_way(api, api_id, "mock", mock)
    api.create_route(ApiId=api_id, RouteKey="quiet", Target=f"integrations/{mock}")  # one-way
    binary = api.create_integration(
        ApiId=api_id, IntegrationType="MOCK", RequestTemplates={"$default": "{}"}
    )["IntegrationId"]
    api.create_integration_response(
        ApiId=api_id, IntegrationId=binary, IntegrationResponseKey="$default",
        ResponseTemplates={"$default": "aGk="}, ContentHandlingStrategy="CONVERT_TO_BINARY",
    )  # fmt: skip
    _two_way(api, api_id, "binary", binary)
    api.create_model(ApiId=api_id, Name="Named", Schema=json.dumps({
        "type": "object", "required": ["name"], "properties": {"name": {"type": "string"}},
    }))  # fmt: skip
    _two_way(api, api_id, "checked", mock, ModelSelectionExpression="\\$default",
             RequestModels={"$default": "Named"})  # fmt: skip
    strict = api.create_integration(
        ApiId=api_id, IntegrationType="MOCK", PassthroughBehavior="NEVER",
        TemplateSelectionExpression="${request.body.kind}",
        RequestTemplates={"known": '{"statusCode": 200}'},
    )["IntegrationId"]  # fmt: skip
    api.create_integration_response(
        ApiId=api_id, IntegrationId=strict, IntegrationResponseKey="$default",
        ResponseTemplates={"$default": "known kind"},
    )  # fmt: skip
    _two_way(api, api_id, "strict", strict)
    bare = api.create_integration(ApiId=api_id, IntegrationType="MOCK")["IntegrationId"]
    _two_way(api, api_id, "bare", bare)  # no integration response: nothing maps the answer
    _deploy(api, api_id, {"color": "blue"})

    with pytest.raises(InvalidStatus) as refused:  # the $connect MOCK's 403
        connect(_url(endpoint, api_id, "?deny=1"), open_timeout=60)
    assert refused.value.response.status_code == 403
    with connect(_url(endpoint, api_id), open_timeout=60) as ws:
        ws.send(json.dumps({"action": "quiet"}))  # one-way: nothing comes back for it
        ws.send(json.dumps({"action": "mock"}))
        said = json.loads(ws.recv(timeout=60))
        assert said["route"] == "mock" and said["stage"] == "dev"
        assert said["connection"] and said["connection"].endswith("=")
        ws.send(json.dumps({"action": "mock", "kind": "teapot"}))  # 418: the /4\d\d/ response
        assert ws.recv(timeout=60) == "a teapot, blue"
        ws.send(json.dumps({"action": "binary"}))
        assert ws.recv(timeout=60) == b"hi"  # CONVERT_TO_BINARY: a binary frame
        ws.send(json.dumps({"action": "checked", "name": "ann"}))
        assert json.loads(ws.recv(timeout=60))["route"] == "checked"
        for bad in ({"action": "checked"}, {"action": "checked", "name": 7}):
            ws.send(json.dumps(bad))
            said = json.loads(ws.recv(timeout=60))
            assert said["message"] == "Invalid request body"
            assert said["connectionId"].endswith("=")
            assert said["requestId"]
        ws.send(json.dumps({"action": "strict", "kind": "known"}))
        assert ws.recv(timeout=60) == "known kind"
        ws.send(json.dumps({"action": "strict", "kind": "other"}))  # NEVER passes it untemplated
        assert json.loads(ws.recv(timeout=60))["message"] == "Unsupported Media Type"
        ws.send(json.dumps({"action": "bare"}))
        assert json.loads(ws.recv(timeout=60))["message"] == "Internal server error"


FUNCTION = """
def handler(event, context):
    if event.get("who") == "bad":
        raise ValueError("bad name: " + event["who"])
    return {"got": event}
"""


def test_a_lambda_non_proxy_route_takes_its_template_and_maps_the_answer(endpoint, lambda_client):
    create_api_function(
        lambda_client, "plain", Code={"ZipFile": make_zip({"handler.py": FUNCTION})}
    )
    api = apigw(endpoint)
    api_id = _ws_api(api)
    integration = api.create_integration(
        ApiId=api_id, IntegrationType="AWS", IntegrationUri=f"{ARN}:plain",
        TemplateSelectionExpression="\\$default",
        RequestTemplates={"$default": (
            '{"who": $input.json(\'$.name\'), "conn": "$context.connectionId", '
            '"color": "$stageVariables.color", "route": "$context.routeKey"}'
        )},
    )  # fmt: skip
    assert integration["IntegrationMethod"] == "POST"
    integration_id = integration["IntegrationId"]
    api.create_integration_response(
        ApiId=api_id, IntegrationId=integration_id, IntegrationResponseKey="$default",
        ResponseTemplates={"$default": (
            "#set($got = $input.path('$.got'))hello $got.who in $got.color on $got.route"
        )},
    )  # fmt: skip
    api.create_integration_response(
        ApiId=api_id, IntegrationId=integration_id, IntegrationResponseKey="/bad name.*/",
        ResponseTemplates={"$default": "refused: $input.path('$.errorMessage')"},
    )  # fmt: skip
    _two_way(api, api_id, "greet", integration_id)
    _deploy(api, api_id, {"color": "green"})
    with connect(_url(endpoint, api_id), open_timeout=60) as ws:
        ws.send(json.dumps({"action": "greet", "name": "ann"}))
        assert ws.recv(timeout=60) == "hello ann in green on greet"
        ws.send(json.dumps({"action": "greet", "name": "bad"}))
        assert ws.recv(timeout=60) == "refused: bad name: bad"


class _Backend(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            n = json.loads(body).get("n")
        except ValueError:
            n = None
        status = 404 if n == 0 else 201
        answer = json.dumps({"seen": body.decode(), "n": n}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Kind", "counted")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def backend():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Backend)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_http_and_http_proxy_routes_reach_a_url(endpoint, backend):
    api = apigw(endpoint)
    api_id = _ws_api(api)
    http = api.create_integration(
        ApiId=api_id, IntegrationType="HTTP", IntegrationUri=f"{backend}/count",
        IntegrationMethod="POST", RequestTemplates={"$default": '{"n": $input.json(\'$.n\')}'},
    )["IntegrationId"]  # fmt: skip
    api.create_integration_response(
        ApiId=api_id, IntegrationId=http, IntegrationResponseKey="/2\\d\\d/",
        TemplateSelectionExpression="${integration.response.header.X-Kind}",
        ResponseTemplates={"counted": "$input.path('$.n') counted, sent $input.path('$.seen')",
                           "$default": "unknown kind"},
    )  # fmt: skip
    api.create_integration_response(
        ApiId=api_id, IntegrationId=http, IntegrationResponseKey="$default",
        TemplateSelectionExpression="${integration.response.statuscode}",
        ResponseTemplates={"404": "nothing to count"},
    )  # fmt: skip
    _two_way(api, api_id, "count", http)
    proxy = api.create_integration(
        ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationUri=f"{backend}/raw",
        IntegrationMethod="POST",
    )["IntegrationId"]  # fmt: skip
    _two_way(api, api_id, "raw", proxy)
    dead = api.create_integration(
        ApiId=api_id, IntegrationType="HTTP", IntegrationUri="http://127.0.0.1:9/",
        IntegrationMethod="POST",
    )["IntegrationId"]  # fmt: skip
    api.create_integration_response(
        ApiId=api_id, IntegrationId=dead, IntegrationResponseKey="$default"
    )
    _two_way(api, api_id, "dead", dead)
    # a binary frame takes $default; CONVERT_TO_TEXT passes it on as base64 text
    text = api.create_integration(
        ApiId=api_id, IntegrationType="HTTP", IntegrationUri=f"{backend}/text",
        IntegrationMethod="POST", ContentHandlingStrategy="CONVERT_TO_TEXT",
    )["IntegrationId"]  # fmt: skip
    api.create_integration_response(
        ApiId=api_id, IntegrationId=text, IntegrationResponseKey="$default"
    )
    _two_way(api, api_id, "$default", text)
    _deploy(api, api_id)
    with connect(_url(endpoint, api_id), open_timeout=60) as ws:
        ws.send(json.dumps({"action": "count", "n": 3, "extra": True}))
        assert ws.recv(timeout=60) == '3 counted, sent {"n": 3}'
        ws.send(json.dumps({"action": "count", "n": 0}))  # 404: the $default response
        assert ws.recv(timeout=60) == "nothing to count"
        message = json.dumps({"action": "raw", "n": 5})
        ws.send(message)  # HTTP_PROXY: the message as it is, the answer as it is
        assert json.loads(ws.recv(timeout=60)) == {"seen": message, "n": 5}
        ws.send(b"\x00\x01\x02")
        assert json.loads(ws.recv(timeout=60)) == {"seen": "AAEC", "n": None}
        ws.send(json.dumps({"action": "dead"}))  # nothing listens there
        assert json.loads(ws.recv(timeout=60))["message"] == "Internal server error"


def test_selection_expressions_read_what_aws_lets_them():
    from lamina.protocol.errors import ServiceError
    from lamina.services.apigatewayv2 import websocket_selection as selection

    message = '{"kind": "a", "deep": {"n": 2}, "flag": true}'

    def value(expression: str) -> str:
        parts = selection.parse(expression, selection.REQUEST_VARIABLES, "X")
        return selection.evaluate(parts, lambda name: selection.body_value(message, name))

    assert value("${request.body.kind}-beta") == "a-beta"
    assert value("$request.body.deep.n") == "2"
    assert value("$request.body.flag") == "true"
    assert value("$request.body.missing") == ""
    assert value("\\$default") == "$default"
    for bad in ("$context.routeKey", "${integration.response.statuscode}", "cost $"):
        with pytest.raises(ServiceError):
            selection.parse(bad, selection.REQUEST_VARIABLES, "X")
    responses = [{"IntegrationResponseKey": "/2\\d\\d/"}, {"IntegrationResponseKey": "$default"}]
    assert selection.choose(responses, "201") is responses[0]
    assert selection.choose(responses, "2010") is responses[1]  # the whole value must match
    assert selection.choose(responses[:1], "500") is None
