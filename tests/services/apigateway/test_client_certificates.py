"""Client certificates of REST APIs through boto3: GenerateClientCertificate's self-signed
certificate (its private key never answered), Get/GetClientCertificates (paged),
UpdateClientCertificate, DeleteClientCertificate (refused while a stage uses it), tags by ARN
and a stage's /clientCertificateId."""

from __future__ import annotations

import datetime
import re
import time
from collections.abc import Iterator

import pytest
from botocore.exceptions import ClientError
from cryptography import x509

from tests.conftest import client, error_of
from tests.services.apigateway.conftest import add_method, root_of

NOT_FOUND = ("NotFoundException", 404, "Invalid Client Certificate identifier specified")
REGION = "us-east-1"


def _arn(certificate_id: str, region: str = REGION) -> str:
    return f"arn:aws:apigateway:{region}::/clientcertificates/{certificate_id}"


def _refused(call, **params) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as error:
        call(**params)
    return error_of(error)


@pytest.fixture
def bodies(apigw) -> Iterator[list[str]]:
    """The raw bodies of the client's answers (boto3 drops members the model lacks)."""
    seen: list[str] = []

    def keep(http_response, **_) -> None:
        seen.append(http_response.text)

    apigw.meta.events.register("after-call.apigateway", keep)
    yield seen
    apigw.meta.events.unregister("after-call.apigateway", keep)


def test_a_certificate_is_generated_read_listed_updated_and_deleted(apigw, bodies):
    before = time.time()
    made = apigw.generate_client_certificate(description="for the backend", tags={"team": "a"})
    assert re.fullmatch(r"[a-z0-9]{10}", made["clientCertificateId"])
    assert (made["description"], made["tags"]) == ("for the backend", {"team": "a"})
    created, expires = made["createdDate"].timestamp(), made["expirationDate"].timestamp()
    assert before - 2 <= created <= time.time() + 2
    assert abs((expires - created) - 365 * 86400) <= 2
    certificate = x509.load_pem_x509_certificate(made["pemEncodedCertificate"].encode())
    assert certificate.issuer == certificate.subject  # self-signed
    certificate.verify_directly_issued_by(certificate)
    assert abs(certificate.not_valid_after_utc.timestamp() - expires) <= 1
    assert certificate.not_valid_before_utc <= datetime.datetime.now(datetime.UTC)

    certificate_id = made["clientCertificateId"]
    got = apigw.get_client_certificate(clientCertificateId=certificate_id)
    assert {k: v for k, v in got.items() if k != "ResponseMetadata"} == {
        k: v for k, v in made.items() if k != "ResponseMetadata"
    }
    other = apigw.generate_client_certificate()
    assert "description" not in other and other["tags"] == {}
    assert other["clientCertificateId"] != certificate_id
    listed = apigw.get_client_certificates()["items"]
    assert [c["clientCertificateId"] for c in listed] == [
        certificate_id, other["clientCertificateId"],
    ]  # fmt: skip
    first = apigw.get_client_certificates(limit=1)
    assert [c["clientCertificateId"] for c in first["items"]] == [certificate_id]
    second = apigw.get_client_certificates(limit=1, position=first["position"])
    assert [c["clientCertificateId"] for c in second["items"]] == [other["clientCertificateId"]]
    assert "position" not in second

    updated = apigw.update_client_certificate(
        clientCertificateId=certificate_id,
        patchOperations=[{"op": "replace", "path": "/description", "value": "rotated"}],
    )
    assert updated["description"] == "rotated"
    assert updated["pemEncodedCertificate"] == made["pemEncodedCertificate"]
    assert apigw.get_client_certificate(clientCertificateId=certificate_id)["description"] == (
        "rotated"
    )
    cleared = apigw.update_client_certificate(
        clientCertificateId=certificate_id,
        patchOperations=[{"op": "remove", "path": "/description"}],
    )
    assert "description" not in cleared
    # the private key is kept, never answered
    assert bodies and not any("PRIVATE KEY" in body for body in bodies)

    apigw.delete_client_certificate(clientCertificateId=certificate_id)
    assert _refused(apigw.get_client_certificate, clientCertificateId=certificate_id) == NOT_FOUND
    assert [c["clientCertificateId"] for c in apigw.get_client_certificates()["items"]] == [
        other["clientCertificateId"]
    ]


