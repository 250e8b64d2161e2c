"""Service models, loaded once from the installed botocore (DESIGN decision 1)."""

from __future__ import annotations

from functools import cache

from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel

_loader = Loader()


@cache
def load_service_model(service_name: str) -> ServiceModel:
    """The newest model botocore ships for `service_name` (its data folder's name: 'lambda')."""
    data = _loader.load_service_model(service_name, "service-2")
    return ServiceModel(data, service_name=service_name)


def service_model_from_parts(
    metadata: dict, operations: dict[str, dict], shapes: dict, name: str = "test"
) -> ServiceModel:
    """A model assembled from pieces, as the protocol test vectors give them."""
    return ServiceModel(
        {"metadata": metadata, "operations": operations, "shapes": shapes}, service_name=name
    )


def operation(service: ServiceModel, name: str) -> OperationModel:
    return service.operation_model(name)
