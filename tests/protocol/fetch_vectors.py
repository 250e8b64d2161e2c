"""Fetch botocore's protocol test vectors for the installed botocore, once, into the project's
ignored `.cache/`: `python -m tests.protocol.fetch_vectors` (the Makefile's install step runs it).

They ship in botocore's source distribution on PyPI (tests/unit/protocols/), not in its wheel.
Taking them from the installed version's own sdist keeps them matched to the models Lamina
parses with. Without the network this says so in one line and exits 0 (the vector tests then
skip with that reason), unless --require is given.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / ".cache" / "botocore-protocol-tests"
MEMBER = "tests/unit/protocols/"
COMPLETE = ".complete"  # written last: a folder without it is a fetch that did not finish


def botocore_version() -> str:
    return importlib.metadata.version("botocore")


def vectors_dir(version: str | None = None) -> Path:
    return CACHE / (version or botocore_version())


def fetched(version: str | None = None) -> bool:
    return (vectors_dir(version) / COMPLETE).is_file()


def fetch(version: str) -> Path:
    target = vectors_dir(version)
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--no-binary", ":all:", "--dest", scratch, f"botocore=={version}"],
            check=True, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        (sdist,) = Path(scratch).glob("botocore-*.tar.gz")
        partial = Path(scratch) / "vectors"
        with tarfile.open(sdist) as archive:
            for member in archive.getmembers():
                _, _, inner = member.name.partition("/")
                if member.isfile() and inner.startswith(MEMBER) and inner.endswith(".json"):
                    member.name = inner.removeprefix(MEMBER)
                    archive.extract(member, partial, filter="data")
        if not any(partial.glob("input/*.json")) or not any(partial.glob("output/*.json")):
            raise RuntimeError(f"botocore {version}'s sdist has no {MEMBER} vectors")
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(partial, target)
    (target / COMPLETE).write_text(f"botocore {version}\n")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--require", action="store_true", help="fail when they cannot be had")
    args = parser.parse_args(argv)
    version = botocore_version()
    if fetched(version):
        return 0
    try:
        path = fetch(version)
    except (OSError, RuntimeError, ValueError, subprocess.SubprocessError) as error:
        detail = getattr(error, "stderr", "") or str(error)
        last = detail.strip().splitlines()[-1] if detail.strip() else type(error).__name__
        print(f"protocol vectors for botocore {version} not fetched: {last}", file=sys.stderr)
        return 1 if args.require else 0
    print(f"protocol vectors for botocore {version} in {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
