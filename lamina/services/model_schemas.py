"""API Gateway models' JSON schemas (draft 4), read and checked as both API Gateway services
check them, in AWS's words."""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft4Validator
from jsonschema.exceptions import SchemaError


class Invalid(ValueError):
    """The schema AWS would refuse; the message is AWS's."""


def parsed(text: str) -> dict[str, Any]:
    """A model's schema: a JSON object, a valid draft-4 schema; else Invalid."""
    try:
        schema = json.loads(text)
        if not isinstance(schema, dict):
            raise ValueError("a schema is a JSON object")
        Draft4Validator.check_schema(schema)
    except (ValueError, SchemaError) as error:
        detail = error.message if isinstance(error, SchemaError) else str(error)
        raise Invalid(
            f"Invalid model specified: Validation Result: warnings : [], errors : "
            f"[Invalid model schema specified. {detail}]"
        ) from None
    return schema
