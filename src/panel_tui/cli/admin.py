"""Commands that set a store up: init, users, agencies, policy, audit, demo."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from panel_tui.cli.common import acting, open_store, read_input
from panel_tui.cli.output import emit_csv, emit_json, emit_table, error, say
from panel_tui.rules.errors import InvalidInputError, StoreError
from panel_tui.service import refuse_path

if TYPE_CHECKING:  # the ORM loads only when a command needs it
    from panel_tui.store.db import Store
    from panel_tui.store.sharing import Ownership


def cmd_init(args: argparse.Namespace) -> int:
    from panel_tui.service import service_context
    from panel_tui.store.identity import os_display_name, os_login
    from panel_tui.store.ledger.admin import init_store

    if service_context() is not None:
        raise InvalidInputError(
            "init is refused through the service account: an administrator runs it as root",
            field="init",
        )
    policy_text = read_input(args.policy, "--policy", stdin=False) if args.policy else None
    admin = args.admin or os_login()
    name = args.name or (os_display_name() if admin == os_login() else admin)
    shared = _shared_setup(args)
    if _postgres_target(args):
        return _init_postgres(args, admin, name, policy_text)
    if args.app_role:
        raise InvalidInputError("an app role is for a PostgreSQL store", field="--app-role")
    if shared is None:
        store = init_store(args.db, admin, name, kind=args.kind, policy_text=policy_text)
        say(f"created {store.label}; {admin} is its administrator")
        return 0
    from panel_tui.store import sharing

    path, owner = shared
    sharing.prepare_directory(path, owner)
    sharing.create_empty_store(path, owner)
    try:
        store = init_store(str(path), admin, name, kind=args.kind, policy_text=policy_text)
        store.close()
    except BaseException:
        if path.stat().st_size == 0:
            path.unlink()  # nothing was recorded: leave no half-made store behind
        raise
    sharing.settle_files(path, owner)
    say(f"created {path} ({sharing.mode_name(owner.mode)}); {admin} is its administrator")
    _site_setup(args, path, owner)
    return 0


def _postgres_target(args: argparse.Namespace) -> bool:
    from panel_tui.store import postgres
    from panel_tui.store.files import chosen_target

    return postgres.is_postgres(chosen_target(args.db))


def _init_postgres(args: argparse.Namespace, admin: str, name: str, policy_text: str | None) -> int:
    """Create (or, re-run by its owner, migrate) a PostgreSQL store; grant the app's role."""
    from panel_tui.store import postgres
    from panel_tui.store.ledger.admin import init_store

    if args.group or args.service_account:
        raise InvalidInputError(
            "a shared store is a SQLite file; a PostgreSQL store is shared by its roles "
            "(README: Running a shared PostgreSQL store)",
            field="--group" if args.group else "--service-account",
        )
    store = init_store(
        args.db, admin, name, kind=args.kind, policy_text=policy_text, existing_ok=True
    )
    try:
        if store.migrated_from:
            say(f"migrated {store.label} from {store.migrated_from} to its current schema")
        if not store.initialised_before:
            say(f"created {store.label} in schema {postgres.SCHEMA}; {admin} is its administrator")
        elif not (store.migrated_from or args.app_role):
            say(f"{store.label} is already initialised and up to date; nothing was changed")
        if args.app_role:
            with store.engine.begin() as connection:
                for statement in postgres.grant_app_role(connection, args.app_role):
                    say(statement)
    finally:
        store.close()
    return 0


def _shared_setup(args: argparse.Namespace) -> tuple[Path, Ownership] | None:
    """The store's path and its owners, for ``--group`` or ``--service-account``."""
    if not (args.group or args.service_account):
        if args.install or args.command:
            raise InvalidInputError(
                "needs --group or --service-account",
                field="--install" if args.install else "--command",
            )
        return None
    from panel_tui.store import sharing
    from panel_tui.store.files import local_file

    path = local_file(args.db)
    if path is None:
        raise InvalidInputError("a shared store is a SQLite file: give a path", field="--db")
    if args.group:
        return path, sharing.group_ownership(args.group)
    return path, sharing.service_ownership(args.service_account)


