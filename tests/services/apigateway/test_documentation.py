"""Documentation parts of a REST API through boto3: each location type's rules, the conflict
for a second part at one location, the filters of GetDocumentationParts, the `/properties`
patch, deletion, their survival of a restart, and their going with the API. Documentation
versions (snapshots of the parts, published by stages), ImportDocumentationParts, and
x-amazon-apigateway-documentation in ImportRestApi/PutRestApi and GetExport."""

from __future__ import annotations

import json
import signal

import pytest
import yaml
from botocore.exceptions import ClientError

from tests.conftest import ENGINES, client, own_server
from tests.services.apigateway.conftest import add_method, root_of


def _error(excinfo) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def test_a_part_is_created_read_updated_and_deleted(apigw):
    api_id = apigw.create_rest_api(name="docs")["id"]
    made = apigw.create_documentation_part(
        restApiId=api_id, location={"type": "METHOD", "path": "/pets"},
        properties='{"summary": "list pets"}',
    )  # fmt: skip
    assert made["location"] == {"type": "METHOD", "path": "/pets", "method": "*"}
    got = apigw.get_documentation_part(restApiId=api_id, documentationPartId=made["id"])
    assert (got["id"], got["properties"]) == (made["id"], '{"summary": "list pets"}')
    updated = apigw.update_documentation_part(
        restApiId=api_id, documentationPartId=made["id"],
        patchOperations=[{"op": "replace", "path": "/properties", "value": '{"summary": "x"}'}],
    )  # fmt: skip
    assert updated["properties"] == '{"summary": "x"}'
    apigw.delete_documentation_part(restApiId=api_id, documentationPartId=made["id"])
    with pytest.raises(ClientError) as excinfo:
        apigw.get_documentation_part(restApiId=api_id, documentationPartId=made["id"])
    assert _error(excinfo)[0] == "NotFoundException"


def test_each_type_takes_its_own_location_fields(apigw):
    api_id = apigw.create_rest_api(name="docs")["id"]
    response = apigw.create_documentation_part(
        restApiId=api_id, location={"type": "RESPONSE_HEADER", "name": "X-Id"}, properties="{}"
    )
    assert response["location"] == {
        "type": "RESPONSE_HEADER", "path": "/", "method": "*", "statusCode": "*", "name": "X-Id"
    }  # fmt: skip
    api = apigw.create_documentation_part(
        restApiId=api_id, location={"type": "API"}, properties='{"info": {}}'
    )
    assert api["location"] == {"type": "API"}
    refused = [
        ({"type": "API", "path": "/x"}, "Invalid location field 'path' for location type API"),
        ({"type": "MODEL"}, "Location name is required for location type MODEL"),
        ({"type": "RESOURCE", "method": "GET"},
         "Invalid location field 'method' for location type RESOURCE"),
        ({"type": "METHOD", "name": "n"}, "Invalid location field 'name' for location type METHOD"),
    ]  # fmt: skip
    for location, message in refused:
        with pytest.raises(ClientError) as excinfo:
            apigw.create_documentation_part(restApiId=api_id, location=location, properties="{}")
        assert _error(excinfo) == ("BadRequestException", message)


def test_bad_properties_a_duplicate_location_and_a_missing_api_are_refused(apigw):
    api_id = apigw.create_rest_api(name="docs")["id"]
    with pytest.raises(ClientError) as excinfo:
        apigw.create_documentation_part(
            restApiId=api_id, location={"type": "API"}, properties="{not json"
        )
    assert _error(excinfo) == (
        "BadRequestException", "Documentation part properties must be valid JSON"
    )  # fmt: skip
    apigw.create_documentation_part(
        restApiId=api_id, location={"type": "MODEL", "name": "Pet"}, properties="{}"
    )
    with pytest.raises(ClientError) as excinfo:
        apigw.create_documentation_part(
            restApiId=api_id, location={"type": "MODEL", "name": "Pet"}, properties='{"a": 1}'
        )
    assert _error(excinfo)[0] == "ConflictException"
    with pytest.raises(ClientError) as excinfo:
        apigw.get_documentation_parts(restApiId="nosuchapi")
    assert _error(excinfo) == (
        "NotFoundException", "Invalid API identifier specified 000000000000:nosuchapi"
    )  # fmt: skip


