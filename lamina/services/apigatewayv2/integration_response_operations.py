"""Create/Get/Update/DeleteIntegrationResponse(s): how a WebSocket API's non-proxy integration
(AWS, HTTP, MOCK) answers, chosen by its IntegrationResponseKey (`$default`, or a `/regex/`
matched against the integration's status code) with ResponseTemplates chosen by its
TemplateSelectionExpression, and a ContentHandlingStrategy (websocket_mapping.py applies them).
HTTP APIs have none; proxy integrations pass their answer on as it is, so Lamina refuses
integration responses for them rather than keep ones it would never use. ResponseParameters
are refused (not supported yet)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.services.apigatewayv2 import items, websocket_selection
from lamina.services.apigatewayv2.base import Base, page
from lamina.services.apigatewayv2.errors import bad_request, conflict, not_found, refuse_unsupported
from lamina.services.apigatewayv2.websocket_settings import CONTENT_HANDLING, PROXIES, is_websocket

INTEGRATION_RESPONSE = items.INTEGRATION_RESPONSE
_UNSUPPORTED = {"ResponseParameters": "response parameter mapping"}
_SETTABLE = (
    "IntegrationResponseKey",
    "ResponseTemplates",
    "TemplateSelectionExpression",
    "ContentHandlingStrategy",
)


def present_integration_response(found: items.Item) -> dict[str, Any]:
    return {
        "IntegrationResponseId": found.item_id,
        **{n: found.config[n] for n in _SETTABLE if n in found.config},
    }


def responses_of(conn: Connection, api_id: str, integration_id: str) -> list[items.Item]:
    return [
        r
        for r in items.all_items(conn, api_id, INTEGRATION_RESPONSE)
        if r.config["IntegrationId"] == integration_id
    ]


def _checked(config: dict[str, Any]) -> dict[str, Any]:
    websocket_selection.check_key(config["IntegrationResponseKey"])
    websocket_selection.check_templates(
        config, "ResponseTemplates", websocket_selection.RESPONSE_VARIABLES
    )
    strategy = config.get("ContentHandlingStrategy")
    if strategy is not None and strategy not in CONTENT_HANDLING:
        raise bad_request(
            f"Invalid ContentHandlingStrategy: {strategy}. It is CONVERT_TO_BINARY or "
            "CONVERT_TO_TEXT."
        )
    return config


class IntegrationResponseOperations(Base):
    def _answering_integration(
        self, conn: Connection, ctx: RequestContext, params: dict[str, Any]
    ) -> None:
        api_id = params["ApiId"]
        api = self.find_api(conn, ctx, api_id)
        if not is_websocket(api.config):
            raise bad_request("Integration responses are supported only for WebSocket APIs.")
        found = self.find_item(conn, ctx, api_id, items.INTEGRATION, params["IntegrationId"])
        kind = found.config["IntegrationType"]
        if kind in PROXIES:
            raise bad_request(
                f"Integration responses are not supported for {kind} integrations: a proxy "
                "integration's answer is passed on as it is."
            )

    def _answer(self, conn: Connection, ctx: RequestContext, params: dict[str, Any]) -> items.Item:
        api_id = params["ApiId"]
        self.find_api(conn, ctx, api_id)
        self.find_item(conn, ctx, api_id, items.INTEGRATION, params["IntegrationId"])
        for found in responses_of(conn, api_id, params["IntegrationId"]):
            if found.item_id == params["IntegrationResponseId"]:
                return found
        raise not_found(
            "IntegrationResponse", ctx.account_id, api_id, params["IntegrationResponseId"]
        )

    def _key_taken(
        self, conn: Connection, params: dict[str, Any], key: str, own: str | None
    ) -> None:
        for other in responses_of(conn, params["ApiId"], params["IntegrationId"]):
            if other.config["IntegrationResponseKey"] == key and other.item_id != own:
                raise conflict(f"IntegrationResponse with key {key} already exists for this "
                               "integration")  # fmt: skip

    def create_integration_response(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        refuse_unsupported(params, _UNSUPPORTED)
        api_id = params["ApiId"]
        with self.store.write() as conn:
            self._answering_integration(conn, ctx, params)
            config = _checked({
                "IntegrationId": params["IntegrationId"],
                **{n: params[n] for n in _SETTABLE if n in params},
            })  # fmt: skip
            self._key_taken(conn, params, config["IntegrationResponseKey"], None)
            made = items.insert_item(conn, api_id, INTEGRATION_RESPONSE, config)
            self.redeploy(conn, api_id)
        self.changed(api_id)
        return present_integration_response(made)

    def get_integration_response(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.read() as conn:
            return present_integration_response(self._answer(conn, ctx, params))

    def get_integration_responses(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.read() as conn:
            self.find_item(conn, ctx, params["ApiId"], items.INTEGRATION, params["IntegrationId"])
            found = responses_of(conn, params["ApiId"], params["IntegrationId"])
        return page(found, params, present_integration_response)

    def update_integration_response(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        refuse_unsupported(params, _UNSUPPORTED)
        api_id = params["ApiId"]
        with self.store.write() as conn:
            found = self._answer(conn, ctx, params)
            config = _checked({**found.config, **{n: params[n] for n in _SETTABLE if n in params}})
            self._key_taken(conn, params, config["IntegrationResponseKey"], found.item_id)
            items.update_item(conn, api_id, INTEGRATION_RESPONSE, found.item_id, config)
            self.redeploy(conn, api_id)
        self.changed(api_id)
        return present_integration_response(items.Item(found.item_id, config, found.created_at))

    def delete_integration_response(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        api_id = params["ApiId"]
        with self.store.write() as conn:
            found = self._answer(conn, ctx, params)
            items.delete_item(conn, api_id, INTEGRATION_RESPONSE, found.item_id)
            self.redeploy(conn, api_id)
        self.changed(api_id)
        return {}