def _site_setup(args: argparse.Namespace, path: Path, owner: Ownership) -> None:
    """Print (or with --install, write) the site config and, in service mode, the sudoers rule."""
    from panel_tui.site import SiteConfig, default_site_config_file, render_site_config
    from panel_tui.store import sharing

    site_file = default_site_config_file()
    command = sharing.command_path(args.command) if args.service_account else None
    site = SiteConfig(
        source=site_file,
        store=path,
        mode=owner.mode,
        group=args.group,
        account=args.service_account,
        command=str(command) if command else None,
    )
    site_text = render_site_config(site)
    rule = sharing.sudoers_rule(args.service_account, command) if command else None
    if args.install:
        site_file.parent.mkdir(parents=True, exist_ok=True)
        site_file.write_text(site_text, encoding="utf-8")
        site_file.chmod(0o644)
        say(f"wrote {site_file}: every user's panel-tui now finds this store")
        if rule:
            sharing.install_sudoers(rule)
            say(f"wrote {sharing.SUDOERS_FILE} (checked with visudo -cf)")
        return
    say(f"\nSo that every user finds this store, write {site_file}:\n\n{site_text}")
    if rule:
        say(
            f"So that users reach it through {args.service_account}, write "
            f"{sharing.SUDOERS_FILE} (mode 0440; check it with visudo -cf):\n\n{rule}"
        )
    say("Or run init again with --install to write them.")


def cmd_users_add(args: argparse.Namespace) -> int:
    from panel_tui.store.ledger.admin import Admin

    store = open_store(args)
    roles = [r for part in args.roles for r in part.split(",")]
    Admin(store, acting(store, args)).add_person(
        args.login, args.name or args.login, roles, args.agency
    )
    say(f"added {args.login} ({', '.join(roles)})")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    from panel_tui.store.read.orm_queries import people

    rows = people(open_store(args))
    if args.format == "json":
        emit_json(
            [
                {
                    "login": p.login,
                    "name": p.display_name,
                    "agency": p.agency,
                    "roles": list(p.roles),
                    "active": p.active,
                }
                for p in rows
            ]
        )
    elif args.format == "csv":
        emit_csv(
            ("login", "name", "agency", "roles", "active"),
            ((p.login, p.display_name, p.agency, " ".join(p.roles), p.active) for p in rows),
        )
    else:
        emit_table(
            "People",
            ("Login", "Name", "Agency", "Roles"),
            ((p.login, p.display_name, p.agency or "—", ", ".join(p.roles)) for p in rows),
        )
    return 0


def _roles_arg(values: list[str] | None) -> list[str] | None:
    return None if values is None else [r for part in values for r in part.split(",")]


def cmd_users_set(args: argparse.Namespace) -> int:
    from panel_tui.store.ledger.admin import Admin

    store = open_store(args)
    Admin(store, acting(store, args)).set_person(
        args.login, roles=_roles_arg(args.roles), agency=args.agency, display_name=args.name
    )
    say(f"changed {args.login}")
    return 0


def cmd_users_deactivate(args: argparse.Namespace) -> int:
    from panel_tui.store.ledger.admin import Admin

    store = open_store(args)
    Admin(store, acting(store, args)).deactivate(args.login, args.reason)
    say(f"deactivated {args.login}: refused from their next action on")
    return 0


def cmd_users_reactivate(args: argparse.Namespace) -> int:
    from panel_tui.store.ledger.admin import Admin

    store = open_store(args)
    Admin(store, acting(store, args)).reactivate(args.login)
    say(f"reactivated {args.login}")
    return 0


def cmd_users_show(args: argparse.Namespace) -> int:
    from panel_tui.cli.output import local
    from panel_tui.store.read.orm_queries import person, person_history

    store = open_store(args)
    found = person(store, args.login)
    if found is None:
        raise InvalidInputError(f"no user {args.login}", field="LOGIN")
    history = person_history(store, found.login)
    if args.format == "json":
        emit_json(
            {
                "login": found.login,
                "name": found.display_name,
                "agency": found.agency,
                "roles": list(found.roles),
                "active": found.active,
                "history": history,
            }
        )
        return 0
    emit_table(
        f"{found.login}: {found.display_name}",
        ("Roles", "Agency", "Active"),
        [(", ".join(found.roles), found.agency or "—", "yes" if found.active else "NO")],
    )
    emit_table(
        "History",
        ("#", "When", "Who", "What", "Change"),
        (
            (
                e["id"],
                local(e["at"]),
                f"{e['actor']} (by {e['real_actor']})" if e["real_actor"] else e["actor"],
                e["action"],
                ", ".join(
                    f"{k}: {e['before'].get(k)} → {v}" if k in e["before"] else f"{k}: {v}"
                    for k, v in e["after"].items()
                    if k != "login" and e["before"].get(k) != v
                ),
            )
            for e in history
        ),
    )
    return 0


