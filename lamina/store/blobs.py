"""Content-addressed blobs (function code, layers, later object data), keyed by hex SHA-256."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path


class BlobStore(ABC):
    """The seam for blob backends: files on local disk now, shared storage for a fleet later."""

    @abstractmethod
    def put(self, data: bytes) -> str:
        """Store `data` durably; return its hex SHA-256. Storing the same bytes twice is free."""

    @abstractmethod
    def get(self, digest: str) -> bytes: ...

    @abstractmethod
    def path(self, digest: str) -> Path:
        """Where the blob lies on disk (execution unpacks code from it)."""

    @abstractmethod
    def exists(self, digest: str) -> bool: ...

    @abstractmethod
    def wipe(self) -> None: ...


class FileBlobStore(BlobStore):
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, digest: str) -> Path:
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise KeyError(digest)
        return self.root / digest[:2] / digest

    def exists(self, digest: str) -> bool:
        try:
            return self.path(digest).is_file()
        except KeyError:
            return False

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.is_file():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        # Temp file, fsync, rename, fsync the directory: a crash leaves the old state or the
        # whole blob, never a torn one under the final name.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
        return digest

    def get(self, digest: str) -> bytes:
        try:
            return self.path(digest).read_bytes()
        except FileNotFoundError:
            raise KeyError(digest) from None

    def wipe(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True, exist_ok=True)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
