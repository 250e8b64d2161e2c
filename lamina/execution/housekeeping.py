"""Collecting the unpacked-code cache (data_dir/code) and the merged-layer cache (data_dir/opt):
an entry goes once nothing refers to it any more, neither a function version or layer version
in the store nor a live environment of this node.

The choice of what goes and the renames that take it out of use run on the event loop, with no
await between them, as every environment is created there: an environment created after the
choice unpacks its code afresh. The renamed trees are deleted afterwards, off the loop."""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

TRASH_PREFIX = ".swept-"


@dataclass
class References:
    """What the store refers to: code (function code and layer zips, unpacked in the code
    cache by digest) and ordered layer sets (merged in the layer cache)."""

    code: set[str] = field(default_factory=set)
    layer_sets: set[tuple[str, ...]] = field(default_factory=set)


def layer_set_key(digests: tuple[str, ...]) -> str:
    """The merged tree's directory name for an ordered set of layers."""
    return hashlib.sha256(",".join(digests).encode()).hexdigest()


def take_out(root: Path, keep: Iterable[str]) -> list[Path]:
    """Rename every entry of `root` not in `keep` out of the way (hidden names, such as an
    unpacking in progress, stay); what was renamed, to delete."""
    kept = set(keep)
    taken: list[Path] = []
    if not root.is_dir():
        return taken
    for entry in os.scandir(root):
        if entry.name.startswith(".") or entry.name in kept:
            continue
        trash = root / f"{TRASH_PREFIX}{uuid.uuid4().hex}"
        os.rename(entry.path, trash)  # atomic: a later lookup misses it and unpacks anew
        taken.append(trash)
    return taken


def leftovers(root: Path) -> list[Path]:
    """Trees a previous sweep renamed but did not delete (a crash in between)."""
    if not root.is_dir():
        return []
    return [Path(e.path) for e in os.scandir(root) if e.name.startswith(TRASH_PREFIX)]


def delete(paths: Iterable[Path]) -> None:
    for path in paths:
        # a tree unpacked read-only keeps its files' modes: make it removable first
        for folder, _dirs, _files in os.walk(path):
            os.chmod(folder, 0o755)
        shutil.rmtree(path, ignore_errors=True)