def cmd_agencies_add(args: argparse.Namespace) -> int:
    from panel_tui.store.ledger.admin import Admin

    store = open_store(args)
    Admin(store, acting(store, args)).add_agency(args.code, args.name, args.kind or "")
    say(f"added agency {args.code.upper()}")
    return 0


def cmd_agencies_list(args: argparse.Namespace) -> int:
    from panel_tui.store.read.orm_queries import agencies

    rows = agencies(open_store(args))
    if args.format == "json":
        emit_json([{"code": a.code, "name": a.name, "kind": a.kind} for a in rows])
    elif args.format == "csv":
        emit_csv(("code", "name", "kind"), ((a.code, a.name, a.kind) for a in rows))
    else:
        emit_table("Agencies", ("Code", "Name", "Kind"), ((a.code, a.name, a.kind) for a in rows))
    return 0


def cmd_policy_show(args: argparse.Namespace) -> int:
    from panel_tui.rules.policy import default_policy, default_policy_text, parse_policy

    if args.default:
        text = default_policy_text()
    else:
        try:
            text = open_store(args).policy_text()
        except StoreError:
            if args.db:
                raise
            text = default_policy_text()  # no store yet: show what one would get
    if args.format == "json":
        policy = parse_policy(text) if not args.default else default_policy()
        emit_json(policy.model_dump(mode="json"))
    else:
        from panel_tui.rules.rights import rights_in_words

        policy = parse_policy(text) if not args.default else default_policy()
        from panel_tui.rules.text import visible

        # As stored: an older store (or a direct edit) may hold what set now refuses.
        print(visible(text), end="" if text.endswith("\n") else "\n")
        # In words, as the store applies it (defaults of keys the text leaves out
        # included), as TOML comments: the output is still a policy file.
        print("\n# Decision rights in words, as this policy applies them:")
        for line in rights_in_words(policy):
            print(f"#   {line}")
    return 0


def cmd_policy_check(args: argparse.Namespace) -> int:
    from panel_tui.rules.policy import (
        parse_policy,
        policy_errors,
        policy_warnings,
        protection_errors,
    )

    text = read_input(args.file, "FILE")
    problems = policy_errors(text)
    if not problems:  # valid: may it be installed in this store?
        problems = protection_errors(parse_policy(text), _store_kind(args))
    if problems:
        # One line, as every refusal: scripts read the first line of stderr.
        count = f"{len(problems)} problems: " if len(problems) > 1 else ""
        error(f"{args.file}: {count}{'; '.join(problems)}")
        return 2
    for warning in policy_warnings(text):
        say(f"{args.file}: warning: {warning}")
    say(f"{args.file}: policy is valid")
    return 0


def _store_kind(args: argparse.Namespace) -> str:
    """The kind of the store --db names (a store not made yet is a real one)."""
    from panel_tui.store.constants import DEFAULT_KIND, KIND_KEY
    from panel_tui.store.files import local_file
    from panel_tui.store.sqlite_driver import sqlite

    path = local_file(getattr(args, "db", None))
    if path is None or not path.exists():
        return DEFAULT_KIND
    try:
        conn = sqlite.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            row = conn.execute("SELECT value FROM setting WHERE key = ?", (KIND_KEY,)).fetchone()
        finally:
            conn.close()
    except sqlite.Error:
        return DEFAULT_KIND
    return row[0] if row else DEFAULT_KIND


def cmd_policy_set(args: argparse.Namespace) -> int:
    from panel_tui.store.ledger.admin import Admin

    store = open_store(args)
    Admin(store, acting(store, args)).set_policy(read_input(args.file, "FILE"))
    say(f"installed {args.file} as the policy of {store.label}")
    return 0


