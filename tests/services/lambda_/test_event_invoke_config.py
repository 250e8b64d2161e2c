"""Put/Update/Get/List/DeleteFunctionEventInvokeConfig, checked against what AWS answers (the
messages and codes are AWS's own, as recorded against AWS in LocalStack's parity snapshots)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from botocore.exceptions import ClientError

from lamina.services.lambda_ import event_configs
from lamina.services.lambda_ import functions as repo
from lamina.store import Store
from lamina.store.engine import open_store
from tests.conftest import PG_URL, create_function, error_of

ARN = "arn:aws:lambda:us-east-1:000000000000:function"
NO_SETTINGS = "You must specify at least one of error handling or destination setting."
NO_FUNCTION = "The function doesn't exist."
EMPTY_DESTINATIONS = {"OnSuccess": {}, "OnFailure": {}}


def no_config(arn: str) -> str:
    return f"The function {arn} doesn't have an EventInvokeConfig"


def refused(call, **params) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


@pytest.fixture
def store(server, engine, tmp_path) -> Iterator[Store]:
    """The live server's own store, to see and set what the API cannot reach."""
    url = PG_URL if engine == "postgresql" else f"sqlite:///{server.data_dir / 'lamina.db'}"
    assert url
    opened = open_store(url, tmp_path / "data")
    yield opened
    opened.close()


def test_put_answers_with_the_latest_qualified_arn_and_get_returns_it(lambda_client):
    create_function(lambda_client, "fn")
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=2)
    put = lambda_client.put_function_event_invoke_config(
        FunctionName="fn", MaximumRetryAttempts=1, MaximumEventAgeInSeconds=3600
    )
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert put["FunctionArn"] == f"{ARN}:fn:$LATEST"
    assert put["MaximumRetryAttempts"] == 1
    assert put["MaximumEventAgeInSeconds"] == 3600
    assert put["DestinationConfig"] == EMPTY_DESTINATIONS  # AWS answers with both, empty
    assert before <= put["LastModified"] <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
    got = lambda_client.get_function_event_invoke_config(FunctionName="fn")
    for key in ("FunctionArn", "MaximumRetryAttempts", "MaximumEventAgeInSeconds", "LastModified"):
        assert got[key] == put[key]


def test_put_replaces_the_whole_config(lambda_client):
    create_function(lambda_client, "fn")
    lambda_client.put_function_event_invoke_config(
        FunctionName="fn", MaximumRetryAttempts=2, MaximumEventAgeInSeconds=60
    )
    put = lambda_client.put_function_event_invoke_config(FunctionName="fn", MaximumRetryAttempts=0)
    assert "MaximumEventAgeInSeconds" not in put
    got = lambda_client.get_function_event_invoke_config(FunctionName="fn")
    assert got["MaximumRetryAttempts"] == 0
    assert "MaximumEventAgeInSeconds" not in got


def test_update_merges_into_the_existing_config(lambda_client):
    create_function(lambda_client, "fn")
    put = lambda_client.put_function_event_invoke_config(
        FunctionName="fn", MaximumRetryAttempts=2, MaximumEventAgeInSeconds=60
    )
    updated = lambda_client.update_function_event_invoke_config(
        FunctionName="fn", MaximumRetryAttempts=0
    )
    assert (updated["MaximumRetryAttempts"], updated["MaximumEventAgeInSeconds"]) == (0, 60)
    assert updated["FunctionArn"] == f"{ARN}:fn:$LATEST"
    assert updated["LastModified"] >= put["LastModified"]
    got = lambda_client.get_function_event_invoke_config(FunctionName="fn")
    assert (got["MaximumRetryAttempts"], got["MaximumEventAgeInSeconds"]) == (0, 60)


def test_update_does_not_create_a_config(lambda_client):
    create_function(lambda_client, "fn")
    call = lambda_client.update_function_event_invoke_config
    assert refused(call, FunctionName="fn", MaximumRetryAttempts=0) == (
        "ResourceNotFoundException",
        404,
        no_config(f"{ARN}:fn:$LATEST"),
    )


