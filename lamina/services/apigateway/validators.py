"""Request validators: CreateRequestValidator/Get/GetRequestValidators/Update/Delete, and the
data plane's check of a request against its method (`check`): with validateRequestParameters,
the method's required requestParameters (query string, header, path) must be there and not
blank; with
validateRequestBody, the body must match the method's requestModels model for its content
type. A refused request answers 400 as AWS answers (BAD_REQUEST_PARAMETERS/BAD_REQUEST_BODY);
without a validator, as on AWS, neither is checked."""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft4Validator
from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.protocol.http import HttpRequest, HttpResponse
from lamina.services.apigateway import gateway_responses, ids, models, patches, rest_apis
from lamina.services.apigateway.errors import bad_request, not_found
from lamina.services.apigateway.rest_apis import RestApi, page
from lamina.store import Store

_PATCHABLE = {  # in the order AWS lists them in its refusal
    "name": patches.FIELD,
    "validateRequestParameters": patches.FIELD,
    "validateRequestBody": patches.FIELD,
}
Validators = dict[str, dict[str, Any]]  # id → RequestValidator, as GetRequestValidator answers


def of(api: RestApi) -> Validators:
    return dict(api.config.get("requestValidators") or {})


def make(validator_id: str, name: str, body: Any, parameters: Any) -> dict[str, Any]:
    if not name:
        raise bad_request("Request Validator name cannot be blank")
    return {
        "id": validator_id, "name": name,
        "validateRequestBody": _flag(body), "validateRequestParameters": _flag(parameters),
    }  # fmt: skip


def check_references(api: RestApi, method: dict[str, Any]) -> None:
    """PutMethod/UpdateMethod: a method's requestValidatorId, requestModels and its responses'
    responseModels name the API's own, as AWS requires."""
    validator_id = method.get("requestValidatorId")
    if validator_id and validator_id not in of(api):
        raise _missing()
    known = models.of(api)
    named = list((method.get("requestModels") or {}).values())
    for response in (method.get("methodResponses") or {}).values():
        named += list((response.get("responseModels") or {}).values())
    for name in named:
        if name not in known:
            raise bad_request(f"Invalid model identifier specified: {name}")


def _flag(value: Any) -> bool:
    if isinstance(value, str):  # a patch's value is text
        if value.lower() not in ("true", "false"):
            raise bad_request(f"Invalid boolean value: {value}")
        return value.lower() == "true"
    return bool(value)


def _missing() -> Exception:
    return not_found("Invalid Request Validator identifier specified")


