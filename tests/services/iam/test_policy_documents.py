"""Policy grammar as IAM checks it: MalformedPolicyDocument for what is not a policy, with
AWS's messages, through every operation that takes a document; and IAM's size limits."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from lamina.services.iam import policy_documents
from tests.conftest import error_of
from tests.services.iam.conftest import make_role

ALLOW = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}


def policy(*statements, version="2012-10-17"):
    document = {"Statement": list(statements)}
    if version:
        document["Version"] = version
    return json.dumps(document)


SYNTAX = "Syntax errors in policy."
NO_ACTIONS = "Policy statement must contain actions."
NO_VENDOR = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
EXTRA_KEY = json.dumps({"Version": "2012-10-17", "Statement": [ALLOW], "Extra": 1})
NO_PRINCIPAL = {"Effect": "Allow", "Action": "sts:AssumeRole"}

MALFORMED_IDENTITY = [
    ("not json at all", SYNTAX),
    ("[]", SYNTAX),
    (json.dumps({"Version": "2012-10-17"}), SYNTAX),
    (policy(ALLOW, version="2013-10-17"), SYNTAX),
    (EXTRA_KEY, SYNTAX),
    (policy({**ALLOW, "Effect": "Allows"}), SYNTAX),
    (policy({"Action": "s3:*", "Resource": "*"}), SYNTAX),
    (policy({**ALLOW, "NotAction": "s3:*"}), SYNTAX),
    (policy({**ALLOW, "Bogus": "x"}), SYNTAX),
    (policy("afd"), SYNTAX),
    (policy({"Effect": "Allow", "Resource": "*"}), NO_ACTIONS),
    (policy({"Effect": "Allow", "Action": [], "Resource": "*"}), NO_ACTIONS),
    (policy({"Effect": "Allow", "Action": "s3:*"}), "Policy statement must contain resources."),
    (policy({**ALLOW, "Action": "invalid"}), NO_VENDOR),
    (policy({**ALLOW, "Action": "a a:ListBucket"}), "Vendor a a is not valid"),
    (
        policy({**ALLOW, "Action": "s3:List:Bucket"}),
        "Actions/Condition can contain only one colon.",
    ),
    (
        policy({**ALLOW, "Resource": "invalid resource"}),
        'Resource invalid resource must be in ARN format or "*".',
    ),
    (
        policy({**ALLOW, "Resource": "arn:b:c:d:e:f"}),
        'Partition "b" is not valid for resource "arn:b:c:d:e:f".',
    ),
    (policy({**ALLOW, "Principal": "*"}), "Policy document should not specify a principal."),
    (
        policy({**ALLOW, "Sid": "a"}, {**ALLOW, "Sid": "a"}),
        "Statement IDs (SID) in a single policy must be unique.",
    ),
]


@pytest.mark.parametrize(("document", "message"), MALFORMED_IDENTITY)
def test_create_policy_refuses_malformed(iam, document, message):
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy(PolicyName="p", PolicyDocument=document)
    assert error_of(excinfo) == ("MalformedPolicyDocument", 400, message)


def test_managed_policies_must_be_version_2012(iam):
    for version in (None, "2008-10-17"):
        with pytest.raises(ClientError) as excinfo:
            iam.create_policy(PolicyName="p", PolicyDocument=policy(ALLOW, version=version))
        assert error_of(excinfo) == (
            "MalformedPolicyDocument",
            400,
            "Policy document must be version 2012-10-17 or greater.",
        )
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_inline_and_versions_are_checked_too(iam):
    make_role(iam, "r")
    bad = policy({"Effect": "Allow", "Resource": "*"})
    with pytest.raises(ClientError) as excinfo:
        iam.put_role_policy(RoleName="r", PolicyName="p", PolicyDocument=bad)
    assert error_of(excinfo)[:2] == ("MalformedPolicyDocument", 400)
    # inline policies may leave Version out, or say 2008-10-17
    iam.put_role_policy(RoleName="r", PolicyName="old", PolicyDocument=policy(ALLOW, version=None))
    iam.put_role_policy(
        RoleName="r", PolicyName="o8", PolicyDocument=policy(ALLOW, version="2008-10-17")
    )
    arn = iam.create_policy(PolicyName="p", PolicyDocument=policy(ALLOW))["Policy"]["Arn"]
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument="{")
    assert error_of(excinfo) == ("MalformedPolicyDocument", 400, "Syntax errors in policy.")
    assert len(iam.list_policy_versions(PolicyArn=arn)["Versions"]) == 1


def trust(statement=None, **changes):
    statement = statement or {
        "Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [{**statement, **changes}]})


MALFORMED_TRUST = [
    ("{not json", "This policy contains invalid Json"),
    (trust(Action="s3:GetObject"), "AssumeRole policy may only specify STS AssumeRole actions."),
    (trust(Resource="*"), "Has prohibited field Resource"),
    (trust(Effect="Maybe"), SYNTAX),
    (
        trust(Principal={"Service": "not a service"}),
        'Invalid principal in policy: "SERVICE":"not a service"',
    ),
    (
        trust(Principal={"AWS": "arn:aws:iam::12:root"}),
        'Invalid principal in policy: "AWS":"arn:aws:iam::12:root"',
    ),
    (trust(Principal={"Bogus": "x"}), 'Invalid principal in policy: "BOGUS":"x"'),
    (trust(NO_PRINCIPAL), "Missing required field Principal"),
    (trust({"Effect": "Allow", "Principal": "*"}), NO_ACTIONS),
]


@pytest.mark.parametrize(("document", "message"), MALFORMED_TRUST)
def test_trust_policy_refuses_malformed(iam, document, message):
    with pytest.raises(ClientError) as excinfo:
        iam.create_role(RoleName="r", AssumeRolePolicyDocument=document)
    assert error_of(excinfo) == ("MalformedPolicyDocument", 400, message)
    make_role(iam, "ok")
    with pytest.raises(ClientError) as excinfo:
        iam.update_assume_role_policy(RoleName="ok", PolicyDocument=document)
    assert error_of(excinfo) == ("MalformedPolicyDocument", 400, message)
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["ok"]


@pytest.mark.parametrize(
    "principal",
    [
        "*",
        {"AWS": "*"},
        {"AWS": "123456789012"},
        {"AWS": ["arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:role/x"]},
        {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]},
        {"Federated": "cognito-identity.amazonaws.com"},
        {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.example.com"},
    ],
)
def test_trust_policy_principals_that_parse(iam, principal):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust(Principal=principal))


def test_size_limits(iam):
    big_actions = [f"s3:Get{'x' * 40}{i}" for i in range(140)]  # ~6,900 chars
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy(PolicyName="p", PolicyDocument=policy({**ALLOW, "Action": big_actions}))
    assert error_of(excinfo) == ("LimitExceeded", 409, "Cannot exceed quota for PolicySize: 6144")
    # whitespace does not count
    spaced = json.dumps(json.loads(policy(ALLOW)), indent=4) + " " * 7000
    iam.create_policy(PolicyName="spaced", PolicyDocument=spaced)

    long_trust = trust(
        Principal={"AWS": [f"arn:aws:iam::1234567890{i:02d}:root" for i in range(80)]}
    )
    with pytest.raises(ClientError) as excinfo:
        iam.create_role(RoleName="r", AssumeRolePolicyDocument=long_trust)
    assert error_of(excinfo) == (
        "LimitExceeded",
        409,
        "Cannot exceed quota for ACLSizePerRole: 2048",
    )

    make_role(iam, "r")
    chunk = policy({**ALLOW, "Action": [f"s3:Get{'y' * 40}{i}" for i in range(95)]})  # ~4,900
    iam.put_role_policy(RoleName="r", PolicyName="one", PolicyDocument=chunk)
    iam.put_role_policy(RoleName="r", PolicyName="two", PolicyDocument=chunk)
    with pytest.raises(ClientError) as excinfo:
        iam.put_role_policy(RoleName="r", PolicyName="three", PolicyDocument=chunk)
    assert error_of(excinfo) == (
        "LimitExceeded",
        409,
        "Maximum policy size of 10240 bytes exceeded for role r",
    )
    assert iam.list_role_policies(RoleName="r")["PolicyNames"] == ["one", "two"]


def test_compact_size_counts_no_whitespace():
    assert policy_documents.compact_size('{ "a" :\n\t"b c" }') == 10
    assert policy_documents.encode('{"a": "b/c"}') == "%7B%22a%22%3A%20%22b%2Fc%22%7D"