def _event_id(text: str) -> bool:
    """An event id as audit verify prints it (ASCII digits that SQLite can hold)."""
    return text.isascii() and text.isdigit() and len(text) <= 18


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from panel_tui.store.audit import check_anchor, event_hashes, verify_chain
    from panel_tui.store.rebuild.verify import check_records

    store = open_store(args)
    anchors = args.expect_head or []
    with store.engine.connect() as connection:
        report = verify_chain(connection)
        ids = [int(i) for i in (a.split(":", 1)[0] for a in anchors) if _event_id(i)]
        hashes = event_hashes(connection, ids) if ids else {}
        # The tables rebuilt from the events and compared with what is stored.
        records = check_records(connection)
    for anchor in anchors:
        report = check_anchor(report, hashes, anchor)
    if args.format == "json":
        emit_json(
            {
                "ok": report.ok and records.ok,
                "events": report.events,
                "head": report.anchor,
                "first_bad_event": report.first_bad_id,
                "problem": report.problem,
                "records": records.as_json(),
            }
        )
    else:
        say(report.describe())
        for line in records.describe():
            say(line)
    return 0 if report.ok and records.ok else 1


def default_demo_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("panel-tui", appauthor=False)) / "demo.db"


def _refuse_unless_demo(path: Path) -> None:
    """The demo rebuilds its store from scratch: never let it replace a real one."""
    from panel_tui.store.sqlite_driver import sqlite

    try:
        conn = sqlite.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM setting WHERE key = 'store_kind'").fetchone()
        finally:
            conn.close()
    except sqlite.Error:
        row = None
    if not row or row[0] != "demo":
        raise InvalidInputError(
            f"{path} exists and is not a demo store; the demo will not replace it. "
            "Give another --db path.",
            field="--db",
        )