@pytest.mark.parametrize("operation", ["put", "update"])
def test_a_setting_is_required_even_before_the_function_is_looked_up(lambda_client, operation):
    call = getattr(lambda_client, f"{operation}_function_event_invoke_config")
    assert refused(call, FunctionName="ghost") == (
        "InvalidParameterValueException",
        400,
        NO_SETTINGS,
    )


def test_a_missing_function_is_not_found_with_each_operations_message(lambda_client):
    client = lambda_client
    for call in (
        client.put_function_event_invoke_config,
        client.update_function_event_invoke_config,
    ):
        assert refused(call, FunctionName="ghost", MaximumRetryAttempts=1) == (
            "ResourceNotFoundException",
            404,
            NO_FUNCTION,
        )
    listing = client.list_function_event_invoke_configs
    assert refused(listing, FunctionName="ghost")[1:] == (404, NO_FUNCTION)
    for call in (
        client.get_function_event_invoke_config,
        client.delete_function_event_invoke_config,
    ):
        assert refused(call, FunctionName=f"{ARN}:ghost") == (
            "ResourceNotFoundException",
            404,
            no_config(f"{ARN}:ghost:$LATEST"),
        )


def test_latest_can_be_named_every_way_and_other_qualifiers_do_not_exist_yet(lambda_client):
    create_function(lambda_client, "fn")
    put = lambda_client.put_function_event_invoke_config
    for name, qualifier in [("fn", "$LATEST"), ("fn:$LATEST", None), (f"{ARN}:fn", None)]:
        extra = {"Qualifier": qualifier} if qualifier else {}
        answer = put(FunctionName=name, MaximumRetryAttempts=1, **extra)
        assert answer["FunctionArn"] == f"{ARN}:fn:$LATEST"
    # Versions and aliases come later in Lamina: until then they are not there.
    assert refused(put, FunctionName="fn", Qualifier="1", MaximumRetryAttempts=1)[1:] == (
        404,
        NO_FUNCTION,
    )
    get = lambda_client.get_function_event_invoke_config
    assert refused(get, FunctionName="fn", Qualifier="live")[1:] == (
        404,
        no_config(f"{ARN}:fn:live"),
    )
    assert refused(put, FunctionName="fn:1", Qualifier="$LATEST", MaximumRetryAttempts=1) == (
        "InvalidParameterValueException",
        400,
        "The derived qualifier from the function name does not match the specified qualifier.",
    )


