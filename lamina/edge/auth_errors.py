"""The authentication errors, spelled as each protocol's services spell them (all 403).

Query services (STS, IAM, SNS…) and S3 answer XML codes (InvalidClientTokenId,
SignatureDoesNotMatch, ExpiredToken; S3: InvalidAccessKeyId, RequestTimeTooSkewed), the JSON
ones their `…Exception` forms (UnrecognizedClientException, InvalidSignatureException,
ExpiredTokenException). A clock skew past 15 minutes is "Signature expired: … (… - 15 min.)"
under the signature code, except on S3 which has its own code.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from lamina.protocol.errors import ServiceError

if TYPE_CHECKING:
    from lamina.services.registry import Service

SKEW_S = 15 * 60
INVALID_TOKEN = "The security token included in the request is invalid."
EXPIRED_TOKEN = "The security token included in the request is expired"
BAD_SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)


def _family(service: Service | None) -> str:
    protocol = service.model.metadata.get("protocol", "") if service else "json"
    if protocol == "rest-xml":
        return "s3"
    return "xml" if protocol in ("query", "ec2") else "json"


def _error(code: str, message: str) -> ServiceError:
    return ServiceError(code, message, 403)


def invalid_token(service: Service | None) -> ServiceError:
    family = _family(service)
    if family == "s3":
        return _error(
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.",
        )
    code = "InvalidClientTokenId" if family == "xml" else "UnrecognizedClientException"
    return _error(code, INVALID_TOKEN)


def expired_token(service: Service | None) -> ServiceError:
    family = _family(service)
    if family == "s3":
        return _error("ExpiredToken", "The provided token has expired.")
    return _error("ExpiredToken" if family == "xml" else "ExpiredTokenException", EXPIRED_TOKEN)


def bad_signature(service: Service | None) -> ServiceError:
    family = _family(service)
    if family == "s3":
        return _error(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
        )
    code = "SignatureDoesNotMatch" if family == "xml" else "InvalidSignatureException"
    return _error(code, BAD_SIGNATURE)


def _stamp(seconds: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(seconds))


def skewed(service: Service | None, signed_at: float, now: float) -> ServiceError:
    family = _family(service)
    if family == "s3":
        return _error(
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
        )
    if signed_at < now:
        message = (
            f"Signature expired: {_stamp(signed_at)} is now earlier than "
            f"{_stamp(now - SKEW_S)} ({_stamp(now)} - 15 min.)"
        )
    else:
        message = (
            f"Signature not yet current: {_stamp(signed_at)} is still later than "
            f"{_stamp(now + SKEW_S)} ({_stamp(now)} + 15 min.)"
        )
    code = "SignatureDoesNotMatch" if family == "xml" else "InvalidSignatureException"
    return _error(code, message)


def presign_expired(service: Service | None) -> ServiceError:
    if _family(service) == "s3":
        return _error("AccessDenied", "Request has expired")
    code = "SignatureDoesNotMatch" if _family(service) == "xml" else "InvalidSignatureException"
    return _error(code, "Signature expired: the presigned request is past its X-Amz-Expires.")


def missing_authentication(service: Service | None) -> ServiceError:
    family = _family(service)
    if family == "s3":
        return _error("AccessDenied", "Access Denied")
    if family == "xml":
        return _error("MissingAuthenticationToken", "Request is missing Authentication Token")
    return _error("MissingAuthenticationTokenException", "Missing Authentication Token")


def incomplete_signature(service: Service | None, message: str) -> ServiceError:
    family = _family(service)
    code = "IncompleteSignatureException" if family == "json" else "IncompleteSignature"
    if family == "s3":
        code = "AuthorizationHeaderMalformed"
    return ServiceError(code, message, 403 if family != "s3" else 400)


def streaming_refused(service: Service | None) -> ServiceError:
    return ServiceError(
        "NotImplemented",
        "Lamina does not verify aws-chunked streaming payloads (STREAMING-* "
        "X-Amz-Content-SHA256) yet; send the payload unchunked, or switch "
        "LAMINA_VERIFY_SIGNATURES off.",
        501,
        sender_fault=False,
    )
