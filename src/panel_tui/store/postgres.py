"""PostgreSQL specifics: the URL, the driver, the store's own schema, busy and refusal codes.

A PostgreSQL store lives in its own schema (``panel_tui``) with its own
version table (``panel_tui_version``), so it never mixes with other tables in
the same database and never looks like someone else's ``alembic_version``.
Every connection sets ``search_path`` to that schema and a ``lock_timeout``,
so a writer behind another writer's lock waits a bounded time and is then
"busy", exactly as SQLite's busy timeout makes it.

Only ``panel-tui init`` creates or migrates the schema (under an advisory
lock, so simultaneous inits are safe); opening a database without the store,
or with an older schema, is refused with the command that fixes it.

psycopg (3) is the driver, installed by the ``postgres`` extra. Errors name
the store by its URL with the password hidden; passwords belong in
``PGPASSWORD`` or ``~/.pgpass``, never on a command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from panel_tui.rules.errors import StoreError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy import Connection, Table

SCHEMA = "panel_tui"
VERSION_TABLE = "panel_tui_version"
DRIVER_URL = "postgresql+psycopg"
#: How long a statement waits for a lock (another writer's) before it is "busy".
LOCK_TIMEOUT_MS = 10_000
#: Advisory lock keys: one for migrations (init), one for the chain head (every write).
MIGRATION_LOCK = 7412
CHAIN_LOCK = 7413
_SCHEMES = ("postgres", "postgresql", "postgresql+psycopg")
#: SQLSTATEs that mean "try again": lock not available, serialization failure, deadlock.
BUSY_STATES = frozenset({"55P03", "40001", "40P01"})


class MissingDriverError(StoreError):
    """psycopg is not installed: a one-line exit 2 naming the extra."""


def scheme_of(text: str) -> str | None:
    head, sep, _ = text.partition("://")
    return head.lower() if sep else None


def is_postgres(text: str) -> bool:
    scheme = scheme_of(text)
    return scheme is not None and (scheme in _SCHEMES or scheme.startswith("postgresql+"))


def normalise_url(text: str) -> str:
    """Any usual spelling (``postgres://``, ``postgresql://``, ``postgresql+psycopg://``)."""
    scheme, _, rest = text.partition("://")
    if scheme.lower() not in _SCHEMES:
        raise StoreError(
            f"{scheme}:// is not a PostgreSQL driver panel-tui uses; write postgresql://… "
            "(psycopg 3, the 'postgres' extra)"
        )
    return f"{DRIVER_URL}://{rest}"


def redacted(url: str) -> str:
    """The URL for people: the password, if any, as ***."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparseable URL: show only its scheme
        return f"{scheme_of(url) or 'a database'}://…"


def require_driver() -> None:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise MissingDriverError(
            "a PostgreSQL store needs the psycopg driver: install panel-tui with the 'postgres' "
            "extra (uv sync --extra postgres, or pip install 'panel-tui[postgres]')"
        ) from None


def connect_args() -> dict[str, Any]:
    return {
        "options": f"-c search_path={SCHEMA} -c lock_timeout={LOCK_TIMEOUT_MS}",
        "connect_timeout": 10,
        "application_name": "panel-tui",
    }


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a psycopg error (or of SQLAlchemy's wrapper of one)."""
    orig = getattr(exc, "orig", None) or exc
    state = getattr(orig, "sqlstate", None)
    return state if isinstance(state, str) else None


def is_busy(exc: BaseException) -> bool:
    """Worth retrying: a lock not granted in time, a serialization failure, a deadlock,
    or a connection lost (08xxx)."""
    state = sqlstate(exc)
    return state is not None and (state in BUSY_STATES or state.startswith("08"))


def first_line(exc: BaseException) -> str:
    """The driver's message, first line only (never the URL: psycopg does not print it)."""
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    return lines[0] if lines else type(orig).__name__


def cannot_open(url: str, exc: BaseException) -> StoreError:
    return StoreError(f"the store at {redacted(url)} cannot be opened: {first_line(exc)}")


# --- the store's schema -------------------------------------------------------------


def store_revision(connection: Connection) -> str | None:
    """The store's schema revision; None when this database holds no panel-tui store."""
    from sqlalchemy import text

    found = connection.execute(
        text("SELECT to_regclass(:t)"), {"t": f"{SCHEMA}.{VERSION_TABLE}"}
    ).scalar()
    if found is None:
        return None
    row = connection.execute(text(f"SELECT version_num FROM {SCHEMA}.{VERSION_TABLE}")).first()
    return row[0] if row else None


def move_sequences(connection: Connection, tables: Iterable[Table]) -> None:
    """Ids come from sequences here: start each after the ids written with explicit values
    (a copied store, a bulk demo), so the next row the Ledger adds gets a fresh one."""
    from sqlalchemy import text

    for table in tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        connection.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:t, 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)"
            ),
            {"t": table.name},
        )


