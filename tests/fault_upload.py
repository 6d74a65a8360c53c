"""Upload a file through the app's service and kill -9 this process at one phase of the build.

    python tests/fault_upload.py PHASE INDEX_DIR UPLOADS_DIR FILE

PHASE is parse (while the upload is parsed), embed (while its nodes are embedded), write
(once the new index's nodes are on disk) or swap (right after the first rename that puts a
new index in place). Used by tests/test_index_safety.py; a kill, unlike an exception, runs
no clean-up, so what it leaves is what a power cut leaves.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import corpus
import index.store as store
from qa.service import EngineService, default_engine_factory


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def arm(phase: str, out: Path, target: Path) -> None:
    """Patch the point where `phase` runs so that reaching it kills the process."""
    if phase == "parse":
        load = corpus.load

        def parse(path, *a, **kw):
            if Path(path).name == target.name:
                die()
            return load(path, *a, **kw)
        corpus.load = parse
    elif phase == "embed":
        store._embed = lambda *a, **kw: die()  # type: ignore[assignment]
    elif phase == "write":
        write = store._write_nodes

        def written(*a, **kw):
            write(*a, **kw)
            die()
        store._write_nodes = written  # type: ignore[assignment]
    elif phase == "swap":
        replace = os.replace
        swapped = {out.resolve(), (out / "CURRENT").resolve()}

        def rename(src, dst, *a, **kw):
            replace(src, dst, *a, **kw)
            if {Path(src).resolve(), Path(dst).resolve()} & swapped:
                die()
        os.replace = rename  # type: ignore[assignment]
    else:
        raise SystemExit(f"unknown phase {phase!r}")


def main(phase: str, out: str, uploads: str, file: str) -> None:
    service = EngineService(default_engine_factory(out), data_dir=uploads)
    service.engine()
    arm(phase, Path(out), Path(file))
    service.add_upload(file, Path(file).name)
    raise SystemExit("the upload finished: the fault was never reached")


if __name__ == "__main__":
    main(*sys.argv[1:])
