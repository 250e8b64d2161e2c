"""A function's layers as its environments see them at /opt.

Each layer's zip is unpacked once per node (by digest, in the code cache, like function
code); each distinct, ordered set of layers is merged once into data_dir/opt/<key>/, a tree of
hard links in which a later layer's file replaces an earlier one's, as Lambda stacks layers.
An environment then gets that tree: a custom runtime's sandbox binds it read-only at /opt; a
stem cell, whose mounts were fixed before its function was known, has an empty /opt of its
own that is filled with hard links from the merged tree when it is assigned (as /var/task is).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path

from lamina.execution.code import CodeCache, link_tree
from lamina.execution.housekeeping import layer_set_key


class LayerSets:
    def __init__(self, root: Path, code: CodeCache) -> None:
        self.root = root
        self.code = code
        self._lock = threading.Lock()
        root.mkdir(parents=True, exist_ok=True)

    def merged(self, digests: tuple[str, ...]) -> Path:
        """data_dir/opt/<key>: the layers' files, later ones over earlier ones."""
        key = layer_set_key(digests)
        target = self.root / key
        if target.is_dir():
            return target
        with self._lock:  # one merge per set, even under concurrent cold starts
            if not target.is_dir():
                self._merge(digests, target)
        return target

    def _merge(self, digests: tuple[str, ...], target: Path) -> None:
        scratch = Path(tempfile.mkdtemp(prefix=f".{target.name[:12]}-", dir=self.root))
        try:
            for digest in digests:
                link_tree(self.code.unpacked(digest), scratch, replace=True)
            scratch.chmod(0o755)
            scratch.rename(target)  # atomic: a tree appears whole or not at all
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise

    def link_into(self, digests: tuple[str, ...], target: Path) -> None:
        """Fill an environment's own (empty) /opt with the merged layers."""
        if digests:
            link_tree(self.merged(digests), target)
