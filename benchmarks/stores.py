"""Demo stores for the harness, built once per size and seed and cached under the cache dir.

A cached store is named by its size, its seed and a digest of the demo
builder and the migrations, so a changed builder or schema makes new stores
instead of reusing old ones.
Writes go to a fresh copy, never to the cached store.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import threading
import time
from pathlib import Path

from benchmarks.common import NOW, ROOT, SEED
from panel_tui.store.sqlite_driver import sqlite as sqlite3

STORE_SOURCE = ROOT / "src" / "panel_tui" / "store"


def _digest() -> str:
    """The demo builder's source (a module or a package), and the migrations it builds with."""
    digest = hashlib.sha256()
    sources = [STORE_SOURCE / "demo.py", *sorted((STORE_SOURCE / "demo").glob("*.py"))]
    sources += sorted((STORE_SOURCE / "migrations" / "versions").glob("*.py"))
    for source in sources:
        if source.exists():
            digest.update(source.name.encode() + source.read_bytes())
    return digest.hexdigest()[:8]


#: Stores built in this run: path → (wall seconds, CPU seconds of this process, the WAL's
#: largest size in bytes, sampled every half second). The runner reports them as figures.
BUILT: dict[Path, tuple[float, float, int]] = {}


def store_path(cache: Path, size: int, seed: int = SEED) -> Path:
    return cache / "stores" / f"demo-{size}-s{seed}-{_digest()}.db"


def ensure_store(cache: Path, size: int, seed: int = SEED, say=print) -> Path:  # noqa: ANN001
    """The cached store of ``size`` disputes, built now if it is not there yet."""
    path = store_path(cache, size, seed)
    if path.exists():
        return path
    from panel_tui.store.demo import build_demo

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    say(f"building a {size:,}-dispute store (seed {seed}); cached at {path}")
    started, cpu = time.perf_counter(), time.process_time()
    with _WalWatch(Path(f"{partial}-wal")) as wal:
        store = build_demo(str(partial), disputes=size, seed=seed, now=NOW)
        store.close()
    BUILT[path] = (time.perf_counter() - started, time.process_time() - cpu, wal.peak)
    for suffix in ("-wal", "-shm"):  # checkpointed and closed: nothing left in them
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    partial.rename(path)
    say(f"  built in {time.perf_counter() - started:.1f} s")
    return path


class _WalWatch:
    """The largest size a WAL file reaches while a build runs, from a sampling thread."""

    def __init__(self, wal: Path, every: float = 0.5) -> None:
        self.wal, self.every, self.peak = wal, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(self.every):
            with contextlib.suppress(FileNotFoundError):  # not made yet, or folded in
                self.peak = max(self.peak, self.wal.stat().st_size)

    def __enter__(self) -> _WalWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def work_copy(cache: Path, source: Path, tag: str) -> Path:
    """A throwaway copy of a store for a benchmark that writes; ``source`` is only read.

    The file is copied by the kernel (``shutil.copyfile``: sendfile, no pass through
    Python), 12.9 GB in 52-100 s at 1,000,000 disputes. SQLite's backup API copies the
    same pages through its pager instead, which only a source that may hold committed
    pages outside the file needs: a cached store is checkpointed when built, so its WAL
    is empty, and one that is not (``_has_wal``) is copied by the backup API, whose
    read-only snapshot includes the WAL's pages. Either way the copy is synced before it
    is returned: gigabytes of its dirty pages still being written back would compete
    for the disk with the first timed commits' fsyncs.
    """
    target = cache / "work" / f"{source.stem}-{tag}.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    discard(target)
    if _has_wal(source):
        _backup(source, target)
    else:
        shutil.copyfile(source, target)
    with target.open("rb+") as copied:
        os.fsync(copied.fileno())
    return target


def _has_wal(store: Path) -> bool:
    wal = Path(f"{store}-wal")
    return wal.exists() and wal.stat().st_size > 0


def _backup(source: Path, target: Path) -> None:
    """The store as its readers see it (the file and its WAL), written to ``target``."""
    reading = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    writing = sqlite3.connect(target)
    try:
        reading.backup(writing)
    finally:
        writing.close()
        reading.close()


def discard(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def write_targets(path: Path) -> list[str]:
    """Refs of open disputes below the final-authority stage: each can be decided or escalated."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT ref FROM dispute WHERE status = 'open' AND current_stage <= 2 ORDER BY id"
        ).fetchall()
    finally:
        conn.close()
    return [ref for (ref,) in rows]