def test_parts_are_filtered_and_paged(apigw):
    api_id = apigw.create_rest_api(name="docs")["id"]
    for path in ("/a", "/b", "/c"):
        apigw.create_documentation_part(
            restApiId=api_id, location={"type": "RESOURCE", "path": path}, properties='{"d": 1}'
        )
    apigw.create_documentation_part(
        restApiId=api_id, location={"type": "MODEL", "name": "PetModel"}, properties="{}"
    )
    every = apigw.get_documentation_parts(restApiId=api_id)["items"]
    assert len(every) == 4
    by_type = apigw.get_documentation_parts(restApiId=api_id, type="RESOURCE")["items"]
    assert sorted(p["location"]["path"] for p in by_type) == ["/a", "/b", "/c"]
    by_path = apigw.get_documentation_parts(restApiId=api_id, path="/b")["items"]
    assert [p["location"]["path"] for p in by_path] == ["/b"]
    by_name = apigw.get_documentation_parts(restApiId=api_id, nameQuery="Pet")["items"]
    assert [p["location"]["type"] for p in by_name] == ["MODEL"]
    empty = apigw.get_documentation_parts(restApiId=api_id, locationStatus="UNDOCUMENTED")
    assert [p["location"]["type"] for p in empty["items"]] == ["MODEL"]
    first = apigw.get_documentation_parts(restApiId=api_id, limit=3)
    rest = apigw.get_documentation_parts(restApiId=api_id, limit=3, position=first["position"])
    ids = [p["id"] for p in first["items"] + rest["items"]]
    assert sorted(ids) == sorted(p["id"] for p in every)


def test_a_bad_patch_path_is_refused(apigw):
    api_id = apigw.create_rest_api(name="docs")["id"]
    part = apigw.create_documentation_part(
        restApiId=api_id, location={"type": "API"}, properties="{}"
    )
    with pytest.raises(ClientError) as excinfo:
        apigw.update_documentation_part(
            restApiId=api_id, documentationPartId=part["id"],
            patchOperations=[{"op": "replace", "path": "/location", "value": "x"}],
        )  # fmt: skip
    assert _error(excinfo) == (
        "BadRequestException",
        "Invalid patch path  '/location' specified for op 'replace'. Must be one of: [/properties]",
    )
    with pytest.raises(ClientError) as excinfo:
        apigw.update_documentation_part(
            restApiId=api_id, documentationPartId=part["id"],
            patchOperations=[{"op": "replace", "path": "/properties", "value": "{"}],
        )  # fmt: skip
    assert _error(excinfo)[0] == "BadRequestException"


def test_parts_go_with_their_api(apigw):
    api_id = apigw.create_rest_api(name="docs")["id"]
    part = apigw.create_documentation_part(
        restApiId=api_id, location={"type": "API"}, properties="{}"
    )
    apigw.delete_rest_api(restApiId=api_id)
    with pytest.raises(ClientError) as excinfo:
        apigw.get_documentation_part(restApiId=api_id, documentationPartId=part["id"])
    assert _error(excinfo)[0] == "NotFoundException"


@pytest.mark.parametrize("engine", ENGINES)
def test_parts_survive_a_restart(tmp_path, engine):
    with own_server(tmp_path / "data", engine, "apigw_docs_durability") as lamina:
        apigw = client("apigateway", lamina.url)
        api_id = apigw.create_rest_api(name="docs")["id"]
        part = apigw.create_documentation_part(
            restApiId=api_id, location={"type": "RESOURCE", "path": "/p"}, properties='{"k": 1}'
        )
        lamina.stop(signal.SIGKILL)
        lamina.start()
        apigw = client("apigateway", lamina.url)
        got = apigw.get_documentation_part(restApiId=api_id, documentationPartId=part["id"])
        assert (got["location"], got["properties"]) == (part["location"], '{"k": 1}')


