"""The node's unpacked-code cache (data_dir/code) and merged-layer cache (data_dir/opt) are
collected: after UpdateFunctionCode, DeleteFunction and DeleteLayerVersion, what no function
version or layer version refers to any more is removed; what is still referred to stays."""

from __future__ import annotations

import hashlib

from tests.conftest import create_function, make_zip, wait_for

FIRST = make_zip({"app.py": "def handler(event, context):\n    return 1\n"})
SECOND = make_zip({"app.py": "def handler(event, context):\n    return 2\n"})
LAYER = make_zip({"python/helper.py": "VALUE = 3\n"})


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _active(lambda_client, name: str) -> None:
    wait_for(lambda: lambda_client.get_function(FunctionName=name)["Configuration"]
             ["LastUpdateStatus"] == "Successful")  # fmt: skip


def test_old_code_goes_after_update_and_delete(server, endpoint, lambda_client):
    code = server.data_dir / "code"
    create_function(lambda_client, "cached", Handler="app.handler", Code={"ZipFile": FIRST})
    _active(lambda_client, "cached")
    lambda_client.invoke(FunctionName="cached", Payload=b"{}")
    first = code / _digest(FIRST)
    assert first.is_dir()
    lambda_client.update_function_code(FunctionName="cached", ZipFile=SECOND)
    _active(lambda_client, "cached")
    assert lambda_client.invoke(FunctionName="cached", Payload=b"{}")["Payload"].read() == b"2"
    second = code / _digest(SECOND)
    wait_for(lambda: not first.exists())
    assert second.is_dir()  # still $LATEST's
    lambda_client.delete_function(FunctionName="cached")
    wait_for(lambda: not second.exists())


def test_a_published_versions_code_stays_until_the_version_goes(server, endpoint, lambda_client):
    code = server.data_dir / "code"
    create_function(lambda_client, "kept", Handler="app.handler", Code={"ZipFile": FIRST})
    _active(lambda_client, "kept")
    version = lambda_client.publish_version(FunctionName="kept")["Version"]
    lambda_client.invoke(FunctionName="kept", Qualifier=version, Payload=b"{}")
    lambda_client.update_function_code(FunctionName="kept", ZipFile=SECOND)
    _active(lambda_client, "kept")
    lambda_client.invoke(FunctionName="kept", Payload=b"{}")
    # a sweep has run (after the update) and left version 1's code: it is still referred to
    lambda_client.delete_function(FunctionName="kept", Qualifier=version)
    wait_for(lambda: not (code / _digest(FIRST)).exists())
    assert (code / _digest(SECOND)).is_dir()


def test_layer_caches_go_with_their_last_reference(server, endpoint, lambda_client):
    code, opt = server.data_dir / "code", server.data_dir / "opt"
    layer = lambda_client.publish_layer_version(LayerName="lib", Content={"ZipFile": LAYER})
    create_function(lambda_client, "layered", Handler="app.handler", Code={"ZipFile": FIRST},
                    Layers=[layer["LayerVersionArn"]])  # fmt: skip
    _active(lambda_client, "layered")
    lambda_client.invoke(FunctionName="layered", Payload=b"{}")
    unpacked = code / _digest(LAYER)
    assert unpacked.is_dir()
    merged = {p.name for p in opt.iterdir() if not p.name.startswith(".")}
    assert merged
    lambda_client.delete_function(FunctionName="layered")
    wait_for(lambda: not (code / _digest(FIRST)).exists())
    assert unpacked.is_dir()  # the layer version still exists
    assert not merged & {p.name for p in opt.iterdir()}  # no function uses that set now
    lambda_client.delete_layer_version(LayerName="lib", VersionNumber=layer["Version"])
    wait_for(lambda: not unpacked.exists())
