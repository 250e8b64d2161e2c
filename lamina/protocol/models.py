"""Service models, loaded once from the installed botocore (DESIGN decision 1).

A few services need facts their current botocore model lacks: SQS moved to json but its
clients still speak query too. Those facts are data, in `overlays/<service>.json`: its `all`
part is merged into the model every protocol uses, and each other part (named by protocol)
only into the model that protocol parses and writes with (`protocol_model`).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel

_loader = Loader()
OVERLAYS = Path(__file__).parent / "overlays"


@cache
def _overlay(service_name: str) -> dict[str, Any]:
    path = OVERLAYS / f"{service_name}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _merge(target: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def _raw(service_name: str) -> dict[str, Any]:
    data = copy.deepcopy(_loader.load_service_model(service_name, "service-2"))
    _merge(data, _overlay(service_name).get("all", {}))
    return data


@cache
def load_service_model(service_name: str) -> ServiceModel:
    """The newest model botocore ships for `service_name` (its data folder's name: 'lambda')."""
    return ServiceModel(_raw(service_name), service_name=service_name)


@cache
def _protocol_models(service_name: str, protocol: str) -> ServiceModel | None:
    extra = _overlay(service_name).get(protocol)
    if not extra:
        return None
    data = _raw(service_name)
    _merge(data, extra)
    return ServiceModel(data, service_name=service_name)


def protocol_model(service: ServiceModel, protocol: str) -> ServiceModel:
    """The model `protocol`'s requests and answers are read and written with: `service`,
    unless an overlay gives that protocol traits of its own (SQS's query names)."""
    return _protocol_models(service.service_name, protocol) or service


def service_model_from_parts(
    metadata: dict, operations: dict[str, dict], shapes: dict, name: str = "test"
) -> ServiceModel:
    """A model assembled from pieces, as the protocol test vectors give them."""
    return ServiceModel(
        {"metadata": metadata, "operations": operations, "shapes": shapes}, service_name=name
    )


def operation(service: ServiceModel, name: str) -> OperationModel:
    return service.operation_model(name)
