"""AWS managed policies (arn:aws:iam::aws:policy/…), shipped as data: those Lambda, SAM and
CDK attach, and the common job-function ones. Each has its current default version's document
as AWS publishes it; older versions are not shipped."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lamina.services.iam.ids import POLICY

PREFIX = "arn:aws:iam::aws:policy"


@dataclass(frozen=True)
class AwsPolicy:
    name: str
    path: str
    arn: str
    policy_id: str
    default_version: str
    created_at: float
    updated_at: float
    document: str  # compact JSON


def _epoch(text: str) -> float:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _policy_id(arn: str) -> str:
    """A stable ANPA… id: AWS's real ids for these are not in the data, so one is derived."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    digest = hashlib.sha256(arn.encode()).digest()
    return POLICY + "".join(alphabet[b % 32] for b in digest[:17])


@cache
def policies() -> dict[str, AwsPolicy]:
    """Every shipped AWS managed policy, by ARN."""
    raw = json.loads((Path(__file__).parent / "aws_policies.json").read_text())
    found = {}
    for item in raw:
        arn = f"{PREFIX}{item['path']}{item['name']}"
        found[arn] = AwsPolicy(
            name=item["name"],
            path=item["path"],
            arn=arn,
            policy_id=_policy_id(arn),
            default_version=item["version"],
            created_at=_epoch(item["created"]),
            updated_at=_epoch(item["updated"]),
            document=json.dumps(item["document"], separators=(",", ":")),
        )
    return found


def get(arn: str) -> AwsPolicy | None:
    return policies().get(arn)


def is_aws(arn: str) -> bool:
    return arn.startswith(PREFIX + "/")