def _may_rebuild(target: Path) -> bool | None:
    """Ask at a terminal whether to rebuild the demo store; None when there is no terminal."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return None
    sys.stderr.write(f"A demo store exists at {target}. Rebuild it from scratch? [y/N] ")
    sys.stderr.flush()
    try:
        answer = sys.stdin.readline()
    except (OSError, KeyboardInterrupt):
        return False
    return answer.strip().lower() in ("y", "yes")


def cmd_serve(args: argparse.Namespace) -> int:
    """``panel-tui serve``: see panel_tui/serve.py (textual-serve is an optional extra)."""
    try:
        from panel_tui.serve import serve
    except ImportError as exc:
        raise InvalidInputError(
            f"panel-tui serve needs textual-serve ({exc.name} is missing): "
            "install panel-tui[serve], or `uv sync` in a clone"
        ) from None
    return serve(
        db=getattr(args, "db", None),
        as_login=getattr(args, "as_login", None),
        host=args.host,
        port=args.port,
    )


def cmd_demo(args: argparse.Namespace) -> int:

    if args.db and "://" in args.db:
        return _demo_postgres(args)
    target = Path(args.db) if args.db else default_demo_path()
    if target.exists():
        _refuse_unless_demo(target)
        rebuild = args.rebuild or _may_rebuild(target)
        if rebuild is None:
            raise InvalidInputError(
                f"{target} already holds a demo store: --rebuild builds it again "
                f"(its changes are lost), or open it with: panel-tui --db {target}",
                field="--rebuild",
            )
        if not rebuild:
            if args.no_ui:
                say(f"kept the demo store at {target}")
                return 0
            from panel_tui.cli.app_launch import open_app

            return open_app(argparse.Namespace(db=str(target), as_login=args.as_login))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    from panel_tui.store.demo.quick import QUICK_MAX

    if args.disputes <= QUICK_MAX:
        return _quick_demo(args, target)
    return _build_demo(args, str(target), shown=str(target))


def _quick_demo(args: argparse.Namespace, target: Path) -> int:
    """A small demo written without the ORM (store/demo/quick.py, held equal to the
    Ledger's by tests), then the app on it as on any store: on screen within a second."""
    import time

    from panel_tui.store.demo.quick import build_quick

    started = time.perf_counter()
    build_quick(target, disputes=args.disputes, seed=args.seed)
    elapsed = time.perf_counter() - started
    sys.stderr.write(f"demo store with {args.disputes} disputes at {target} ({elapsed:.1f} s)\n")
    if args.no_ui:
        return 0
    from panel_tui.cli.app_launch import open_app

    return open_app(argparse.Namespace(db=str(target), as_login=args.as_login))


def _demo_postgres(args: argparse.Namespace) -> int:
    """The demo in a PostgreSQL database: an empty one, or a demo store to --rebuild."""

    from panel_tui.store import postgres
    from panel_tui.store.demo.pg_target import clear_demo, holds
    from panel_tui.store.engine import to_url

    url = to_url(args.db)
    if not postgres.is_postgres(url):
        raise InvalidInputError("the demo builds a SQLite file or a PostgreSQL store", field="--db")
    shown = postgres.redacted(url)
    kind = holds(url)
    if kind is not None and kind != "demo":
        raise InvalidInputError(
            f"{shown} holds a store that is not a demo; the demo will not replace it",
            field="--db",
        )
    if kind == "demo":
        if not args.rebuild:
            if args.no_ui:
                say(f"kept the demo store at {shown} (--rebuild builds it again)")
                return 0
            from panel_tui.cli.app_launch import open_app

            return open_app(argparse.Namespace(db=url, as_login=args.as_login))
        clear_demo(url)
    return _build_demo(args, url, shown=shown)


def _build_demo(args: argparse.Namespace, target: str, *, shown: str) -> int:
    """Build the demo at ``target`` (named ``shown``: a URL without its password), say how
    long it took, and open it unless --no-ui. A big demo reports its progress."""
    import time

    from panel_tui.store.demo import DEMO_LOGIN, build_demo

    started = time.perf_counter()

    def progress(message: str) -> None:
        sys.stderr.write(f"  {message}\n")

    store = build_demo(
        target,
        disputes=args.disputes,
        seed=args.seed,
        progress=progress if args.disputes > 1000 else None,
    )
    elapsed = time.perf_counter() - started
    sys.stderr.write(f"demo store with {args.disputes} disputes at {shown} ({elapsed:.1f} s)\n")
    if args.no_ui:
        store.close()
        return 0
    from panel_tui.cli.app_launch import run

    return run(store, args.as_login or DEMO_LOGIN, demo=True)


def cmd_backup(args: argparse.Namespace) -> int:
    from panel_tui.store.maintenance import backup

    store = open_store(args)
    if store.is_postgres:
        from panel_tui.store.pg_backup import pg_backup

        if args.dest == "-":
            raise InvalidInputError(
                "a PostgreSQL store's backup is a file: give DEST", field="DEST"
            )
        as_directory = bool(args.dest) and args.dest.endswith(("/", os.sep))
        dest = pg_backup(store, Path(args.dest) if args.dest else None, as_directory=as_directory)
        say(f"backed up to {dest} (pg_dump, checked with pg_restore --list)")
        return 0
    if args.dest == "-":
        return _backup_to_stdout(store)
    refuse_path(args.dest, "DEST", output=True)
    as_directory = bool(args.dest) and args.dest.endswith(("/", os.sep))
    dest = backup(store, Path(args.dest) if args.dest else None, as_directory=as_directory)
    say(f"backed up to {dest}")
    return 0


def _backup_to_stdout(store: Store) -> int:
    """``backup -``: the checked copy streamed to stdout (how it leaves the service account)."""
    import shutil
    import tempfile

    from panel_tui.store.maintenance import backup

    if sys.stdout.isatty():
        raise InvalidInputError("`backup -` writes the store's bytes: redirect it", field="DEST")
    with tempfile.TemporaryDirectory(prefix="panel-tui-backup-") as private:  # mode 0700
        copy = backup(store, Path(private) / "copy.db")
        with copy.open("rb") as source:
            shutil.copyfileobj(source, sys.stdout.buffer)
    sys.stdout.buffer.flush()
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from panel_tui.store import postgres
    from panel_tui.store.db import resolve_target
    from panel_tui.store.engine import sqlite_path
    from panel_tui.store.maintenance import doctor

    url = resolve_target(args.db)
    path = sqlite_path(url)
    if path is not None:
        report = doctor(path)
    elif postgres.is_postgres(url):
        from panel_tui.store.pg_doctor import doctor_postgres

        report = doctor_postgres(url)
    else:
        raise InvalidInputError("doctor checks a SQLite file or a PostgreSQL store", field="--db")
    if args.format == "json":
        emit_json({"ok": report.ok, "findings": [vars(f) for f in report.findings]})
    else:
        for finding in report.findings:
            mark = "ok  " if finding.ok else "FAIL" if finding.serious else "WARN"
            say(f"{mark} {finding.name}: {finding.value}")
            if finding.advice:
                say(f"     {finding.advice}")
    return 0 if report.ok else 1
