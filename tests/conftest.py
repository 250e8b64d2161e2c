"""A live Lamina on a free port, once per store engine, and boto3 clients pointed at it."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.server import LaminaServer, become_subreaper, end_leftovers, stop_all_started

PG_URL = os.environ.get("LAMINA_TEST_DATABASE_URL")


def fresh_database(url: str, name: str, drop: bool = False) -> str:
    """The URL of database `name` on `url`'s PostgreSQL server, made anew (or, with `drop`,
    only dropped)."""
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(url)
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop:
            conn.execute(f'CREATE DATABASE "{name}"')
    return base.set(database=name).render_as_string(hide_password=False)


def _worker_database(url: str, worker: str) -> str:
    """Under pytest-xdist, each worker's own database beside the one named (`test` → `test_gw0`):
    the workers' session servers would otherwise reset each other's state."""
    from sqlalchemy.engine import make_url

    return fresh_database(url, f"{make_url(url).database}_{worker}")


if PG_URL and os.environ.get("PYTEST_XDIST_WORKER"):
    PG_URL = _worker_database(PG_URL, os.environ["PYTEST_XDIST_WORKER"])
ENGINES = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            not PG_URL, reason="LAMINA_TEST_DATABASE_URL is not set (CI sets it)"
        ),
    ),
]


def pytest_configure(config: pytest.Config) -> None:
    become_subreaper()  # a killed server's orphaned sandboxes come back to us, to be ended
    # A suite started in the background of a shell without job control inherits SIGINT
    # ignored, and so would every command a test runs: the README's Ctrl-C would do nothing.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Nothing outlives the run: servers a test left running, then any process below us."""
    servers, processes = stop_all_started(), end_leftovers()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    for what, found in (("server", servers), ("process", processes)):
        for command in found:
            line = f"ended a {what} a test left running: {command}"
            reporter.write_line(line, yellow=True) if reporter else print(line)


@pytest.fixture(scope="session", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def engine_env(engine: str) -> dict[str, str]:
    if engine == "postgresql":
        assert PG_URL
        return {"LAMINA_DATABASE_URL": PG_URL, "LAMINA_ALLOW_RESET": "1"}
    return {}


@pytest.fixture(scope="session")
def server(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaminaServer]:
    lamina = LaminaServer(tmp_path_factory.mktemp(f"lamina-{engine}"), engine_env(engine))
    lamina.start()
    yield lamina
    lamina.stop()


@pytest.fixture
def endpoint(server: LaminaServer) -> str:
    """The server's URL, with all state wiped before the test."""
    response = requests.post(f"{server.url}/_lamina/reset", timeout=30)
    assert response.status_code == 200, response.text
    return server.url


def client(
    service: str,
    endpoint: str,
    access_key: str = "test",
    region: str = "us-east-1",
    validate: bool = True,
):
    """A boto3 client for the live server. `validate=False` sends what boto3 itself would refuse,
    as other SDKs and raw HTTP callers can, so the server's own validation is what answers."""
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key="test",
        config=Config(
            retries={"total_max_attempts": 1}, read_timeout=60, parameter_validation=validate
        ),
    )


@pytest.fixture
def lambda_client(endpoint: str):
    return client("lambda", endpoint)


@pytest.fixture
def unvalidated_lambda_client(endpoint: str):
    return client("lambda", endpoint, validate=False)


def make_zip(files: dict[str, str | bytes] | None = None) -> bytes:
    files = files or {"handler.py": "def handler(event, context):\n    return event\n"}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


ROLE = "arn:aws:iam::000000000000:role/lambda-role"


def create_function(client, name: str = "fn", **overrides):
    params = {
        "FunctionName": name,
        "Runtime": "python3.12",
        "Role": ROLE,
        "Handler": "handler.handler",
        "Code": {"ZipFile": make_zip()},
    }
    params.update(overrides)
    return client.create_function(**params)


@pytest.fixture
def tmp_data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    """(code, HTTP status, message) of the AWS error a boto3 call raised."""
    error = excinfo.value.response
    return (
        error["Error"]["Code"],
        error["ResponseMetadata"]["HTTPStatusCode"],
        error["Error"]["Message"],
    )


@contextlib.contextmanager
def own_server(
    data_dir: Path, engine: str, database: str, env: dict[str, str] | None = None
) -> Iterator[LaminaServer]:
    """A started server with a store of its own (and `env`), stopped afterwards. On PostgreSQL
    its store is a fresh database `database`: a server sharing the session server's database
    would form a fleet with it, and the other node could take its queued work."""
    lamina = LaminaServer(data_dir, {**(env or {}), **_own_store_env(engine, database)})
    lamina.start()
    try:
        yield lamina
    finally:
        lamina.stop()


def _own_store_env(engine: str, name: str) -> dict[str, str]:
    if engine != "postgresql":
        return {}
    assert PG_URL
    return {"LAMINA_DATABASE_URL": fresh_database(PG_URL, name), "LAMINA_ALLOW_RESET": "1"}


def wait_for(condition, timeout: float = 20.0, interval: float = 0.05):
    """Poll `condition` until it returns something true; that value, or AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s: {condition}")
        time.sleep(interval)


def log_events(logs, group: str, **filters) -> list[dict]:
    """FilterLogEvents on `group`, every page; none while the group does not exist yet
    (a function's first batch of log lines creates it, a little after the answer)."""
    found: list[dict] = []
    kwargs = {"logGroupName": group, **filters}
    try:
        while True:
            page = logs.filter_log_events(**kwargs)
            found.extend(page["events"])
            if not page.get("nextToken"):
                return found
            kwargs["nextToken"] = page["nextToken"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        return []
