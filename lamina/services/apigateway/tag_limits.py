"""The limits AWS puts on an API Gateway resource's tags, checked wherever tags are set."""

from __future__ import annotations

from lamina.services.apigateway.errors import bad_request

MAX_TAGS = 50
MAX_KEY = 128
MAX_VALUE = 256


def checked(tags: dict[str, str] | None) -> dict[str, str]:
    """A resource's tags as AWS limits them: 50, keys of up to 128 characters not starting with
    `aws:`, values of up to 256."""
    tags = dict(tags or {})
    if len(tags) > MAX_TAGS:
        raise bad_request(f"Too many tags: a resource can have at most {MAX_TAGS} tags")
    for key, value in tags.items():
        if not key or len(key) > MAX_KEY:
            raise bad_request(f"Invalid tag key '{key}': tag keys are 1 to {MAX_KEY} characters")
        if key.lower().startswith("aws:"):
            raise bad_request(f"Invalid tag key '{key}': the aws: prefix is reserved for AWS use")
        if len(value) > MAX_VALUE:
            raise bad_request(
                f"Invalid tag value for key '{key}': tag values are at most {MAX_VALUE} characters"
            )
    return tags
