"""A PostgreSQL store is opened like a SQLite one: URLs, init, refusals, passwords, the schema."""

from __future__ import annotations

import subprocess
import sys

import backends
from cli_helpers import Cli
from sqlalchemy.engine import make_url

from panel_tui.store.migrate import HEAD, REVISIONS


def _tables(database: str) -> list[tuple[str, str]]:
    with backends.admin_connection(database) as conn:
        return conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
        ).fetchall()


def _spelled(url: str, scheme: str) -> str:
    return scheme + "://" + url.split("://", 1)[1]


def test_every_usual_spelling_opens_the_same_store(pg_cli: Cli) -> None:
    url = str(pg_cli.db)
    pg_cli.ok("--db", _spelled(url, "postgres"), "init", "--kind", "test")
    for scheme in ("postgres", "postgresql", "postgresql+psycopg"):
        out = pg_cli("--db", _spelled(url, scheme), "agencies", "list", db=False)
        assert out.returncode == 0, out.stderr
    assert pg_cli("--db", _spelled(url, "postgresql+psycopg2"), "queue", db=False).returncode == 2


def test_init_makes_its_own_schema_and_version_table(pg_cli: Cli, pg_database: str) -> None:
    pg_cli.ok("init")
    tables = _tables(pg_database)
    assert {schema for schema, _ in tables} == {"panel_tui"}
    names = {name for _, name in tables}
    assert "panel_tui_version" in names and "alembic_version" not in names
    assert {"event", "dispute", "person"} <= names


def test_an_empty_database_is_refused_and_left_empty(pg_cli: Cli, pg_database: str) -> None:
    for command in (("queue",), ("agencies", "list"), ("audit", "verify")):
        result = pg_cli(*command)
        assert result.returncode == 2
        assert "no store at" in result.stderr and "panel-tui init" in result.stderr
        assert "Traceback" not in result.stderr
    assert _tables(pg_database) == []
    with backends.admin_connection(pg_database) as conn:
        schemas = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'panel_tui'").fetchall()
    assert schemas == []


def test_someone_elses_database_is_refused_untouched(pg_cli: Cli, pg_database: str) -> None:
    with backends.admin_connection(pg_database) as conn:
        conn.execute("CREATE TABLE invoices (id int)")
    result = pg_cli("queue")
    assert result.returncode == 2
    assert "holds no panel-tui store" in result.stderr and "public.invoices" in result.stderr
    assert _tables(pg_database) == [("public", "invoices")]
    # init puts the store beside them, in its own schema, touching nothing of theirs.
    pg_cli.ok("init")
    assert ("public", "invoices") in _tables(pg_database)
    assert all(s == "panel_tui" for s, n in _tables(pg_database) if n != "invoices")


def test_a_wrong_password_is_one_line_without_the_password(pg_cli: Cli) -> None:
    pg_cli.ok("init")
    secret = "s3cret-Not-This-One"
    wrong = make_url(str(pg_cli.db)).set(password=secret).render_as_string(hide_password=False)
    result = pg_cli("--db", wrong, "queue", db=False)
    assert result.returncode == 2
    assert "password authentication failed" in result.stderr
    assert secret not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


def test_simultaneous_inits_make_one_store(pg_cli: Cli) -> None:
    """Four processes at once: one creates it, the others find it made; none crashes."""
    command = [sys.executable, "-m", "panel_tui", "--db", str(pg_cli.db), "init"]
    procs = [
        subprocess.Popen(
            command, env=pg_cli.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    assert [code for code, _, _ in results] == [0, 0, 0, 0], results
    created = [out for _, out, _ in results if out.startswith("created")]
    assert len(created) == 1, results
    assert pg_cli.json("users", "list")  # one administrator, one store
    verified = pg_cli("audit", "verify")
    assert verified.returncode == 0 and "1 events verified" in verified.stdout


def test_a_store_at_an_older_revision_is_migrated_only_by_init(pg_cli: Cli, pg_database: str):
    pg_cli.ok("init")
    older = REVISIONS[-2]
    with backends.admin_connection(pg_database) as conn:
        # Undo what the newest migration did, so that init can do it again.
        if HEAD == "0007_pg_truncate_guard":
            conn.execute("DROP TRIGGER event_no_truncate ON panel_tui.event")
        if HEAD == "0010_event_action_index":
            conn.execute("DROP INDEX panel_tui.ix_event_action_at")
        if HEAD == "0009_queue_indexes":
            for name in ("opened_by", "plan_holder", "closed_order", "live_order"):
                conn.execute(f"DROP INDEX panel_tui.ix_dispute_{name}")
        if HEAD == "0013_live_order_filters":  # the live order index as 0009 made it
            conn.execute("DROP INDEX panel_tui.ix_dispute_live_order")
            conn.execute(
                "CREATE INDEX ix_dispute_live_order ON panel_tui.dispute "
                "((current_due_at IS NULL), current_due_at, id) "
                "WHERE status IN ('open', 'decided')"
            )
        if HEAD == "0012_pg_event_notify":
            conn.execute("DROP TRIGGER event_notify ON panel_tui.event")
            conn.execute("DROP FUNCTION panel_tui.panel_tui_notify_event()")
        if HEAD == "0011_plan_sync_consent":
            for table in ("casesync", "consentscope"):
                conn.execute(f"DROP TABLE panel_tui.{table}")
            conn.execute("ALTER TABLE panel_tui.stagerecord DROP COLUMN impact")
            conn.execute(
                "ALTER TABLE panel_tui.planholderassignment "
                "DROP COLUMN period_ends, DROP COLUMN next_sync_due"
            )
        conn.execute("UPDATE panel_tui.panel_tui_version SET version_num = %s", (older,))
    refused = pg_cli("queue")
    assert refused.returncode == 2 and "panel-tui init" in refused.stderr
    out = pg_cli.ok("init")
    assert "migrated" in out and older in out
    with backends.admin_connection(pg_database) as conn:
        (revision,) = conn.execute("SELECT version_num FROM panel_tui.panel_tui_version").fetchone()
    assert revision == HEAD
    assert pg_cli("queue").returncode == 0