class RequestValidatorOperations:
    store: Store

    def _validators(
        self, conn: Connection, ctx: RequestContext, api_id: str
    ) -> tuple[RestApi, Validators]:
        api = rest_apis.find(conn, ctx, api_id)
        return api, of(api)

    def create_request_validator(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.write() as conn:
            api, validators = self._validators(conn, ctx, params["restApiId"])
            made = make(
                ids.short_id(), params.get("name") or "", params.get("validateRequestBody"),
                params.get("validateRequestParameters"),
            )  # fmt: skip
            if any(v["name"] == made["name"] for v in validators.values()):
                raise bad_request(f"Validator with name '{made['name']}' already exists")
            validators[made["id"]] = made
            rest_apis.save_part(conn, api, "requestValidators", validators)
        return made

    def get_request_validator(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            _, validators = self._validators(conn, ctx, params["restApiId"])
        found = validators.get(params["requestValidatorId"])
        if found is None:
            raise _missing()
        return dict(found)

    def get_request_validators(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            _, validators = self._validators(conn, ctx, params["restApiId"])
        return page(list(validators.values()), params)

    def update_request_validator(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.write() as conn:
            api, validators = self._validators(conn, ctx, params["restApiId"])
            found = dict(validators.get(params["requestValidatorId"]) or {})
            if not found:
                raise _missing()
            patches.apply(found, params.get("patchOperations") or [], _PATCHABLE)
            found = make(
                found["id"], found.get("name") or "", found.get("validateRequestBody"),
                found.get("validateRequestParameters"),
            )  # fmt: skip
            validators[found["id"]] = found
            rest_apis.save_part(conn, api, "requestValidators", validators)
        return found

    def delete_request_validator(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.write() as conn:
            api, validators = self._validators(conn, ctx, params["restApiId"])
            if validators.pop(params["requestValidatorId"], None) is None:
                raise _missing()
            rest_apis.save_part(conn, api, "requestValidators", validators)
        return {}


def snapshot(api: RestApi) -> dict[str, Any]:
    """What a deployment keeps for the data plane's checks."""
    return {"models": models.schemas_of(api), "requestValidators": of(api)}


class Checks:
    """A deployment's validators and compiled models (built once per deployment)."""

    def __init__(self, api_id: str, snapshot: dict[str, Any]) -> None:
        self.api_id = api_id
        self.schemas: dict[str, dict[str, Any]] = snapshot.get("models") or {}
        self.validators: Validators = snapshot.get("requestValidators") or {}
        self.compiled: dict[str, Draft4Validator] = {}

    def _model(self, name: str) -> Draft4Validator | None:
        if name not in self.compiled and name in self.schemas:
            self.compiled[name] = models.checker(self.api_id, self.schemas, name)
        return self.compiled.get(name)

    def check(
        self, method: dict[str, Any], http: HttpRequest, path_parameters: dict[str, str]
    ) -> HttpResponse | None:
        """None when the request may go on; else the gateway's 400 (or 500 when the method
        names a validator or model the deployment does not have)."""
        validator_id = method.get("requestValidatorId")
        if not validator_id:
            return None
        validator = self.validators.get(validator_id)
        if validator is None:
            return _answer(
                "API_CONFIGURATION_ERROR",
                500,
                "Internal server error",
                "InternalServerErrorException",
            )
        if validator.get("validateRequestParameters"):
            missing = _missing_parameters(method.get("requestParameters") or {}, http,
                                          path_parameters)  # fmt: skip
            if missing:
                message = f"Missing required request parameters: [{', '.join(missing)}]"
                return _answer("BAD_REQUEST_PARAMETERS", 400, message, "BadRequestException")
        if validator.get("validateRequestBody"):
            return self._check_body(method.get("requestModels") or {}, http)
        return None

    def _check_body(self, request_models: dict[str, str], http: HttpRequest) -> HttpResponse | None:
        content_type = http.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        name = request_models.get(content_type or "application/json") or request_models.get(
            "$default"
        )
        if not name:
            return None
        checker = self._model(name)
        if checker is None:
            return _answer(
                "API_CONFIGURATION_ERROR",
                500,
                "Internal server error",
                "InternalServerErrorException",
            )
        try:
            body = json.loads(http.body or b"{}")
        except ValueError:
            return _invalid_body()
        if not checker.is_valid(body):
            return _invalid_body()
        return None


def _missing_parameters(
    required: dict[str, Any], http: HttpRequest, path_parameters: dict[str, str]
) -> list[str]:
    missing = []
    for name, needed in required.items():
        if not needed:
            continue
        _, _, rest = name.partition("method.request.")
        where, _, key = rest.partition(".")
        if where == "querystring":
            present = any(k == key and v.strip() for k, v in http.query_items())
        elif where == "header":
            present = bool(http.headers.get(key.lower(), "").strip())
        elif where == "path":
            present = bool(path_parameters.get(key))
        else:
            continue
        if not present:
            missing.append(key)
    return missing


def _invalid_body() -> HttpResponse:
    return _answer("BAD_REQUEST_BODY", 400, "Invalid request body", "BadRequestException")


def _answer(response_type: str, status: int, message: str, error_type: str) -> HttpResponse:
    return gateway_responses.answer(response_type, status, message, error_type)