def test_bad_requests_are_refused_and_change_nothing(apigw, endpoint):
    made = apigw.generate_client_certificate(description="kept")
    certificate_id = made["clientCertificateId"]
    for call, params in (
        (apigw.get_client_certificate, {}),
        (apigw.delete_client_certificate, {}),
        (apigw.update_client_certificate, {"patchOperations": []}),
    ):
        assert _refused(call, clientCertificateId="nosuchcert", **params) == NOT_FOUND
    code, status, message = _refused(
        apigw.update_client_certificate, clientCertificateId=certificate_id,
        patchOperations=[{"op": "replace", "path": "/pemEncodedCertificate", "value": "x"}],
    )  # fmt: skip
    assert (code, status) == ("BadRequestException", 400)
    assert "/pemEncodedCertificate" in message and "/description" in message
    code, status, message = _refused(
        apigw.update_client_certificate, clientCertificateId=certificate_id,
        patchOperations=[{"op": "move", "path": "/description", "value": "x"}],
    )  # fmt: skip
    assert (code, status) == ("BadRequestException", 400) and "patch operation" in message
    code, status, message = _refused(
        apigw.generate_client_certificate, tags={f"k{i}": "v" for i in range(51)}
    )
    assert (code, status) == ("BadRequestException", 400) and "Too many tags" in message
    code, status, _ = _refused(apigw.generate_client_certificate, tags={"aws:x": "v"})
    assert (code, status) == ("BadRequestException", 400)
    code, status, _ = _refused(apigw.get_client_certificates, limit=501)
    assert (code, status) == ("BadRequestException", 400)
    got = apigw.get_client_certificates()["items"]
    assert [(c["clientCertificateId"], c["description"]) for c in got] == [(certificate_id, "kept")]
    # another region's certificates are its own
    west = client("apigateway", endpoint, region="us-west-2")
    assert west.get_client_certificates()["items"] == []
    assert _refused(west.get_client_certificate, clientCertificateId=certificate_id) == NOT_FOUND


def test_certificates_are_tagged_by_arn(apigw):
    certificate_id = apigw.generate_client_certificate(tags={"a": "1"})["clientCertificateId"]
    arn = _arn(certificate_id)
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"a": "1"}
    apigw.tag_resource(resourceArn=arn, tags={"b": "2"})
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"a": "1", "b": "2"}
    apigw.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"b": "2"}
    assert apigw.get_client_certificate(clientCertificateId=certificate_id)["tags"] == {"b": "2"}
    assert _refused(apigw.get_tags, resourceArn=_arn("nosuchcert")) == NOT_FOUND
    code, status, _ = _refused(
        apigw.tag_resource, resourceArn=arn, tags={f"k{i}": "v" for i in range(50)}
    )
    assert (code, status) == ("BadRequestException", 400)
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"b": "2"}


def _mock_stage(apigw, name: str = "certs") -> str:
    api_id = apigw.create_rest_api(name=name)["id"]
    add_method(apigw, api_id, root_of(apigw, api_id))
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    return api_id


def _set(apigw, api_id: str, value: str | None, stage: str = "prod") -> dict:
    operation = {"op": "remove", "path": "/clientCertificateId"}
    if value is not None:
        operation = {"op": "replace", "path": "/clientCertificateId", "value": value}
    return apigw.update_stage(restApiId=api_id, stageName=stage, patchOperations=[operation])


def test_a_stage_names_a_certificate_that_cannot_go_while_it_does(apigw, endpoint):
    api_id = _mock_stage(apigw)
    certificate_id = apigw.generate_client_certificate()["clientCertificateId"]
    assert "clientCertificateId" not in apigw.get_stage(restApiId=api_id, stageName="prod")
    assert _set(apigw, api_id, certificate_id)["clientCertificateId"] == certificate_id
    assert apigw.get_stage(restApiId=api_id, stageName="prod")["clientCertificateId"] == (
        certificate_id
    )
    assert _refused(_set, apigw=apigw, api_id=api_id, value="nosuchcert") == NOT_FOUND
    # another region's certificate is not the stage's to name
    west = client("apigateway", endpoint, region="us-west-2")
    west_id = west.generate_client_certificate()["clientCertificateId"]
    assert _refused(_set, apigw=apigw, api_id=api_id, value=west_id) == NOT_FOUND
    assert apigw.get_stage(restApiId=api_id, stageName="prod")["clientCertificateId"] == (
        certificate_id
    )

    code, status, message = _refused(
        apigw.delete_client_certificate, clientCertificateId=certificate_id
    )
    assert (code, status) == ("ConflictException", 409)
    assert certificate_id in message and "prod" in message
    assert apigw.get_client_certificate(clientCertificateId=certificate_id)

    assert "clientCertificateId" not in _set(apigw, api_id, None)
    assert "clientCertificateId" not in apigw.get_stage(restApiId=api_id, stageName="prod")
    apigw.delete_client_certificate(clientCertificateId=certificate_id)
    assert _refused(apigw.get_client_certificate, clientCertificateId=certificate_id) == NOT_FOUND


def test_a_stage_s_api_deleted_frees_its_certificate(apigw):
    api_id = _mock_stage(apigw)
    certificate_id = apigw.generate_client_certificate()["clientCertificateId"]
    _set(apigw, api_id, certificate_id)
    apigw.delete_rest_api(restApiId=api_id)
    apigw.delete_client_certificate(clientCertificateId=certificate_id)
    assert _refused(apigw.get_client_certificate, clientCertificateId=certificate_id) == NOT_FOUND