def _deployed(apigw, name: str = "docs") -> str:
    """An API with one MOCK method, deployed to stage `prod`."""
    api_id = apigw.create_rest_api(name=name)["id"]
    add_method(apigw, api_id, root_of(apigw, api_id))
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    return api_id


def _part(apigw, api_id: str, location: dict, properties: str) -> dict:
    return apigw.create_documentation_part(
        restApiId=api_id, location=location, properties=properties
    )


def test_a_version_snapshots_the_parts_and_is_read_updated_and_deleted(apigw):
    api_id = apigw.create_rest_api(name="docs")["id"]
    part = _part(apigw, api_id, {"type": "API"}, '{"description": "first"}')
    made = apigw.create_documentation_version(
        restApiId=api_id, documentationVersion="1.0", description="first cut"
    )
    assert (made["version"], made["description"]) == ("1.0", "first cut")
    assert "createdDate" in made
    got = apigw.get_documentation_version(restApiId=api_id, documentationVersion="1.0")
    assert (got["version"], got["description"]) == ("1.0", "first cut")
    updated = apigw.update_documentation_version(
        restApiId=api_id, documentationVersion="1.0",
        patchOperations=[{"op": "replace", "path": "/description", "value": "renamed"}],
    )  # fmt: skip
    assert updated["description"] == "renamed"
    # a later change of a part leaves 1.0 as it was (the export test reads what a version holds)
    apigw.update_documentation_part(
        restApiId=api_id, documentationPartId=part["id"],
        patchOperations=[{"op": "replace", "path": "/properties", "value": '{"d": "later"}'}],
    )  # fmt: skip
    apigw.create_documentation_version(restApiId=api_id, documentationVersion="2.0")
    listed = apigw.get_documentation_versions(restApiId=api_id)["items"]
    assert [v["version"] for v in listed] == ["1.0", "2.0"]
    assert "description" not in listed[1]
    apigw.delete_documentation_version(restApiId=api_id, documentationVersion="1.0")
    with pytest.raises(ClientError) as excinfo:
        apigw.get_documentation_version(restApiId=api_id, documentationVersion="1.0")
    assert _error(excinfo) == (
        "NotFoundException", "Invalid Documentation version identifier specified"
    )  # fmt: skip
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_versions_are_paged(apigw):
    api_id = apigw.create_rest_api(name="docs")["id"]
    for name in ("a", "b", "c"):
        apigw.create_documentation_version(restApiId=api_id, documentationVersion=name)
    first = apigw.get_documentation_versions(restApiId=api_id, limit=2)
    assert [v["version"] for v in first["items"]] == ["a", "b"]
    rest = apigw.get_documentation_versions(restApiId=api_id, limit=2, position=first["position"])
    assert [v["version"] for v in rest["items"]] == ["c"]
    assert "position" not in rest


def test_bad_version_requests_are_refused_and_change_nothing(apigw):
    api_id = apigw.create_rest_api(name="docs")["id"]
    apigw.create_documentation_version(restApiId=api_id, documentationVersion="1", description="d")
    with pytest.raises(ClientError) as excinfo:
        apigw.create_documentation_version(restApiId=api_id, documentationVersion="1")
    assert _error(excinfo) == ("ConflictException", "Documentation version 1 already exists")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    with pytest.raises(ClientError) as excinfo:
        apigw.create_documentation_version(
            restApiId=api_id, documentationVersion="2", stageName="nope"
        )
    assert _error(excinfo) == ("NotFoundException", "Invalid Stage identifier specified")
    with pytest.raises(ClientError) as excinfo:
        apigw.update_documentation_version(
            restApiId=api_id, documentationVersion="1",
            patchOperations=[{"op": "replace", "path": "/version", "value": "9"}],
        )  # fmt: skip
    assert _error(excinfo) == (
        "BadRequestException",
        "Invalid patch path  '/version' specified for op 'replace'. Must be one of: [/description]",
    )
    for call in (apigw.update_documentation_version, apigw.delete_documentation_version):
        with pytest.raises(ClientError) as excinfo:
            call(restApiId=api_id, documentationVersion="nope")
        assert _error(excinfo)[0] == "NotFoundException"
    with pytest.raises(ClientError) as excinfo:
        apigw.get_documentation_versions(restApiId="nosuchapi")
    assert _error(excinfo)[0] == "NotFoundException"
    listed = apigw.get_documentation_versions(restApiId=api_id)["items"]
    assert [(v["version"], v["description"]) for v in listed] == [("1", "d")]


