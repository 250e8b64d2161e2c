"""TagResource, UntagResource and GetTags on REST API resources through boto3: each taggable
kind, its own Get… showing the same tags, AWS's limits, and ARNs that name nothing."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of
from tests.services.apigateway.conftest import add_method, root_of

ARN = "arn:aws:apigateway:us-east-1::"


def test_each_taggable_kind_is_tagged_untagged_and_shown_by_its_get(apigw):
    api_id = apigw.create_rest_api(name="tagged", tags={"team": "a"})["id"]
    add_method(apigw, api_id, root_of(apigw, api_id))
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    key_id = apigw.create_api_key(name=f"k-{uuid.uuid4().hex[:6]}")["id"]
    plan_id = apigw.create_usage_plan(name="p")["id"]
    domain = f"tags-{uuid.uuid4().hex[:8]}.example.com"
    apigw.create_domain_name(domainName=domain, regionalCertificateArn="arn:aws:acm:x")

    arns = {
        "api": f"{ARN}/restapis/{api_id}",
        "stage": f"{ARN}/restapis/{api_id}/stages/prod",
        "key": f"{ARN}/apikeys/{key_id}",
        "plan": f"{ARN}/usageplans/{plan_id}",
        "domain": f"{ARN}/domainnames/{domain}",
    }
    for kind, arn in arns.items():
        apigw.tag_resource(resourceArn=arn, tags={"kind": kind, "gone": "soon"})
        apigw.untag_resource(resourceArn=arn, tagKeys=["gone"])

    assert apigw.get_tags(resourceArn=arns["api"])["tags"] == {"team": "a", "kind": "api"}
    # a stage's own tags only: what it inherits from its API is not GetTags' answer
    assert apigw.get_tags(resourceArn=arns["stage"])["tags"] == {"kind": "stage"}
    assert apigw.get_rest_api(restApiId=api_id)["tags"] == {"team": "a", "kind": "api"}
    assert apigw.get_stage(restApiId=api_id, stageName="prod")["tags"] == {"kind": "stage"}
    assert apigw.get_api_key(apiKey=key_id)["tags"] == {"kind": "key"}
    assert apigw.get_usage_plan(usagePlanId=plan_id)["tags"] == {"kind": "plan"}
    assert apigw.get_domain_name(domainName=domain)["tags"] == {"kind": "domain"}

    # a tag set again takes the new value; removing every tag leaves none shown
    apigw.tag_resource(resourceArn=arns["api"], tags={"team": "b"})
    assert apigw.get_tags(resourceArn=arns["api"])["tags"] == {"team": "b", "kind": "api"}
    apigw.untag_resource(resourceArn=arns["key"], tagKeys=["kind"])
    assert apigw.get_tags(resourceArn=arns["key"])["tags"] == {}
    assert "tags" not in apigw.get_api_key(apiKey=key_id)
    apigw.delete_domain_name(domainName=domain)


def test_tag_limits_and_arns_that_name_nothing(apigw):
    api_id = apigw.create_rest_api(name="limits")["id"]
    arn = f"{ARN}/restapis/{api_id}"

    def refused(call, **params) -> tuple[str, int, str]:
        with pytest.raises(ClientError) as error:
            call(**params)
        return error_of(error)

    too_many = {f"k{n}": "v" for n in range(51)}
    for tags, words in [
        (too_many, "at most 50 tags"),
        ({"aws:owner": "me"}, "aws: prefix is reserved"),
        ({"k" * 129: "v"}, "1 to 128 characters"),
        ({"k": "v" * 257}, "at most 256 characters"),
    ]:
        code, status, message = refused(apigw.tag_resource, resourceArn=arn, tags=tags)
        assert (code, status) == ("BadRequestException", 400) and words in message
    # fifty in all, counting those already there
    apigw.tag_resource(resourceArn=arn, tags={f"k{n}": "v" for n in range(49)})
    apigw.tag_resource(resourceArn=arn, tags={"k49": "v"})
    code, _, message = refused(apigw.tag_resource, resourceArn=arn, tags={"k50": "v"})
    assert code == "BadRequestException" and "at most 50" in message
    assert len(apigw.get_tags(resourceArn=arn)["tags"]) == 50
    # creating with tags over the limit makes nothing
    before = len(apigw.get_rest_apis(limit=500)["items"])
    code, _, _ = refused(apigw.create_rest_api, name="over", tags={"aws:x": "1"})
    assert code == "BadRequestException"
    assert len(apigw.get_rest_apis(limit=500)["items"]) == before

    for missing in [
        f"{ARN}/restapis/nosuchapi0",
        f"{ARN}/restapis/{api_id}/stages/nosuch",
        f"{ARN}/apikeys/nosuchkey0",
        f"{ARN}/usageplans/nosuch",
        f"{ARN}/domainnames/nosuch.example.com",
    ]:
        code, status, _ = refused(apigw.get_tags, resourceArn=missing)
        assert (code, status) == ("NotFoundException", 404), missing
    for wrong in [f"{ARN}/restapis/{api_id}/resources/abc", "arn:aws:lambda:us-east-1:1:x"]:
        code, status, message = refused(apigw.tag_resource, resourceArn=wrong, tags={"a": "b"})
        assert (code, status) == ("BadRequestException", 400) and "Invalid resource ARN" in message
