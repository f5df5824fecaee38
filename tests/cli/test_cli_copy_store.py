"""copy-store: a whole store with its history, to a new store and back, checked.

Marked ``backend``: the copy goes to a new store on the run's backend (a SQLite
file by default; a PostgreSQL database in .ci/run's PostgreSQL run), then back to
a new SQLite file. Every table, the chain's head and every dispute as ``show``
and ``export`` print it must survive both copies.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import backends
import pytest
from backends import cli_env
from cli_helpers import Cli
from sqlalchemy import text

from panel_tui.alerts.run import pending
from panel_tui.store.db import Store
from panel_tui.store.ledger import Ledger
from panel_tui.store.ledger.agenda import PanelAgenda
from panel_tui.store.ledger.alerts import claim
from panel_tui.store.ledger.shift import mark_seen

pytestmark = pytest.mark.backend

AT = "2026-12-01T09:00"  # show's clocks as at one instant, whichever store prints them


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store (60 disputes), with a panel agenda, a seen mark, alerts claimed, a
    synchronisation and a consent scope: every table has rows."""
    home = tmp_path_factory.mktemp("copy-demo")
    cli = Cli(home / "demo.db", cli_env(home))
    cli.ok("demo", "--no-ui")
    store = Store.open(str(cli.db))
    try:
        now = datetime.now(UTC)
        with store.read() as session:
            head = session.execute(text("SELECT max(id) FROM event")).scalar_one()
            ref = session.execute(
                text("SELECT ref FROM dispute WHERE status = 'open' ORDER BY id LIMIT 1")
            ).scalar_one()
        PanelAgenda(store, "chair", clock=lambda: now).add((now + timedelta(days=7)).date(), ref)
        # The plan holder's period, a synchronisation and a consent scope (migration 0011).
        duty = Ledger(store, "duty", clock=lambda: now)
        duty.assign_plan_holder(ref, "duty", next_sync=now + timedelta(days=7))
        duty.record_sync(ref, "incident", "duty, MCO care manager", "safety plan refreshed")
        duty.record_consent(ref, ["MCO"], "care coordination", (now + timedelta(days=90)).date())
        mark_seen(store, "chair", head, now)
        alerts = pending(store, now, timedelta(days=3650))
        assert alerts, "the demo has clocks at warning or breach"
        claim(store, alerts[:3], "admin", now, "mail")
    finally:
        store.close()
    return cli.db


@pytest.fixture
def source(demo_store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "source.db"
    copy.write_bytes(demo_store.read_bytes())
    return copy


@pytest.fixture
def run(tmp_path: Path) -> Cli:
    """The command line, each command naming its own store(s)."""
    return Cli(tmp_path / "unused.db", cli_env(tmp_path))


def _copy(run: Cli, source: str, dest: str) -> str:
    return run.ok("copy-store", "--from", source, "--to", dest)


def _head(run: Cli, db: str) -> str:
    verified = json.loads(run.ok("--db", db, "audit", "verify", "--format", "json"))
    assert verified["ok"], verified
    return verified["head"]


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                # the live text index's own storage (its rows are in live_text itself)
                "AND name NOT IN (SELECT name FROM pragma_table_list WHERE type = 'shadow')"
            )
        ]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


def _export(run: Cli, db: str) -> dict[str, object]:
    exported = json.loads(run.ok("--db", db, "export"))
    exported.pop("exported_at")
    return exported


def _shown(run: Cli, db: str, refs: list[str]) -> list[str]:
    return [run.ok("--db", db, "show", ref, "--at", AT) for ref in refs]


def _one_of_each(exported: dict[str, object]) -> list[str]:
    """The first dispute of each status and the first holding each kind of record (cover,
    package, decision, acceptance, holder, synchronisation, consent...): everything ``show``
    prints, read back from each store. The export already compares every record of all
    60; ``show`` of all 60 on three stores took 50 s of the quick run."""
    disputes: list[dict[str, object]] = exported["disputes"]  # type: ignore[assignment]
    first: dict[str, str] = {}
    for d in disputes:
        held = [key for key, value in d.items() if isinstance(value, list | dict) and value]
        for kind in [f"status:{d['status']}", *held]:
            first.setdefault(kind, str(d["ref"]))
    return sorted(set(first.values()))


