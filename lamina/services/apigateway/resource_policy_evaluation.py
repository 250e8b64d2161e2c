"""A deployed REST API's resource policy on the data plane: its statements read once per
deployment (plane.py's Deployed keeps them; an API without a policy keeps None), evaluated for
execute-api:Invoke on the request's ARN (`arn:aws:execute-api:{region}:{account}:{api-id}/
{stage}/{METHOD}/{path}`), its Principal naming the caller: anonymous, unless the method is
AWS_IAM (the signer, by its ARNs and account). Combined with the method's authorization as
AWS's "How API Gateway resource policies affect authorization workflow" has it:

- authorization NONE: the policy must allow, an implicit or explicit deny refuses;
- a Lambda authorizer: an explicit Deny refuses before the authorizer is called; then Table A,
  the authorizer's policy in place of IAM's;
- AWS_IAM, a caller of the API's account: Table A (the caller's IAM policies or the resource
  policy must allow; a Deny in either refuses);
- AWS_IAM, another account's caller: Table B (both must allow).

Condition keys are the request's (aws:SourceIp, aws:UserAgent, aws:Referer, aws:CurrentTime,
…; a signer's aws:PrincipalAccount, aws:PrincipalArn, aws:username, …). No request reaches
Lamina through a VPC or a VPC endpoint, so aws:SourceVpc and aws:SourceVpce are never present:
StringEquals on them never matches and StringNotEquals always does (a policy letting in one
VPC endpoint only refuses every request, as AWS refuses a public one)."""

from __future__ import annotations

from lamina import iam_policy
from lamina.execute_api_invoke import ACTION, request_keys
from lamina.identity import Identity
from lamina.protocol.http import Headers
from lamina.services.apigateway import resource_policies

ANONYMOUS = iam_policy.Caller()  # matches Principal "*" and {"AWS": "*"} only


class ResourcePolicy:
    """An API's policy as a deployment snapshotted it, parsed once."""

    def __init__(self, stored: str) -> None:
        statements = resource_policies.document_of(stored).get("Statement")
        listed = statements if isinstance(statements, list) else [statements]
        self.statements = tuple(s for s in listed if isinstance(s, dict))

    def decide(self, caller: iam_policy.Caller, arn: str, context: dict[str, str]) -> bool | None:
        """True allowed, False explicitly denied, None neither (an implicit deny)."""
        return iam_policy.evaluate(self.statements, ACTION, arn, context, caller)


def parsed(stored: str | None) -> ResourcePolicy | None:
    return ResourcePolicy(stored) if stored else None


def caller_of(identity: Identity) -> iam_policy.Caller:
    """A signer as a Principal names it: its ARN, an assumed role's role ARN, its account."""
    arns = (identity.arn,) + ((identity.role_arn,) if identity.role_arn else ())
    return iam_policy.Caller(identity.account_id, arns)


def anonymous_keys(source_ip: str, headers: Headers) -> dict[str, str]:
    """The condition keys of an unsigned request, lowercased."""
    return request_keys(source_ip, headers.get("user-agent"), headers.get("referer"))


def outcome(own: bool | None, resource: bool | None, same_account: bool) -> bool | None:
    """AWS's policy evaluation outcome tables: `own` what the caller's IAM policies (or a
    Lambda authorizer's) say, `resource` the resource policy (None: silent, or no policy).
    Table A (the API's own account): either allowing suffices; Table B (another account):
    both must allow. An explicit deny in either wins (False)."""
    if own is False or resource is False:
        return False
    if same_account:
        return True if (own or resource) else None
    return True if (own and resource) else None
