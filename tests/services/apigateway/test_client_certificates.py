"""Client certificates of REST APIs through boto3: GenerateClientCertificate's self-signed
certificate (its private key never answered), Get/GetClientCertificates (paged),
UpdateClientCertificate, DeleteClientCertificate (refused while a stage uses it), tags by ARN,
a stage's /clientCertificateId, the certificate presented by HTTP and HTTP_PROXY integrations
to an https:// endpoint that demands it (and TestInvokeMethod's), and its survival of a
restart."""

from __future__ import annotations

import datetime
import re
import signal
import time
from collections.abc import Iterator

import pytest
import requests
from botocore.exceptions import ClientError
from cryptography import x509

from tests.conftest import ENGINES, client, error_of, own_server
from tests.echo_backend import echo_backend
from tests.services.apigateway.conftest import add_method, root_of, stage_url

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


def _same(pem: str | None, other: str) -> bool:
    """Whether two PEM texts hold one certificate."""
    if pem is None:
        return False
    return x509.load_pem_x509_certificate(pem.encode()) == x509.load_pem_x509_certificate(
        other.encode()
    )


def _backend_api(apigw, tls_port: int, plain_port: int) -> tuple[str, dict[str, str]]:
    """An API with HTTP_PROXY (/proxy), HTTP (/mapped) to the https:// endpoint, and HTTP_PROXY
    to a plain http:// one (/plain), deployed to `prod`; the resources' ids."""
    api_id = apigw.create_rest_api(name="mtls")["id"]
    root = root_of(apigw, api_id)
    ids = {
        part: apigw.create_resource(restApiId=api_id, parentId=root, pathPart=part)["id"]
        for part in ("proxy", "mapped", "plain")
    }
    trusting = {"tlsConfig": {"insecureSkipVerification": True}}  # its certificate signs itself
    add_method(apigw, api_id, ids["proxy"], "GET", type="HTTP_PROXY",
               integrationHttpMethod="GET", uri=f"https://127.0.0.1:{tls_port}/p",
               **trusting)  # fmt: skip
    add_method(apigw, api_id, ids["mapped"], "GET", type="HTTP", integrationHttpMethod="GET",
               uri=f"https://127.0.0.1:{tls_port}/m", **trusting)  # fmt: skip
    where = {"restApiId": api_id, "resourceId": ids["mapped"], "httpMethod": "GET"}
    apigw.put_method_response(**where, statusCode="200")
    apigw.put_integration_response(**where, statusCode="200", selectionPattern="")
    add_method(apigw, api_id, ids["plain"], "GET", type="HTTP_PROXY",
               integrationHttpMethod="GET", uri=f"http://127.0.0.1:{plain_port}/q")  # fmt: skip
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    return api_id, ids


def test_integrations_present_the_stage_s_certificate(apigw, endpoint):
    made = apigw.generate_client_certificate(description="mtls")
    pem = made["pemEncodedCertificate"]
    decoy = apigw.generate_client_certificate()  # a certificate the endpoint does not trust
    with (
        echo_backend(200, "mtls", tls=True, client_ca=pem) as tls_port,
        echo_backend(200, "plain") as plain_port,
    ):
        api_id, ids = _backend_api(apigw, tls_port, plain_port)
        url = stage_url(endpoint, api_id, "prod")
        # without a certificate the endpoint refuses the handshake: the gateway's 500
        assert requests.get(f"{url}/proxy", timeout=30).status_code == 500
        assert requests.get(f"{url}/mapped", timeout=30).status_code == 500
        assert requests.get(f"{url}/plain", timeout=30).status_code == 200

        _set(apigw, api_id, made["clientCertificateId"])
        proxied = requests.get(f"{url}/proxy", timeout=30)
        assert (proxied.status_code, proxied.headers.get("X-Backend")) == (200, "mtls")
        assert proxied.json()["path"] == "/p" and _same(proxied.json()["clientCertificate"], pem)
        mapped = requests.get(f"{url}/mapped", timeout=30)
        assert mapped.status_code == 200, mapped.text
        assert mapped.json()["path"] == "/m" and _same(mapped.json()["clientCertificate"], pem)
        plain = requests.get(f"{url}/plain", timeout=30)  # http:// is untouched by it
        assert (plain.status_code, plain.json()["path"]) == (200, "/q")

        # TestInvokeMethod presents the certificate it is given, and none otherwise
        test = {"restApiId": api_id, "resourceId": ids["proxy"], "httpMethod": "GET"}
        assert apigw.test_invoke_method(**test)["status"] == 500
        tested = apigw.test_invoke_method(**test, clientCertificateId=made["clientCertificateId"])
        assert tested["status"] == 200 and '"clientCertificate"' in tested["body"]

        # another certificate than the one the endpoint trusts is refused too
        _set(apigw, api_id, decoy["clientCertificateId"])
        assert requests.get(f"{url}/proxy", timeout=30).status_code == 500
        _set(apigw, api_id, None)
        assert requests.get(f"{url}/proxy", timeout=30).status_code == 500


@pytest.mark.parametrize("engine", ENGINES)
def test_a_certificate_survives_a_restart(tmp_path, engine):
    with own_server(tmp_path / "data", engine, "apigw_client_certs") as lamina:
        apigw = client("apigateway", lamina.url)
        made = apigw.generate_client_certificate(description="durable", tags={"k": "v"})
        certificate_id = made["clientCertificateId"]
        pem = made["pemEncodedCertificate"]
        with echo_backend(200, "mtls", tls=True, client_ca=pem) as port:
            api_id = apigw.create_rest_api(name="durable")["id"]
            add_method(apigw, api_id, root_of(apigw, api_id), "GET", type="HTTP_PROXY",
                       integrationHttpMethod="GET", uri=f"https://127.0.0.1:{port}/",
                       tlsConfig={"insecureSkipVerification": True})  # fmt: skip
            apigw.create_deployment(restApiId=api_id, stageName="prod")
            _set(apigw, api_id, certificate_id)
            lamina.stop(signal.SIGKILL)
            lamina.start()
            apigw = client("apigateway", lamina.url)
            got = apigw.get_client_certificate(clientCertificateId=certificate_id)
            assert (got["description"], got["tags"], got["pemEncodedCertificate"]) == (
                "durable", {"k": "v"}, pem,
            )  # fmt: skip
            assert got["expirationDate"] == made["expirationDate"]
            assert apigw.get_stage(restApiId=api_id, stageName="prod")["clientCertificateId"] == (
                certificate_id
            )
            # the key came back with it: the endpoint still takes the handshake
            answer = requests.get(f"{stage_url(lamina.url, api_id, 'prod')}/", timeout=30)
            assert answer.status_code == 200, answer.text
            assert _same(answer.json()["clientCertificate"], pem)
        # written for ssl to read, where only the node's user may
        folder = tmp_path / "data" / "apigateway-client-certificates"
        written = list(folder.glob(f"{certificate_id}-*.pem"))
        assert len(written) == 1 and written[0].stat().st_mode & 0o777 == 0o600
        assert folder.stat().st_mode & 0o777 == 0o700
        apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
            {"op": "remove", "path": "/clientCertificateId"}])  # fmt: skip
        apigw.delete_client_certificate(clientCertificateId=certificate_id)
        assert list(folder.glob(f"{certificate_id}-*.pem")) == []  # its key goes with it