def test_a_function_destination_is_stored_and_echoed(lambda_client):
    create_function(lambda_client, "fn")
    target = create_function(lambda_client, "target")["FunctionArn"]
    put = lambda_client.put_function_event_invoke_config(
        FunctionName="fn", DestinationConfig={"OnFailure": {"Destination": target}}
    )
    assert put["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {"Destination": target}}
    assert "MaximumRetryAttempts" not in put
    updated = lambda_client.update_function_event_invoke_config(
        FunctionName="fn", DestinationConfig={"OnSuccess": {"Destination": f"{target}:$LATEST"}}
    )
    expected = {"OnSuccess": {"Destination": f"{target}:$LATEST"}, "OnFailure": {}}
    assert updated["DestinationConfig"] == expected
    got = lambda_client.get_function_event_invoke_config(FunctionName="fn")
    assert got["DestinationConfig"] == expected


def test_empty_destinations_count_as_a_setting(lambda_client):
    create_function(lambda_client, "fn")
    put = lambda_client.put_function_event_invoke_config(
        FunctionName="fn", DestinationConfig={"OnSuccess": {}}
    )
    assert put["DestinationConfig"] == EMPTY_DESTINATIONS


@pytest.mark.parametrize(
    "destination",
    [
        f"{ARN}:missing",  # AWS checks that the destination exists when it is set
        f"{ARN}:target:1",  # no such version
        "arn:aws:lambda:us-east-1:000000000000:layer:target",  # not a function ARN
        "arn:aws:lambda:eu-west-1:000000000000:function:target",  # another region
    ],
)
def test_a_destination_that_is_not_a_function_here_is_invalid(lambda_client, destination):
    create_function(lambda_client, "fn")
    create_function(lambda_client, "target")
    call = lambda_client.put_function_event_invoke_config
    config = {"OnSuccess": {"Destination": destination}}
    assert refused(call, FunctionName="fn", DestinationConfig=config) == (
        "InvalidParameterValueException",
        400,
        f"The destination ARN {destination} is invalid.",
    )
    assert refused(lambda_client.get_function_event_invoke_config, FunctionName="fn")[1] == 404


def test_a_function_is_not_its_own_destination(lambda_client):
    arn = create_function(lambda_client, "fn")["FunctionArn"]
    call = lambda_client.put_function_event_invoke_config
    config = {"OnFailure": {"Destination": arn}}
    assert refused(call, FunctionName="fn", DestinationConfig=config) == (
        "InvalidParameterValueException",
        400,
        "You can't specify the function as a destination for itself.",
    )


@pytest.mark.parametrize(
    ("destination", "service"),
    [
        ("arn:aws:sns:us-east-1:000000000000:failed", "Amazon SNS"),
        ("arn:aws:events:us-east-1:000000000000:event-bus/default", "Amazon EventBridge"),
        ("arn:aws:s3:::failed-events", "Amazon S3"),
    ],
)
def test_destinations_on_other_services_are_not_supported_yet(lambda_client, destination, service):
    create_function(lambda_client, "fn")
    call = lambda_client.put_function_event_invoke_config
    config = {"OnFailure": {"Destination": destination}}
    assert refused(call, FunctionName="fn", DestinationConfig=config) == (
        "InvalidParameterValueException",
        400,
        f"Lamina does not support {service} destinations yet.",
    )


@pytest.mark.parametrize(
    "destination",
    [
        "arn:aws:iam:us-east-1:000000000000:function:fn",  # AWS's own example of a bad service
        "arn:aws:s3:::bucket",  # S3 takes failed events only
    ],
)
def test_a_destination_on_a_service_lambda_cannot_send_to_is_invalid(lambda_client, destination):
    create_function(lambda_client, "fn")
    call = lambda_client.put_function_event_invoke_config
    config = {"OnSuccess": {"Destination": destination}}
    assert refused(call, FunctionName="fn", DestinationConfig=config) == (
        "InvalidParameterValueException",
        400,
        "The provided destination config DestinationConfig(onSuccess=OnSuccess("
        f"destination={destination}), onFailure=null) is invalid.",
    )


@pytest.mark.parametrize(
    ("setting", "value", "constraint"),
    [
        ("MaximumRetryAttempts", 3, "less than or equal to 2"),
        ("MaximumEventAgeInSeconds", 59, "greater than or equal to 60"),
        ("MaximumEventAgeInSeconds", 21601, "less than or equal to 21600"),
    ],
)
def test_out_of_range_settings_are_refused(unvalidated_lambda_client, setting, value, constraint):
    create_function(unvalidated_lambda_client, "fn")
    call = unvalidated_lambda_client.put_function_event_invoke_config
    field = setting[0].lower() + setting[1:]
    assert refused(call, FunctionName="fn", **{setting: value}) == (
        "ValidationException",
        400,
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
        f"constraint: Member must have value {constraint}",
    )


def test_list_and_delete(lambda_client):
    create_function(lambda_client, "fn")
    assert (
        lambda_client.list_function_event_invoke_configs(FunctionName="fn")[
            "FunctionEventInvokeConfigs"
        ]
        == []
    )
    lambda_client.put_function_event_invoke_config(FunctionName="fn", MaximumRetryAttempts=1)
    listed = lambda_client.list_function_event_invoke_configs(FunctionName="fn", MaxItems=1)
    [config] = listed["FunctionEventInvokeConfigs"]
    assert config["FunctionArn"] == f"{ARN}:fn:$LATEST"
    assert config["MaximumRetryAttempts"] == 1
    assert "NextMarker" not in listed
    deleted = lambda_client.delete_function_event_invoke_config(FunctionName="fn")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    expected = ("ResourceNotFoundException", 404, no_config(f"{ARN}:fn:$LATEST"))
    assert refused(lambda_client.get_function_event_invoke_config, FunctionName="fn") == expected
    assert refused(lambda_client.delete_function_event_invoke_config, FunctionName="fn") == expected


def test_list_pages_in_qualifier_order(lambda_client, store):
    create_function(lambda_client, "fn")
    lambda_client.put_function_event_invoke_config(FunctionName="fn", MaximumRetryAttempts=0)
    # Versions and aliases are not in Lamina yet: their configs go into the store directly.
    with store.write() as conn:
        function_id = repo.get(conn, "000000000000", "us-east-1", "fn").function_id
        for qualifier in ("1", "2", "live"):
            event_configs.put(conn, function_id, qualifier, {"MaximumRetryAttempts": 2}, 1.0)
    seen, marker = [], None
    while True:
        page = lambda_client.list_function_event_invoke_configs(
            FunctionName="fn", MaxItems=3, **({"Marker": marker} if marker else {})
        )
        seen += [config["FunctionArn"] for config in page["FunctionEventInvokeConfigs"]]
        marker = page.get("NextMarker")
        if not marker:
            break
    assert seen == [f"{ARN}:fn:{q}" for q in ("$LATEST", "1", "2", "live")]


def test_an_unreadable_marker_is_refused(lambda_client):
    create_function(lambda_client, "fn")
    call = lambda_client.list_function_event_invoke_configs
    assert refused(call, FunctionName="fn", Marker="%%%")[:2] == (
        "InvalidParameterValueException",
        400,
    )


@pytest.mark.parametrize("max_items", [0, 51])
def test_max_items_is_one_to_fifty(unvalidated_lambda_client, max_items):
    create_function(unvalidated_lambda_client, "fn")
    call = unvalidated_lambda_client.list_function_event_invoke_configs
    assert refused(call, FunctionName="fn", MaxItems=max_items)[:2] == ("ValidationException", 400)


def test_the_worker_reads_the_stored_settings(lambda_client, store):
    create_function(lambda_client, "fn")
    target = create_function(lambda_client, "target")["FunctionArn"]
    lambda_client.put_function_event_invoke_config(
        FunctionName="fn",
        MaximumEventAgeInSeconds=120,
        DestinationConfig={"OnFailure": {"Destination": target}, "OnSuccess": {}},
    )
    with store.read() as conn:
        function_id = repo.get(conn, "000000000000", "us-east-1", "fn").function_id
        assert event_configs.retry_settings(conn, function_id, "$LATEST") == {
            "MaximumEventAgeInSeconds": 120,
            "DestinationConfig": {"OnFailure": {"Destination": target}},
        }
        assert event_configs.retry_settings(conn, function_id, "1") is None


def test_a_deleted_functions_config_does_not_come_back_with_a_new_function(lambda_client, store):
    create_function(lambda_client, "fn")
    lambda_client.put_function_event_invoke_config(FunctionName="fn", MaximumRetryAttempts=0)
    with store.read() as conn:
        old_id = repo.get(conn, "000000000000", "us-east-1", "fn").function_id
    lambda_client.delete_function(FunctionName="fn")
    with store.read() as conn:  # the foreign key's cascade took the config with the function
        assert event_configs.get(conn, old_id, "$LATEST") is None
    create_function(lambda_client, "fn")  # on SQLite it may even get the same row id
    assert refused(lambda_client.get_function_event_invoke_config, FunctionName="fn") == (
        "ResourceNotFoundException",
        404,
        no_config(f"{ARN}:fn:$LATEST"),
    )
    listed = lambda_client.list_function_event_invoke_configs(FunctionName="fn")
    assert listed["FunctionEventInvokeConfigs"] == []
