"""Lambda's nine List operations page alike (lamina/services/lambda_/paging.py): a Marker that
is not one of ours is InvalidParameterValueException "Invalid marker: X", MaxItems outside the
model's range is the model's ValidationException, and MaxItems=1 walks every item once, the last
page without a NextMarker."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import create_function, error_of, make_zip

LIBRARY = make_zip({"python/greeting.py": "WORD = 'hello'\n"})

# operation: (its required members, MaxItems' maximum in the model)
LISTS = {
    "list_functions": ({}, 10000),
    "list_versions_by_function": ({"FunctionName": "fn"}, 10000),
    "list_aliases": ({"FunctionName": "fn"}, 10000),
    "list_layers": ({}, 50),
    "list_layer_versions": ({"LayerName": "lib"}, 50),
    "list_function_event_invoke_configs": ({"FunctionName": "fn"}, 50),
    "list_event_source_mappings": ({}, 10000),
    "list_function_url_configs": ({"FunctionName": "fn"}, 50),
    "list_provisioned_concurrency_configs": ({"FunctionName": "fn"}, 50),
}


def refused(call, **params) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


@pytest.fixture
def listed(lambda_client):
    """A function and a layer for the lists that name one."""
    create_function(lambda_client, "fn")
    lambda_client.publish_layer_version(LayerName="lib", Content={"ZipFile": LIBRARY})
    return lambda_client


@pytest.mark.parametrize("operation", [*LISTS, "list_functions ALL"])
def test_a_marker_not_of_ours_is_an_invalid_marker(listed, operation):
    name, _, every_version = operation.partition(" ")
    params = dict(LISTS[name][0], Marker="%%%")
    if every_version:
        params["FunctionVersion"] = "ALL"
    assert refused(getattr(listed, name), **params) == (
        "InvalidParameterValueException",
        400,
        "Invalid marker: %%%",
    )


@pytest.mark.parametrize("operation", LISTS)
def test_max_items_outside_the_model_range_is_a_validation_error(
    unvalidated_lambda_client, operation
):
    create_function(unvalidated_lambda_client, "fn")
    required, most = LISTS[operation]
    call = getattr(unvalidated_lambda_client, operation)
    for max_items, constraint in (
        (0, "greater than or equal to 1"),
        (most + 1, f"less than or equal to {most}"),
    ):
        code, status, message = refused(call, **required, MaxItems=max_items)
        assert (code, status) == ("ValidationException", 400)
        assert (
            f"at 'maxItems' failed to satisfy constraint: Member must have value {constraint}"
            in (message)
        )


def every_page(call, items: str, key: str, **params) -> tuple[list[str], int]:
    """The `key` of every item a one-item-a-page walk sees, and how many pages it took."""
    seen, pages, marker = [], 0, None
    while True:
        page = call(MaxItems=1, **params, **({"Marker": marker} if marker else {}))
        pages += 1
        assert len(page[items]) <= 1
        seen += [item[key] for item in page[items]]
        marker = page.get("NextMarker")
        if not marker:
            return seen, pages


def test_function_url_configs_page_one_at_a_time(lambda_client):
    create_function(lambda_client, "fn")
    version = lambda_client.publish_version(FunctionName="fn")["Version"]
    lambda_client.create_alias(FunctionName="fn", Name="live", FunctionVersion=version)
    made = [
        lambda_client.create_function_url_config(FunctionName="fn", AuthType="NONE", **qualifier)
        for qualifier in ({}, {"Qualifier": "live"})
    ]
    seen, pages = every_page(
        lambda_client.list_function_url_configs, "FunctionUrlConfigs", "FunctionUrl",
        FunctionName="fn",
    )  # fmt: skip
    assert sorted(seen) == sorted(each["FunctionUrl"] for each in made)
    assert len(seen) == 2 and pages == 2


def test_provisioned_concurrency_configs_page_one_at_a_time(lambda_client):
    create_function(lambda_client, "fn")
    first = lambda_client.publish_version(FunctionName="fn")["Version"]
    lambda_client.update_function_code(
        FunctionName="fn",
        ZipFile=make_zip({"handler.py": "def handler(event, context):\n    return 2\n"}),
    )
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName="fn")
    second = lambda_client.publish_version(FunctionName="fn")["Version"]
    for version in (first, second):
        lambda_client.put_provisioned_concurrency_config(
            FunctionName="fn", Qualifier=version, ProvisionedConcurrentExecutions=1
        )
    seen, pages = every_page(
        lambda_client.list_provisioned_concurrency_configs,
        "ProvisionedConcurrencyConfigs",
        "FunctionArn",
        FunctionName="fn",
    )
    arn = lambda_client.get_function(FunctionName="fn")["Configuration"]["FunctionArn"]
    assert seen == [f"{arn}:{first}", f"{arn}:{second}"] and pages == 2


def test_a_marker_of_another_list_is_an_invalid_marker_for_layer_versions(listed):
    create_function(listed, "fn2")
    marker = listed.list_functions(MaxItems=1)["NextMarker"]  # a name, not a version number
    assert refused(listed.list_layer_versions, LayerName="lib", Marker=marker) == (
        "InvalidParameterValueException",
        400,
        f"Invalid marker: {marker}",
    )