def foreign_table(connection: Connection) -> str | None:
    """A table of someone else's in this database (outside the system schemas), if any."""
    from sqlalchemy import text

    row = connection.execute(
        text(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') "
            "ORDER BY 1 LIMIT 1"
        )
    ).first()
    return row[0] if row else None


def refuse_missing(url: str, connection: Connection) -> None:
    """No store in this database: say so as SQLite says "no store at …"."""
    shown = redacted(url)
    other = foreign_table(connection)
    if other is None:
        raise StoreError(
            f"no store at {shown} (the database is empty). Create one with "
            f"`panel-tui init --db {shown}`."
        )
    raise StoreError(
        f"{shown} is a PostgreSQL database but holds no panel-tui store (it has a table "
        f"'{other}'). It was not changed. `panel-tui init --db URL` creates the store there in "
        f"its own schema, {SCHEMA}."
    )


def refuse_older(url: str, revision: str, head: str) -> None:
    shown = redacted(url)
    raise StoreError(
        f"the store at {shown} has schema revision {revision}; this panel-tui needs {head}. "
        f"It was not changed. Its owner migrates it with `panel-tui init --db {shown}`."
    )


def prepare_migration(connection: Connection) -> None:
    """Inside init's transaction: one migrator at a time, then the schema exists."""
    from sqlalchemy import text

    connection.execute(text("SET LOCAL lock_timeout = 0"))  # a migration may take long
    connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
    connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))


# --- roles: the owner runs init; the app's role may not empty or unguard the chain ----------


def app_role_sql(role: str) -> list[str]:
    """What ``init --app-role ROLE`` grants: rows yes, the event table append-only, DDL no.

    The owner (the role that ran ``init``) keeps the schema, its tables and their
    triggers; the app's role is granted only what the ledger does, so it can
    neither TRUNCATE, UPDATE nor DELETE an event nor drop the guards.
    """
    quoted = quote_ident(role)
    return [
        f"GRANT USAGE ON SCHEMA {SCHEMA} TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {SCHEMA} TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {SCHEMA} TO {quoted}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {SCHEMA}.event FROM {quoted}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {SCHEMA}.{VERSION_TABLE} FROM {quoted}",
    ]


def quote_ident(name: str) -> str:
    if not name or len(name) > 63 or "\x00" in name:
        raise StoreError(f"'{name}' is not a PostgreSQL role name")
    return '"' + name.replace('"', '""') + '"'


def grant_app_role(connection: Connection, role: str) -> list[str]:
    from sqlalchemy import text

    exists = connection.execute(
        text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
    ).first()
    if exists is None:
        raise StoreError(
            f"there is no PostgreSQL role '{role}'. A database superuser creates it first: "
            f"CREATE ROLE {quote_ident(role)} LOGIN; (then its password by \\password, "
            "and it connects with PGPASSWORD or ~/.pgpass)"
        )
    statements = app_role_sql(role)
    for statement in statements:
        connection.execute(text(statement))
    return statements


def role_privileges(connection: Connection, role: str) -> dict[str, set[str]]:
    """What ``role`` may do to each of the store's tables (for doctor and tests)."""
    from sqlalchemy import text

    rows = connection.execute(
        text(
            "SELECT c.relname, p.priv FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "CROSS JOIN unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE']) AS p(priv) "
            "WHERE n.nspname = :s AND c.relkind = 'r' AND has_table_privilege(:r, c.oid, p.priv)"
        ),
        {"s": SCHEMA, "r": role},
    ).all()
    found: dict[str, set[str]] = {}
    for table, privilege in rows:
        found.setdefault(table, set()).add(privilege)
    return found


#: ``pg_trigger.tgenabled`` of a trigger that fires in an ordinary session: enabled
#: ('O') or always ('A'). 'D' is disabled, and 'R' (ENABLE REPLICA) fires only under
#: ``session_replication_role = replica``: as good as disabled for the app.
FIRING = ("O", "A")


def event_guards(connection: Connection) -> set[str]:
    """The append-only triggers present on the event table and firing."""
    from sqlalchemy import text

    rows = connection.execute(
        text(
            "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :s AND c.relname = 'event' AND NOT t.tgisinternal "
            f"AND t.tgenabled IN ({', '.join(repr(state) for state in FIRING)})"
        ),
        {"s": SCHEMA},
    ).all()
    return {row[0] for row in rows}


EVENT_GUARDS = frozenset({"event_no_update", "event_no_delete", "event_no_truncate"})

#: Migration 0012's trigger on ``event`` (live refresh) and the function it runs.
NOTIFY_TRIGGER = "event_notify"
NOTIFY_FUNCTION = "panel_tui_notify_event()"
#: The notify trigger's ``tgenabled`` (no row: it is missing); for doctor and the listener.
NOTIFY_STATE_SQL = (
    "SELECT t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    f"WHERE n.nspname = '{SCHEMA}' AND c.relname = 'event' AND t.tgname = '{NOTIFY_TRIGGER}'"
)
