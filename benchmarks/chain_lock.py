"""Where a PostgreSQL write's time goes: waiting for the chain lock, holding it, and the
part of the hold that a lock taken later could not avoid (first event to commit).

``uv run python -m benchmarks.chain_lock URL [WRITES]``: URL is a superuser's URL of a
database holding a demo store (built as the benchmarks build it); each round copies it
(``CREATE DATABASE … TEMPLATE``), runs 1 and then 4 writer processes on the copy, each
``WRITES`` Ledger writes on disputes of its own, and drops it. ``Store.write`` is timed
from inside: the same transaction and the same advisory lock, with a clock read after
the lock is granted (benchmarks/RESULTS.md: "Writers and the one chain lock").
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager


def child(url, refs):
    from datetime import date, timedelta

    from sqlalchemy import text
    from sqlmodel import Session

    from panel_tui.store.db import Store
    from panel_tui.store.ledger import Ledger, base
    from panel_tui.store.postgres import CHAIN_LOCK

    marks = {}
    real_append = base.append_event

    def timed_append(*a, **k):
        marks.setdefault("append", time.perf_counter())
        return real_append(*a, **k)

    base.append_event = timed_append

    @contextmanager
    def write(self):
        marks.clear()
        marks["enter"] = time.perf_counter()
        with Session(self._writer, expire_on_commit=False) as session:
            with session.begin():
                session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK})
                marks["locked"] = time.perf_counter()
                yield session
            marks["done"] = time.perf_counter()

    Store.write = write
    store = Store.open(url)
    chair, sup = Ledger(store, "chair"), Ledger(store, "super")
    import psycopg

    with psycopg.connect(url.replace("+psycopg", ""), options="-c search_path=panel_tui") as c:
        stages = dict(
            c.execute(
                "SELECT ref, current_stage FROM dispute WHERE ref = ANY(%s)", (refs,)
            ).fetchall()
        )
    review = date.today() + timedelta(days=30)
    out = []
    for i, ref in enumerate(refs):
        if i == 1:
            print("ready", flush=True)
            sys.stdin.readline()
        t = time.perf_counter()
        if i % 2 == 0:
            (chair if stages[ref] == 2 else sup).record_decision(
                ref,
                "assigned",
                "Benchmark: CBH holds clinical responsibility under the agreement.",
                review,
                receiving_agency="CBH",
            )
        else:
            sup.escalate(
                ref,
                note="benchmark",
                breach_reason="benchmark: measured escalation",
                impact="benchmark: no change for the person",
            )
        total = time.perf_counter() - t
        if i:
            out.append(
                {
                    "total": total,
                    "wait": marks["locked"] - marks["enter"],
                    "held": marks["done"] - marks["locked"],
                    "tail": marks["done"] - marks["append"],
                }
            )
    store.close()
    print(json.dumps(out), flush=True)


def parent(template_url, writers, per):
    import psycopg

    admin = template_url.rsplit("/", 1)[0] + "/postgres"
    name = f"wtest_{writers}_{os.getpid()}"
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {name} TEMPLATE {template_url.rsplit('/', 1)[1]}")
    url = template_url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(url, options="-c search_path=panel_tui") as c:
        refs = [
            r
            for (r,) in c.execute(
                "SELECT ref FROM dispute WHERE status = 'open' AND current_stage <= 2 ORDER BY id"
            ).fetchall()
        ]
    procs = []
    for w in range(writers):
        mine = refs[w * (per + 1) : (w + 1) * (per + 1)]
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "benchmarks.chain_lock", "child", url, ",".join(mine)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        )
    for p in procs:
        assert p.stdout.readline().strip() == "ready"
    start = time.perf_counter()
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    rows = []
    for p in procs:
        out, _ = p.communicate()
        rows += json.loads(out.strip().splitlines()[-1])
    wall = time.perf_counter() - start
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    med = {k: round(statistics.median(r[k] for r in rows) * 1000, 1) for k in rows[0]}
    p95 = {
        k: round(sorted(r[k] for r in rows)[int(0.95 * (len(rows) - 1))] * 1000, 1) for k in rows[0]
    }
    print(
        f"{writers} writers x {per}: wall {wall:.2f} s, {len(rows) / wall:.1f} writes/s; "
        f"median ms {med}; p95 ms {p95}",
        flush=True,
    )


if __name__ == "__main__":
    if sys.argv[1] == "child":
        child(sys.argv[2], sys.argv[3].split(","))
    else:
        for n in (1, 4, 1, 4):
            parent(sys.argv[1], n, int(sys.argv[2]) if len(sys.argv) > 2 else 12)
        print("load average", os.getloadavg())