def test_a_stage_publishes_a_version(apigw):
    api_id = _deployed(apigw)
    apigw.create_documentation_version(restApiId=api_id, documentationVersion="1", stageName="prod")
    assert apigw.get_stage(restApiId=api_id, stageName="prod")["documentationVersion"] == "1"
    apigw.create_documentation_version(restApiId=api_id, documentationVersion="2")
    patch = {"op": "replace", "path": "/documentationVersion", "value": "2"}
    updated = apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[patch])
    assert updated["documentationVersion"] == "2"
    deployment = apigw.get_stage(restApiId=api_id, stageName="prod")["deploymentId"]
    made = apigw.create_stage(
        restApiId=api_id, stageName="beta", deploymentId=deployment, documentationVersion="1"
    )
    assert made["documentationVersion"] == "1"
    # an unknown version is refused, and the stage keeps its own
    with pytest.raises(ClientError) as excinfo:
        apigw.update_stage(
            restApiId=api_id, stageName="prod",
            patchOperations=[{**patch, "value": "9"}],
        )  # fmt: skip
    assert _error(excinfo) == (
        "BadRequestException", "Documentation version 9 does not exist for this API"
    )  # fmt: skip
    with pytest.raises(ClientError) as excinfo:
        apigw.create_stage(
            restApiId=api_id, stageName="gamma", deploymentId=deployment, documentationVersion="9"
        )
    assert _error(excinfo)[0] == "BadRequestException"
    assert apigw.get_stage(restApiId=api_id, stageName="prod")["documentationVersion"] == "2"
    assert "gamma" not in [s["stageName"] for s in apigw.get_stages(restApiId=api_id)["item"]]
    # a version a stage publishes is not deleted; once the stage lets it go, it is
    with pytest.raises(ClientError) as excinfo:
        apigw.delete_documentation_version(restApiId=api_id, documentationVersion="2")
    assert _error(excinfo)[0] == "BadRequestException"
    apigw.update_stage(
        restApiId=api_id, stageName="prod",
        patchOperations=[{"op": "remove", "path": "/documentationVersion"}],
    )  # fmt: skip
    assert "documentationVersion" not in apigw.get_stage(restApiId=api_id, stageName="prod")
    apigw.delete_documentation_version(restApiId=api_id, documentationVersion="2")


def test_versions_go_with_their_api(apigw):
    api_id = apigw.create_rest_api(name="docs")["id"]
    apigw.create_documentation_version(restApiId=api_id, documentationVersion="1")
    assert "documentationVersions" not in apigw.get_rest_api(restApiId=api_id)
    apigw.delete_rest_api(restApiId=api_id)
    with pytest.raises(ClientError) as excinfo:
        apigw.get_documentation_version(restApiId=api_id, documentationVersion="1")
    assert _error(excinfo)[0] == "NotFoundException"


DOCUMENTED = {
    "openapi": "3.0.1",
    "info": {"title": "documented", "version": "1"},
    "paths": {},
    "x-amazon-apigateway-documentation": {
        "version": "0.9",
        "documentationParts": [
            {"location": {"type": "API"}, "properties": {"description": "the API"}},
            {"location": {"type": "METHOD", "path": "/pets", "method": "GET"},
             "properties": {"summary": "list pets"}},
        ],
    },
}  # fmt: skip


def _by_type(apigw, api_id: str) -> dict[str, dict]:
    return {
        p["location"]["type"]: p
        for p in apigw.get_documentation_parts(restApiId=api_id, limit=500)["items"]
    }


