"""The bulk path's batches of rows, made here or in worker processes.

``make_batch`` is pure: a job (its disputes' seed, first id and first ids per
table) gives the same rows in any process. Making them is most of a big
demo's work, the store's side (refs, the hash chain, the INSERTs) the rest and
sequential, so ``batches`` hands a big build's batches to worker processes
that make the next ones while this one chains and writes the last. This module
imports no SQLAlchemy (the context carries each table's columns), so a worker
starts in well under a second.
"""

from __future__ import annotations

import gc
import marshal
import os
import pickle
import random
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from subprocess import PIPE
from typing import IO, Any

from panel_tui.rules.enums import DisputeType
from panel_tui.rules.errors import StoreError
from panel_tui.store.demo.chain_text import prepare_events
from panel_tui.store.demo.plan import CLOCKS, Spec
from panel_tui.store.demo.planner import Planner
from panel_tui.store.demo.rows import BulkBatch, BulkContext, BulkJob, RowMaker

#: Jobs below which a build makes its batches itself (a worker's start, about a
#: second of imports, is worth it only for the many batches of a big build).
POOL_FROM_JOBS = 4


def make_batch(context: BulkContext, job: BulkJob) -> BulkBatch:
    """A job's rows, its events in time order and ready for the chain
    (``chain_text.prepare_events``). Pure: any process makes the same."""
    maker = RowMaker(context, job)
    planner = Planner(random.Random(job.seed), maker.policy, context.now)
    rng, now = planner.rng, planner.now
    types = [t.value for t in DisputeType]
    for age in job.ages:
        spec = Spec("closed" if rng.random() < 0.8 else "withdrawn", planner.stage())
        start = now - timedelta(days=age)
        risk = planner.risk()
        maker.add(planner.plan(spec, rng.choice(types), risk, start=start, rich=False, repeat=0.12))
    combos = [Spec("open", s, c) for s in range(4) for c in CLOCKS]
    combos.append(Spec("open", 4))
    for i in job.live:
        if i < len(combos):
            spec = combos[i]
        elif rng.random() < 0.2:
            spec = Spec("decided", planner.stage())
        else:
            stage = planner.stage()
            spec = Spec("open", stage, planner.clock(stage))
        end = now if spec.status == "open" else now - timedelta(hours=rng.uniform(1, 96))
        risk = planner.risk()
        maker.add(planner.plan(spec, rng.choice(types), risk, end=end, rich=False, repeat=0.12))
    batch = maker.batch()
    batch.events = list(prepare_events(batch.events))
    return batch


def default_workers() -> int:
    """One worker per core, at most 3 (none on one core).

    The process that chains and writes needs about half a worker's CPU (its SQLite
    thread included): with ``cores - 1`` workers on two cores, the one worker bounded
    the build and the other core was half idle. With a worker per core the three
    processes share both cores, and the build takes about its CPU time over two.
    """
    cores = os.cpu_count() or 1
    return 0 if cores < 2 else min(3, cores)


@contextmanager
def batches(
    context: BulkContext, jobs: Sequence[BulkJob], workers: int
) -> Iterator[Iterator[BulkBatch]]:
    """Each job's batch, in job order: made here, or ahead by ``workers`` processes.

    A worker is ``python -m`` this module, not a multiprocessing child: a spawned child
    would import the caller's main module again (a script without the ``__main__``
    guard would build a demo in it), a forked one would copy a process holding a writing
    connection and its inserter thread. Worker ``i`` makes jobs ``i``, ``i + workers``,
    …; each reads all its jobs first and then writes one batch after another,
    so it is a batch or so ahead of this process, held back by its pipe.
    """
    workers = min(workers, len(jobs))
    if workers < 1 or len(jobs) < POOL_FROM_JOBS:
        yield (make_batch(context, job) for job in jobs)
        return
    with ExitStack() as stack:
        errors = [stack.enter_context(tempfile.TemporaryFile()) for _ in range(workers)]
        started = []
        for i, stderr in enumerate(errors):
            worker = stack.enter_context(_started(stderr))
            started.append(worker)
            assert worker.stdin is not None
            pickle.dump((context, list(jobs[i::workers])), worker.stdin, pickle.HIGHEST_PROTOCOL)
            worker.stdin.close()
        yield _in_turn(started, len(jobs), errors)
        for worker, stderr in zip(started, errors, strict=True):
            if worker.wait() != 0:
                raise _failed(stderr)


