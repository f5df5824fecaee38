"""``doctor`` on a PostgreSQL store: the server, the schema, the roles, the guards, the chain.

Read-only throughout (one REPEATABLE READ, read-only transaction): what an
administrator needs to know before trusting a shared PostgreSQL store. The
roles are judged as the README describes them: the role that ran ``init`` owns
the schema; every other role that may write the store must not be able to
UPDATE, DELETE or TRUNCATE an event; the event table's three triggers must be
there and enabled, and so must its notify trigger (migration 0012), without
which no running app hears another terminal's change.
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.exc import DatabaseError

from panel_tui.store import postgres
from panel_tui.store.maintenance import DoctorReport, chain_findings

#: The oldest server the store is tested on (README: Running a shared PostgreSQL store).
MIN_SERVER = 150000
CHANGES = ("UPDATE", "DELETE", "TRUNCATE")


def doctor_postgres(url: str) -> DoctorReport:
    """Check the PostgreSQL store at ``url`` without changing it."""
    from panel_tui.store.engine import make_engine, read_engine

    report = DoctorReport()
    engine = make_engine(url)
    try:
        with read_engine(engine).connect() as connection, connection.begin():
            _server(report, connection)
            report.add("store", postgres.redacted(url))
            revision = postgres.store_revision(connection)
            if revision is None:
                report.add("schema", "no store in this database", False, "create it with init")
                return report
            report.add_revision(revision, "its owner migrates it with `panel-tui init --db URL`")
            _roles(report, connection)
            _guards(report, connection)
            _notify(report, connection)
            chain_findings(report, connection)
    except DatabaseError as exc:
        raise postgres.cannot_open(url, exc) from None
    finally:
        engine.dispose()
    return report


def _server(report: DoctorReport, connection: Connection) -> None:
    number = int(connection.execute(text("SHOW server_version_num")).scalar_one())
    shown = connection.execute(text("SHOW server_version")).scalar_one()
    report.add(
        "PostgreSQL server",
        str(shown),
        number >= MIN_SERVER,
        "" if number >= MIN_SERVER else "panel-tui needs PostgreSQL 15 or newer",
    )


def _roles(report: DoctorReport, connection: Connection) -> None:
    owner = connection.execute(
        text("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = :s"),
        {"s": postgres.SCHEMA},
    ).scalar_one()
    me, superuser = connection.execute(
        text("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
    ).one()
    writers = _roles_that_may(connection, "INSERT")
    apps = sorted(r for r in writers if r != owner)
    report.add("roles", f"owner {owner}; app roles: {', '.join(apps) or 'none'}")
    changers = sorted(
        r for privilege in CHANGES for r in _roles_that_may(connection, privilege) if r != owner
    )
    report.add(
        "privileges",
        "no role but the owner may change or empty the events"
        if not changers
        else f"{', '.join(dict.fromkeys(changers))} may UPDATE, DELETE or TRUNCATE events",
        not changers,
        ""
        if not changers
        else "the owner runs `panel-tui init --app-role ROLE` for each, which revokes them",
    )
    everyday = not superuser and me != owner
    report.add(
        "connected as",
        f"{me}" + (" (a superuser)" if superuser else " (the owner)" if me == owner else ""),
        everyday,
        "" if everyday else "everyday use connects as an app role, which cannot unguard the chain",
        serious=False,
    )


def _roles_that_may(connection: Connection, privilege: str) -> set[str]:
    """Login roles other than superusers that hold ``privilege`` on the event table."""
    rows = connection.execute(
        text(
            "SELECT r.rolname FROM pg_roles r WHERE NOT r.rolsuper AND r.rolname !~ '^pg_' "
            "AND has_table_privilege(r.oid, :t, :p)"
        ),
        {"t": f"{postgres.SCHEMA}.event", "p": privilege},
    ).all()
    return {row[0] for row in rows}


def _guards(report: DoctorReport, connection: Connection) -> None:
    present = postgres.event_guards(connection)
    missing = sorted(postgres.EVENT_GUARDS - present)
    report.add(
        "guards",
        "UPDATE, DELETE and TRUNCATE on events refused by triggers"
        if not missing
        else f"missing or disabled: {', '.join(missing)}",
        not missing,
        ""
        if not missing
        else "someone with the owner's or a superuser's password disabled or dropped them: "
        "ALTER TABLE panel_tui.event ENABLE TRIGGER ALL (a dropped one: re-create it as "
        "migrations 0001 and 0007 do), then audit verify --expect-head a head you recorded",
    )


NOTIFY_TRIGGER, NOTIFY_FUNCTION = postgres.NOTIFY_TRIGGER, postgres.NOTIFY_FUNCTION


def _notify(report: DoctorReport, connection: Connection) -> None:
    """The live refresh's trigger: present and enabled, its function there.

    Without it every write still commits and verifies, but a running app's
    listener never hears of it (it polls only while its connection is lost), so
    other terminals' screens go stale without a word: named, with the fix.
    """
    state = connection.execute(text(postgres.NOTIFY_STATE_SQL)).scalar()
    function = connection.execute(
        text("SELECT to_regprocedure(:f)"), {"f": f"{postgres.SCHEMA}.{NOTIFY_FUNCTION}"}
    ).scalar()
    recreate = (
        "the owner re-creates it as migration 0012 does: "
        + (
            ""
            if function is not None
            else "CREATE FUNCTION panel_tui.panel_tui_notify_event() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('panel_tui_events', ''); "
            "RETURN NULL; END $$; "
        )
        + f"CREATE TRIGGER {NOTIFY_TRIGGER} AFTER INSERT ON panel_tui.event FOR EACH "
        "STATEMENT EXECUTE FUNCTION panel_tui.panel_tui_notify_event()"
    )
    stale = "running apps show another terminal's change only when they next read, not at once; "
    if state is None or function is None:
        missing = "trigger" if state is None else "its function"
        report.add(
            "live refresh",
            f"the notify {missing} on events is missing ({NOTIFY_TRIGGER})",
            False,
            stale + recreate,
        )
    elif state not in postgres.FIRING:
        report.add(
            "live refresh",
            f"the notify trigger on events is disabled ({NOTIFY_TRIGGER})",
            False,
            stale + f"the owner runs ALTER TABLE panel_tui.event ENABLE TRIGGER {NOTIFY_TRIGGER}",
        )
    else:
        report.add("live refresh", f"every committed event notifies listeners ({NOTIFY_TRIGGER})")