def test_a_store_copied_there_and_back_keeps_its_head_counts_and_every_record(
    run: Cli, source: Path, new_store_target: str, tmp_path: Path
) -> None:
    back = tmp_path / "back.db"
    out = _copy(run, str(source), new_store_target)
    _copy(run, new_store_target, str(back))

    head = _head(run, str(source))
    assert head in out  # the copy reports the head it checked
    assert _head(run, new_store_target) == head
    assert _head(run, str(back)) == head
    counts = _counts(source)
    assert all(counts.values()), counts  # every table has rows, so each one is tested
    assert _counts(back) == counts
    exported = _export(run, str(source))
    refs = [d["ref"] for d in exported["disputes"]]  # type: ignore[attr-defined]
    assert len(refs) == 60
    assert _export(run, new_store_target) == exported
    assert _export(run, str(back)) == exported
    sample = _one_of_each(exported)
    shown = _shown(run, str(source), sample)
    assert _shown(run, new_store_target, sample) == shown
    assert _shown(run, str(back), sample) == shown


def test_the_copy_takes_new_writes_after_the_copied_ids(
    run: Cli, source: Path, new_store_target: str
) -> None:
    """PostgreSQL's sequences start after the copied ids: the next write does not collide."""
    _copy(run, str(source), new_store_target)
    before = _head(run, new_store_target)
    run.ok("--db", new_store_target, "--as", "admin", "agencies", "add", "NEW", "Newcomers")
    after = _head(run, new_store_target)
    assert int(after.split(":")[0]) == int(before.split(":")[0]) + 1
    codes = [a["code"] for a in run.json("--db", new_store_target, "agencies", "list")]
    assert "NEW" in codes


def test_a_target_holding_a_store_is_refused_and_left_as_it_was(
    run: Cli, source: Path, new_store_target: str
) -> None:
    _copy(run, str(source), new_store_target)
    head = _head(run, new_store_target)
    again = run("copy-store", "--from", str(source), "--to", new_store_target)
    assert again.returncode == 2
    assert "already holds a store" in again.stderr and again.stderr.count("\n") == 1
    assert _head(run, new_store_target) == head
    # A copy onto its own source, too.
    onto_itself = run("copy-store", "--from", str(source), "--to", str(source))
    assert onto_itself.returncode == 2 and "already holds a store" in onto_itself.stderr


@pytest.mark.parametrize(
    "tamper",
    [
        # A record edited directly: the tables rebuilt from the events disagree.
        "UPDATE note SET text = 'rewritten later' WHERE id = (SELECT min(id) FROM note)",
        # An event edited with its guard dropped: the chain breaks there.
        "DROP TRIGGER event_no_update; UPDATE event SET actor = 'someone' WHERE id = 5",
    ],
    ids=["record", "event"],
)
def test_a_tampered_source_is_refused_before_anything_is_copied(
    run: Cli, source: Path, new_store_target: str, tamper: str
) -> None:
    conn = sqlite3.connect(source)
    conn.executescript(tamper)
    conn.close()
    result = run("copy-store", "--from", str(source), "--to", new_store_target)
    assert result.returncode == 1
    assert "the source does not verify, nothing was copied" in result.stderr
    assert "Traceback" not in result.stderr
    assert backends.tables_at(new_store_target) == []  # no file, no schema, nothing


@pytest.mark.parametrize(
    ("source_url", "dest_url", "says"),
    [
        ("nope://somewhere", "{new}", "nope:// is not a store panel-tui opens"),
        ("{source}", "mysql://u:secret@127.0.0.1/db", "mysql:// is not a store"),
        ("{source}", "postgresql://u:secret@host:notaport/db", "URL cannot be read"),
        ("postgres://u:secret@127.0.0.1:9/db", "{new}", "cannot be opened"),
        ("{missing}", "{new}", "no store at"),
    ],
    ids=["unknown-scheme", "mysql", "bad-port", "no-server", "missing-file"],
)
def test_a_bad_url_is_one_line_exit_2_and_nothing_is_made(
    run: Cli, source: Path, tmp_path: Path, source_url: str, dest_url: str, says: str
) -> None:
    new = tmp_path / "never.db"
    names = {"new": str(new), "source": str(source), "missing": str(tmp_path / "missing.db")}
    source_url, dest_url = source_url.format(**names), dest_url.format(**names)
    result = run("copy-store", "--from", source_url, "--to", dest_url)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and says in result.stderr, result.stderr
    assert "secret" not in result.stderr + result.stdout
    assert not new.exists()