@contextmanager
def _started(errors: IO[bytes]) -> Iterator[subprocess.Popen[bytes]]:
    """A worker process, killed on the way out if it has not finished."""
    command = [sys.executable, "-m", __name__]
    worker = subprocess.Popen(command, stdin=PIPE, stdout=PIPE, stderr=errors)
    try:
        yield worker
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait()
        if worker.stdout is not None:
            worker.stdout.close()


def _in_turn(
    workers: Sequence[subprocess.Popen[bytes]], count: int, errors: Sequence[IO[bytes]]
) -> Iterator[BulkBatch]:
    """The ``count`` batches in job order: the workers' outputs taken in turn."""
    for n in range(count):
        worker = workers[n % len(workers)]
        assert worker.stdout is not None
        try:
            batch = _read_batch(worker.stdout)
        except (EOFError, ValueError):
            worker.wait()
            raise _failed(errors[n % len(workers)]) from None
        yield batch


#: Rows or events per marshalled part of a batch (a few MB). One part of a whole batch
#: (78 MB at 5,000 disputes) was a fresh mapping each time, its pages faulted in on both
#: sides: 0.7 s more system CPU in 100,000 disputes than pickle's streaming.
_PART = 1000
#: Each part's length before it on the pipe (``marshal`` reads from bytes, not a stream).
_LENGTH = 8


def _write_batch(out: IO[bytes], batch: BulkBatch) -> None:
    """A batch to the pipe, by ``marshal`` in parts: its rows and events are lists of
    tuples of str, int and None, which marshal writes and reads in 0.65 of pickle's time
    (19 → 12 µs a dispute to read, 28 → 19 to write, at 5,000 a batch)."""
    parts: list[Any] = [(batch.first_dispute, batch.years, len(batch.rows))]
    for name, rows in [*batch.rows.items(), ("", batch.events)]:
        pieces = max(1, -(-len(rows) // _PART))
        parts.append((name, pieces))
        parts += (rows[i : i + _PART] for i in range(0, len(rows), _PART))
        if not rows:
            parts.append(rows)
    for part in parts:
        data = marshal.dumps(part)
        out.write(len(data).to_bytes(_LENGTH, "little"))
        out.write(data)


def _read_part(stream: IO[bytes]) -> Any:
    head = stream.read(_LENGTH)
    if len(head) < _LENGTH:
        raise EOFError
    size = int.from_bytes(head, "little")
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return marshal.loads(data)


def _read_batch(stream: IO[bytes]) -> BulkBatch:
    """A batch ``_write_batch`` wrote (EOFError if the worker ended before it)."""
    first_dispute, years, tables = _read_part(stream)
    rows: dict[str, list[tuple[Any, ...]]] = {}
    events: list[tuple[Any, ...]] = []
    for _ in range(tables + 1):
        name, pieces = _read_part(stream)
        whole = rows.setdefault(name, []) if name else events
        for _ in range(pieces):
            whole += _read_part(stream)
    return BulkBatch(rows, events, years, first_dispute)


def _failed(errors: IO[bytes]) -> StoreError:
    """A worker's failure in one line: the last line it wrote to stderr."""
    errors.seek(0)
    lines = errors.read().decode("utf-8", "replace").strip().splitlines()
    return StoreError(f"a bulk demo worker failed: {lines[-1] if lines else 'no message'}")


def _serve() -> None:
    """A worker: (context, jobs) from stdin, pickled, then each job's batch to stdout
    (``_write_batch``)."""
    # A batch's ~400,000 dicts and tuples hold no cycle: the collector's passes over
    # them would be a third of the worker's time (as in ``bulk.run_bulk``).
    gc.disable()
    context, jobs = pickle.load(sys.stdin.buffer)
    out = sys.stdout.buffer
    for job in jobs:
        _write_batch(out, make_batch(context, job))
        out.flush()


if __name__ == "__main__":
    _serve()