def test_import_documentation_parts_merges_by_location(apigw):
    api_id = apigw.create_rest_api(name="docs")["id"]
    kept = _part(apigw, api_id, {"type": "MODEL", "name": "Pet"}, '{"m": 1}')
    api_part = _part(apigw, api_id, {"type": "API"}, '{"description": "old"}')
    answer = apigw.import_documentation_parts(
        restApiId=api_id, body=json.dumps(DOCUMENTED).encode()
    )
    assert len(answer["ids"]) == 2 and answer["ids"][0] == api_part["id"]
    assert answer.get("warnings", []) == []
    parts = _by_type(apigw, api_id)
    assert set(parts) == {"API", "MODEL", "METHOD"}
    assert json.loads(parts["API"]["properties"]) == {"description": "the API"}
    assert parts["MODEL"]["id"] == kept["id"]
    assert parts["METHOD"]["location"] == {"type": "METHOD", "path": "/pets", "method": "GET"}
    assert parts["METHOD"]["id"] == answer["ids"][1]


def test_import_documentation_parts_overwrites(apigw):
    api_id = apigw.create_rest_api(name="docs")["id"]
    _part(apigw, api_id, {"type": "MODEL", "name": "Pet"}, "{}")
    yaml_body = yaml.safe_dump(DOCUMENTED).encode()
    answer = apigw.import_documentation_parts(restApiId=api_id, mode="overwrite", body=yaml_body)
    parts = _by_type(apigw, api_id)
    assert set(parts) == {"API", "METHOD"}
    assert sorted(answer["ids"]) == sorted(p["id"] for p in parts.values())


def test_import_documentation_parts_refuses_bad_input_and_changes_nothing(apigw):
    api_id = apigw.create_rest_api(name="docs")["id"]
    before = _part(apigw, api_id, {"type": "API"}, '{"keep": true}')

    def refused(body: dict, **options) -> tuple[str, str]:
        with pytest.raises(ClientError) as excinfo:
            apigw.import_documentation_parts(
                restApiId=api_id, body=json.dumps(body).encode(), **options
            )
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        return _error(excinfo)

    extension = "x-amazon-apigateway-documentation"
    plain = {k: v for k, v in DOCUMENTED.items() if k != extension}
    code, message = refused(plain)
    assert code == "BadRequestException" and "no x-amazon-apigateway-documentation" in message
    bad_type = {**plain, extension: {"documentationParts": [
        {"location": {"type": "SPACESHIP"}, "properties": {}},
        {"location": {"type": "API"}, "properties": {"new": 1}},
    ]}}  # fmt: skip
    code, message = refused(bad_type)
    assert code == "BadRequestException" and "Invalid documentation location type" in message
    not_object = {**plain, extension: {"documentationParts": [
        {"location": {"type": "API"}, "properties": "text"},
    ]}}  # fmt: skip
    assert "must be an object" in refused(not_object)[1]
    twice = {**plain, extension: {"documentationParts": [
        {"location": {"type": "API"}, "properties": {"n": 1}},
        {"location": {"type": "API"}, "properties": {"n": 2}},
    ]}}  # fmt: skip
    code, message = refused(twice, failOnWarnings=True)
    assert message.startswith("Warnings found during import")
    with pytest.raises(ClientError) as excinfo:
        apigw.import_documentation_parts(
            restApiId=api_id, mode="replace", body=json.dumps(DOCUMENTED).encode()
        )
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400  # the enum
    got = apigw.get_documentation_parts(restApiId=api_id)["items"]
    assert [(p["id"], p["properties"]) for p in got] == [(before["id"], '{"keep": true}')]
    # without failOnWarnings the second part at a location wins, with a warning
    answer = apigw.import_documentation_parts(restApiId=api_id, body=json.dumps(twice).encode())
    assert answer["ids"] == [before["id"]] and len(answer["warnings"]) == 1
    got = apigw.get_documentation_part(restApiId=api_id, documentationPartId=before["id"])
    assert json.loads(got["properties"]) == {"n": 2}


