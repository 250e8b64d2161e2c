"""A deployment package: checked as Lambda checks it, then kept in the blob store."""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lamina.services.lambda_.errors import invalid_parameter, not_supported, request_too_large

ZIPPED_LIMIT = 50 * 1024 * 1024  # direct upload
UNZIPPED_LIMIT = 262_144_000
# What AWS names in its 413 for a direct upload: 50 MB of zip, base64'd, in JSON.
REQUEST_LIMIT = 70_167_211


@dataclass(frozen=True)
class CodePackage:
    data: bytes
    sha256: str  # base64, as Lambda reports CodeSha256

    @property
    def size(self) -> int:
        return len(self.data)


def read_code(code: dict[str, Any], operation: str) -> CodePackage:
    """The zip from a FunctionCode (CreateFunction) or UpdateFunctionCode request."""
    if code.get("ImageUri"):
        raise not_supported("container images (ImageUri); use a .zip deployment package")
    if code.get("S3Bucket") or code.get("S3Key"):
        # Lamina's S3 does not exist yet, so no bucket does: AWS's answer for a missing bucket.
        raise invalid_parameter(
            "Error occurred while GetObject. S3 Error Code: NoSuchBucket. "
            "S3 Error Message: The specified bucket does not exist"
        )
    data = code.get("ZipFile")
    if data is None:
        raise invalid_parameter("Please provide a source for function code.")
    if len(data) > ZIPPED_LIMIT:
        raise request_too_large(REQUEST_LIMIT, operation)
    check_zip(data)
    return CodePackage(data, base64.b64encode(hashlib.sha256(data).digest()).decode())


def check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise invalid_parameter(
            "Could not unzip uploaded file. Please check your file, then try to upload again."
        ) from None
    if unzipped > UNZIPPED_LIMIT:
        raise invalid_parameter(f"Unzipped size must be smaller than {UNZIPPED_LIMIT} bytes")


def unzipped_size(data: bytes | Path) -> int:
    """What a (checked) zip holds, unpacked: Lambda's measure for the 250 MB limit."""
    with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as archive:
        return sum(info.file_size for info in archive.infolist())
