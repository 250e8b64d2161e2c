"""Function code, unpacked once per zip (by digest) into a directory shown at /var/task."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
import zipfile
from pathlib import Path

from lamina.store.blobs import BlobStore


class CodeCache:
    """data_dir/code/<digest>/: one unpacked copy per distinct zip, shared read-only by every
    environment of every function with that code."""

    def __init__(self, root: Path, blobs: BlobStore) -> None:
        self.root = root
        self.blobs = blobs
        self._lock = threading.Lock()
        root.mkdir(parents=True, exist_ok=True)

    def unpacked(self, digest: str) -> Path:
        target = self.root / digest
        if target.is_dir():
            return target
        with self._lock:  # one unpacking per digest, even under concurrent cold starts
            if not target.is_dir():
                self._unpack(digest, target)
        return target

    def _unpack(self, digest: str, target: Path) -> None:
        scratch = Path(tempfile.mkdtemp(prefix=f".{digest[:12]}-", dir=self.root))
        try:
            with zipfile.ZipFile(self.blobs.path(digest)) as archive:
                for info in archive.infolist():
                    extracted = Path(archive.extract(info, scratch))
                    mode = (info.external_attr >> 16) & 0o777
                    if mode and not info.is_dir():
                        # Unix modes ride in the zip (a provided runtime's executable bootstrap).
                        extracted.chmod(mode | 0o444)
            scratch.chmod(0o755)
            scratch.rename(target)  # atomic: a directory appears whole or not at all
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise

    def link_into(self, digest: str, target: Path) -> None:
        """Fill an environment's own (empty) /var/task directory with this code: hard links,
        so it costs a few syscalls per file and no copying. A sandbox started before its
        function was known sees the files appear under its read-only bind."""
        link_tree(self.unpacked(digest), target)

    def wipe(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True, exist_ok=True)


def link_tree(source: Path, target: Path, replace: bool = False) -> None:
    """Hard-link every file below `source` into the same place below `target` (copied where
    links are not possible). With `replace`, what `target` holds already at a path gives way
    (a later layer's file over an earlier one's). Plain strings and scandir: this runs on a
    cold start, once per file."""
    pending = [(str(source), str(target))]
    while pending:
        folder, here = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                there = os.path.join(here, entry.name)
                if entry.is_dir(follow_symlinks=False):
                    if replace and _is_file(there):
                        os.unlink(there)
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(there)
                    pending.append((entry.path, there))
                    continue
                if replace and os.path.lexists(there):
                    if _is_file(there):
                        os.unlink(there)
                    else:
                        shutil.rmtree(there)
                try:
                    os.link(entry.path, there, follow_symlinks=False)
                except OSError:  # another filesystem, or links not allowed: copy instead
                    shutil.copy2(entry.path, there, follow_symlinks=False)


def _is_file(path: str) -> bool:
    return os.path.islink(path) or (os.path.exists(path) and not os.path.isdir(path))