def test_import_and_put_rest_api_read_the_documentation(apigw):
    made = apigw.import_rest_api(body=json.dumps(DOCUMENTED).encode())
    assert not any("documentation" in w for w in made.get("warnings", []))
    api_id = made["id"]
    assert set(_by_type(apigw, api_id)) == {"API", "METHOD"}
    apigw.create_documentation_version(restApiId=api_id, documentationVersion="1")
    extension = "x-amazon-apigateway-documentation"
    more = {**DOCUMENTED, extension: {"documentationParts": [
        {"location": {"type": "MODEL", "name": "Pet"}, "properties": {"m": 1}},
    ]}}  # fmt: skip
    apigw.put_rest_api(restApiId=api_id, mode="merge", body=json.dumps(more).encode())
    assert set(_by_type(apigw, api_id)) == {"API", "METHOD", "MODEL"}
    apigw.put_rest_api(restApiId=api_id, mode="overwrite", body=json.dumps(more).encode())
    assert set(_by_type(apigw, api_id)) == {"MODEL"}
    # the versions are snapshots: a PutRestApi keeps them
    versions = apigw.get_documentation_versions(restApiId=api_id)["items"]
    assert [v["version"] for v in versions] == ["1"]
    bad = {**DOCUMENTED, extension: {"documentationParts": [{"location": {"type": "NOPE"}}]}}
    with pytest.raises(ClientError) as excinfo:
        apigw.import_rest_api(body=json.dumps(bad).encode())
    assert _error(excinfo)[0] == "BadRequestException"


def test_export_carries_the_stage_s_documentation_version(apigw):
    api_id = _deployed(apigw)
    _part(apigw, api_id, {"type": "API"}, '{"description": "v1 text"}')

    def exported(extensions: str, kind: str = "oas30") -> dict:
        answer = apigw.get_export(
            restApiId=api_id, stageName="prod", exportType=kind,
            parameters={"extensions": extensions},
        )  # fmt: skip
        return json.loads(answer["body"].read())

    extension = "x-amazon-apigateway-documentation"
    assert extension not in exported("documentation")  # the stage publishes no version yet
    apigw.create_documentation_version(restApiId=api_id, documentationVersion="1", stageName="prod")
    _part(apigw, api_id, {"type": "RESOURCE", "path": "/"}, '{"d": "after v1"}')
    for kind in ("oas30", "swagger"):
        document = exported("documentation", kind)
        assert document[extension] == {
            "version": "1",
            "documentationParts": [
                {"location": {"type": "API"}, "properties": {"description": "v1 text"}}
            ],
        }
        assert "x-amazon-apigateway-integration" not in document["paths"]["/"]["get"]
    with_integrations = exported("apigateway")
    assert with_integrations[extension]["version"] == "1"
    assert "x-amazon-apigateway-integration" in with_integrations["paths"]["/"]["get"]
    assert extension not in exported("integrations")
    # the export imports back: its parts become the new API's
    copy = apigw.import_rest_api(body=json.dumps(with_integrations).encode())["id"]
    assert [json.loads(p["properties"]) for p in _by_type(apigw, copy).values()] == [
        {"description": "v1 text"}
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_versions_survive_a_restart(tmp_path, engine):
    with own_server(tmp_path / "data", engine, "apigw_docversions_durability") as lamina:
        apigw = client("apigateway", lamina.url)
        api_id = _deployed(apigw)
        _part(apigw, api_id, {"type": "API"}, '{"k": 1}')
        apigw.create_documentation_version(
            restApiId=api_id, documentationVersion="1.0", stageName="prod", description="kept"
        )
        lamina.stop(signal.SIGKILL)
        lamina.start()
        apigw = client("apigateway", lamina.url)
        got = apigw.get_documentation_version(restApiId=api_id, documentationVersion="1.0")
        assert got["description"] == "kept"
        assert apigw.get_stage(restApiId=api_id, stageName="prod")["documentationVersion"] == "1.0"
        document = json.loads(
            apigw.get_export(
                restApiId=api_id, stageName="prod", exportType="oas30",
                parameters={"extensions": "documentation"},
            )["body"].read()
        )  # fmt: skip
        parts = document["x-amazon-apigateway-documentation"]["documentationParts"]
        assert parts == [{"location": {"type": "API"}, "properties": {"k": 1}}]
