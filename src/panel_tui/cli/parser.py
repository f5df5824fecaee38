"""The argparse tree of every command and its options."""

from __future__ import annotations

import argparse
import contextlib
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from panel_tui import __version__
from panel_tui.rules.enums import (
    CONTACT_METHODS,
    ContactOutcome,
    DisputeType,
    EvidenceKey,
    Outcome,
    ReviewTrigger,
    Risk,
    SyncTrigger,
)
from panel_tui.rules.when import DATE_HELP, DURATION_HELP, TIME_HELP
from panel_tui.store.read.queue_models import Section

FORMATS = ("table", "json", "csv")

DESCRIPTION = """\
panel-tui keeps inter-agency disputes in integrated care time-boxed and evidenced.
Run with no command to open the app. The store is --db PATH|URL, else $PANEL_TUI_DB,
else a file in your user data directory."""


#: Where the namespace keeps the deepest command's name: its --help has the options.
_HELP_PROG = "_help_prog"


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_defaults(**{_HELP_PROG: self.prog})  # a command's default wins over its parent's

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:
        """As argparse's, but an unknown option names the help of the command it was typed
        to ("see `panel-tui note --help`", not the top level's, which does not list it)."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            where = getattr(parsed, _HELP_PROG, self.prog)
            self._refuse(f"unrecognized arguments: {' '.join(extras)}", where)
        return parsed

    def error(self, message: str) -> None:  # type: ignore[override]
        self._refuse(message, self.prog)

    def _refuse(self, message: str, prog: str) -> None:
        """Bad usage is one line on stderr, exit 2, like any bad input: argparse's usage
        lines went to stdout, where a script reads results (``COMMAND --help`` has them)."""
        from panel_tui.cli.output import error

        error(f"{message} (see `{prog} --help`)")  # what was typed: escaped, one line
        self.exit(2)


def whole(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``, or one clear usage error."""

    def parse(text: str) -> int:
        raw = text.strip()
        digits = raw.removeprefix("-").removeprefix("+")
        if not (digits.isascii() and digits.isdigit()):
            raise argparse.ArgumentTypeError(f"'{text[:20]}' is not a whole number")
        if len(digits) > len(str(max(abs(low), abs(high)))) or not low <= int(raw) <= high:
            raise argparse.ArgumentTypeError(f"'{text[:20]}' is not from {low:,} to {high:,}")
        return int(raw)

    parse.__name__ = "whole number"  # argparse names the type in its messages
    return parse


#: The most disputes a demo store is built with (issue 13 measures 1,000,000; the bulk
#: path writes 50,000 per transaction, so the WAL stays bounded at any size).
DEMO_MAX = 1_000_000


def _common(p: argparse.ArgumentParser, top: bool = False) -> None:
    # Subcommands suppress their defaults so `panel-tui --db X queue` keeps X.
    default = None if top else argparse.SUPPRESS
    p.add_argument("--db", default=default, help="store: a SQLite path or SQLAlchemy URL")
    p.add_argument(
        "--as",
        dest="as_login",
        metavar="LOGIN",
        default=default,
        help="act as LOGIN (only where the store's policy allows it)",
    )


def app_arguments(argv: Sequence[str] | None) -> argparse.Namespace | None:
    """``panel-tui [--db X] [--as Y]``, parsed without building every command's parser.

    Opening the app is the common case and building the whole tree takes
    10–20 ms of its start. None for anything else (a command, --help, an
    error): ``build_parser`` then handles it, with its messages.
    """
    top = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    _common(top, top=True)
    try:
        args, rest = top.parse_known_args(argv)
    except argparse.ArgumentError:
        return None
    return None if rest else args


def _read(p: argparse.ArgumentParser, formats: tuple[str, ...] = FORMATS) -> None:
    p.add_argument("--at", metavar="TIME", help=f"clocks as at TIME: {TIME_HELP}")
    p.add_argument("--format", choices=formats, default="table")


def _write(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--expect-version",
        type=whole(1, 2**31),
        metavar="N",
        help="refuse if the dispute changed since version N (stale-write guard)",
    )
    p.add_argument("--format", choices=("table", "json"), default="table")


class _Commands:
    """Adds commands, and groups of actions, to the top parser."""

    def __init__(self, parser: argparse.ArgumentParser) -> None:
        self.sub = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)

    def command(
        self,
        name: str,
        handler: Any,
        help: str,  # noqa: A002
        epilog: str | None = None,
    ) -> argparse.ArgumentParser:
        p = self.sub.add_parser(
            name,
            help=help,
            description=help,
            epilog=epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _common(p)
        p.set_defaults(handler=handler)
        return p

    @contextlib.contextmanager
    def on_dispute(
        self,
        name: str,
        handler: Any,
        help: str,  # noqa: A002
        epilog: str | None = None,
    ) -> Iterator[argparse.ArgumentParser]:
        """A command that changes one dispute: the dispute's ref first, then the options
        the ``with`` block adds, then what every such change takes (``_write``: the
        stale-write guard and the output format), so that no change command lacks it."""
        p = self.command(name, handler, help, epilog)
        p.add_argument("ref")
        yield p
        _write(p)

    def group(self, name: str, help: str) -> Any:  # noqa: A002
        """A command of several actions (``users add``); returns what adds the actions."""
        g = self.sub.add_parser(name, help=help, description=help)
        g.set_defaults(handler=None, group=name)
        return g.add_subparsers(title="actions", metavar="ACTION", parser_class=_Parser)


@functools.cache  # one tree per process: tests run main() hundreds of times in one
def build_parser() -> argparse.ArgumentParser:
    return _tree(None)


@functools.cache
def _tree(alone: Callable[[_Commands], None] | None) -> argparse.ArgumentParser:
    """The whole tree, or (``alone``) the top parser with only the commands that one
    adder makes."""
    parser = _Parser(
        prog="panel-tui",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from panel_tui.store.sqlite_driver import library

    parser.add_argument(
        "--version", action="version", version=f"panel-tui {__version__}; {library()}"
    )
    _common(parser, top=True)
    c = _Commands(parser)
    if alone is not None:
        alone(c)
        _fill_help(parser)
        return parser
    # In the order `panel-tui --help` lists them.
    _setup_commands(c)
    # The ledger's operations on one dispute, then what reads the store.
    for commands in (
        _ladder_commands,
        _interim_commands,
        _review_commands,
        _decision_commands,
        _plan_commands,
        _form_commands,
        _read_commands,
        _oversight_commands,
    ):
        commands(c)
    _store_commands(c)
    _fill_help(parser)
    return parser


def command_parser(argv: Sequence[str] | None) -> argparse.ArgumentParser:
    """The tree to parse ``argv`` with: for ``queue`` and ``show``, the top parser with
    only the read commands, else ``build_parser()``.

    A script's ``panel-tui queue`` waited for the whole tree, every command's options and
    the modules of their handlers (cli/admin.py, docs.py, ...): about 12 ms of argparse
    and 6 ms of imports at each start (issue 13). The command is the first word the top
    parser leaves, as the whole tree's parse finds it; from there the two trees parse
    alike (tests/cli/test_cli_parser_parts.py holds them to the same namespaces and
    messages). Anything else (help, a group, a mistake) is parsed by the whole tree.
    """
    top = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    _common(top, top=True)
    try:
        _, rest = top.parse_known_args(argv)
    except argparse.ArgumentError:
        return build_parser()
    alone = ALONE.get(rest[0]) if rest else None
    return build_parser() if alone is None else _tree(alone)


#: Help for arguments that many commands share, by their dest.
_SHARED_HELP = {
    "ref": "the dispute's reference, e.g. D-2026-0042",
}
#: Output formats written for people to read; the others are for scripts.
_FOR_PEOPLE = ("table", "md", "toml")


def _format_help(choices: Iterable[str]) -> str:
    """The --format help naming this command's own formats (import has no csv to offer)."""
    people = [c for c in choices if c in _FOR_PEOPLE]
    scripts = [c for c in choices if c not in _FOR_PEOPLE]
    parts = [f"{' or '.join(people)} for people"] if people else []
    parts += [f"{' or '.join(scripts)} for scripts"] if scripts else []
    return f"output: {', '.join(parts)} (default %(default)s)"


def _fill_help(parser: argparse.ArgumentParser) -> None:
    """Give every shared argument its help text, in every command."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _fill_help(sub)
        elif action.help is None and action.dest == "format" and action.choices:
            action.help = _format_help(action.choices)
        elif action.help is None and action.dest in _SHARED_HELP:
            action.help = _SHARED_HELP[action.dest]


def _user_lifecycle(users: argparse._SubParsersAction) -> None:
    """users set / deactivate / reactivate / show: each change an audited event."""
    from panel_tui.cli import admin

    u = users.add_parser("set", help="change a person's roles, agency or name (administer)")
    u.add_argument("login", help="the person's login")
    u.add_argument("--roles", action="append", help="the new comma-separated roles (all of them)")
    u.add_argument("--agency", help="agency code ('' for none)")
    u.add_argument("--name", help="display name")
    u.set_defaults(handler=admin.cmd_users_set)
    _common(u)
    u = users.add_parser("deactivate", help="a leaver: refused from their next action on")
    u.add_argument("login", help="the person's login")
    u.add_argument("--reason", required=True, help="why, e.g. 'left the service 2026-11-30'")
    u.set_defaults(handler=admin.cmd_users_deactivate)
    _common(u)
    u = users.add_parser("reactivate", help="let a deactivated person act again")
    u.add_argument("login", help="the person's login")
    u.set_defaults(handler=admin.cmd_users_reactivate)
    _common(u)
    u = users.add_parser("show", help="a person's roles, agency, state and user events")
    u.add_argument("login", help="the person's login")
    u.add_argument("--format", choices=("table", "json"), default="table")
    u.set_defaults(handler=admin.cmd_users_show)
    _common(u)


def _setup_commands(c: _Commands) -> None:
    """Creating a store, and its people and agencies."""
    _init_command(c)
    _people_commands(c)


def _init_command(c: _Commands) -> None:
    """init: a new store, its administrator, and how it is shared (group or service)."""
    from panel_tui.cli import admin

    p = c.command("init", admin.cmd_init, "create a store; your OS login becomes its administrator")
    p.add_argument("--policy", metavar="FILE", help="install this policy TOML")
    p.add_argument("--name", help="your display name")
    p.add_argument(
        "--kind",
        choices=("real", "test"),
        default="real",
        help="a test store may allow identity override (--as) in its policy; a real one never",
    )
    p.add_argument("--admin", metavar="LOGIN", help="the first administrator (default: you)")
    p.add_argument(
        "--app-role",
        metavar="ROLE",
        help="PostgreSQL: grant ROLE what the app needs (events append-only, no DDL); "
        "you, the role running init, own the store",
    )
    share = p.add_mutually_exclusive_group()
    share.add_argument(
        "--group",
        metavar="GROUP",
        help="group mode: the directory setgid 2770, the store 0660, for GROUP (all trusted)",
    )
    share.add_argument(
        "--service-account",
        metavar="ACCOUNT",
        help="service mode (as root): only ACCOUNT opens the store; users go through sudo",
    )
    p.add_argument(
        "--command",
        metavar="PATH",
        help="service mode: the panel-tui sudo runs (default: this one)",
    )
    p.add_argument(
        "--install",
        action="store_true",
        help="write the site config (and the sudoers rule) instead of printing them",
    )


def _people_commands(c: _Commands) -> None:
    """users and agencies: who may act, and for which agency."""
    from panel_tui.cli import admin

    users = c.group("users", "people and their roles")
    a = users.add_parser("add", help="add a person")
    a.add_argument("login", help="the person's OS login (what they sign in as)")
    a.add_argument("--name", help="display name")
    a.add_argument(
        "--roles",
        required=True,
        action="append",
        help="comma-separated roles, e.g. duty_lead,supervisor",
    )
    a.add_argument("--agency", help="agency code")
    a.set_defaults(handler=admin.cmd_users_add)
    _common(a)
    _list_action(users, admin.cmd_users_list, "list people")
    _user_lifecycle(users)

    agencies = c.group("agencies", "agencies")
    a = agencies.add_parser("add", help="add an agency")
    a.add_argument("code", help="2-16 letters or digits, e.g. CBH")
    a.add_argument("name", help="the agency's name, e.g. 'County Behavioral Health'")
    a.add_argument("--kind", help="e.g. county, mco, housing, hospital")
    a.set_defaults(handler=admin.cmd_agencies_add)
    _common(a)
    _list_action(agencies, admin.cmd_agencies_list, "list agencies")


def _one_of(p: argparse.ArgumentParser, flag: str, choices: Any, help: str) -> None:  # noqa: A002
    """A required option taking one of ``choices``."""
    p.add_argument(flag, required=True, choices=choices, help=help)


def _list_action(actions: Any, handler: Any, help: str) -> None:  # noqa: A002
    lst = actions.add_parser("list", help=help)
    lst.set_defaults(handler=handler)
    _common(lst)
    lst.add_argument("--format", choices=FORMATS, default="table")


def _ladder_commands(c: _Commands) -> None:
    """Opening a dispute and moving it up the ladder."""
    from panel_tui.cli import docs, writes

    p = c.command("open", writes.cmd_open, "open a dispute from a JSON form", docs.OPEN_EPILOG)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--json", metavar="FILE|-", help="the form as JSON ('-': stdin); its fields are below"
    )
    source.add_argument(
        "--template",
        action="store_true",
        help="print a valid example form (with this store's agencies) to edit, and open nothing",
    )
    p.add_argument("--format", choices=("table", "json"), default="table")

    with c.on_dispute("escalate", writes.cmd_escalate, "move a dispute up the ladder") as p:
        p.add_argument("--note", help="what the next rung is asked to do")
        p.add_argument("--breach-reason", help="required when the current stage is breached")
        p.add_argument(
            "--impact",
            help="required: the impact on the person of the delay so far (missed support, risk, "
            "crisis); without it the escalation is refused (exit 1)",
        )


def _interim_commands(c: _Commands) -> None:
    """Interim cover and provisional support: the person protected meanwhile."""
    from panel_tui.cli import writes

    with c.on_dispute("cover", writes.cmd_cover, "assign interim cover (service first)") as p:
        p.add_argument("--provider", required=True, help="agency code of the interim provider")
        p.add_argument("--level", required=True, help="the minimum support to deliver")
        p.add_argument("--review", metavar="TIME", help=f"when to review the cover: {TIME_HELP}")

    with c.on_dispute(
        "provisional", writes.cmd_provisional, "start a provisional support package"
    ) as p:
        p.add_argument(
            "--coordinator", required=True, metavar="LOGIN", help="who coordinates the package"
        )
        p.add_argument("--actions", required=True, help="welfare check, med reconciliation, ...")
        length = p.add_mutually_exclusive_group()
        length.add_argument("--days", type=whole(1, 3650), help="length in days (policy: 7–14)")
        length.add_argument("--until", metavar="TIME", help=f"hard deadline: {TIME_HELP}")

    with c.on_dispute(
        "contact", writes.cmd_contact, "log a contact attempt on the active package"
    ) as p:
        _one_of(p, "--method", CONTACT_METHODS, "how contact was attempted")
        _one_of(p, "--outcome", [o.value for o in ContactOutcome], "what came of it")
        p.add_argument("--note", help="what happened (optional)")


def _review_commands(c: _Commands) -> None:
    """Funded pathways, review triggers, reviews and re-rated risk: what follows a package
    or a decision, and what brings a review forward."""
    from panel_tui.cli import writes

    with c.on_dispute(
        "pathway",
        writes.cmd_pathway,
        "record the funded pathway a provisional package's person moved to",
        epilog="At a package's hard deadline the person moves to a funded pathway or the "
        "dispute escalates again. Once a package has expired it shows as expired and the "
        "dispute is listed in `queue --section provisional_expired` until one of the two "
        "is recorded: this command, or `escalate`.",
    ) as p:
        p.add_argument(
            "--pathway", required=True, help="the funded program or service, e.g. 'MCO ICM'"
        )

    with c.on_dispute(
        "trigger",
        writes.cmd_trigger,
        "record a review trigger: risk raised, services refused, a critical incident",
        epilog="Each trigger is recorded with a note and brings the dispute's next review "
        "forward to the trigger's date plus the policy's days for it ([reviews]; by "
        "default risk_raised 1, services_refused 3, critical_incident 0), unless a review "
        "is due sooner. Allowed on open, decided and closed disputes.",
    ) as p:
        _one_of(p, "--trigger", [t.value for t in ReviewTrigger], "what happened")
        p.add_argument("--note", required=True, help="what happened, in at least 3 characters")

    with c.on_dispute(
        "review",
        writes.cmd_review,
        "record that a dispute's review took place, and when the next is due",
    ) as p:
        p.add_argument("--note", required=True, help="what the review found")
        following = p.add_mutually_exclusive_group(required=True)
        following.add_argument("--next", metavar="DATE", help=f"next review date: {DATE_HELP}")
        following.add_argument("--no-next", action="store_true", help="no further review")

    with c.on_dispute(
        "rerate",
        writes.cmd_rerate,
        "re-rate a dispute's risk (the clock of its current stage follows)",
        epilog="The current stage becomes due at the earlier of its due time and now plus "
        "the new risk's window for that stage: a clock never moves later, so a breach is "
        "not undone by lowering the risk; later stages use the new risk's windows. "
        "Raising the risk is also a risk_raised review trigger.",
    ) as p:
        _one_of(p, "--risk", [r.value for r in Risk], "the new risk level")
        p.add_argument("--note", required=True, help="why the risk changed")


def _decision_commands(c: _Commands) -> None:
    """Deciding, accepting or withdrawing: how a dispute ends."""
    from panel_tui.cli import writes

    with c.on_dispute(
        "decide", writes.cmd_decide, "record a decision (or --final determination)"
    ) as p:
        _one_of(
            p,
            "--outcome",
            [o.value for o in Outcome],
            "the decision; all but no_agreement name a --receiving agency",
        )
        p.add_argument("--rationale", required=True, help="why, in at least 10 characters")
        p.add_argument("--review", required=True, metavar="DATE", help=f"review date: {DATE_HELP}")
        p.add_argument("--receiving", metavar="AGENCY", help="receiving agency code")
        p.add_argument("--pathway", help="receiving pathway or program")
        p.add_argument("--final", action="store_true", help="the named authority's determination")

    with c.on_dispute(
        "accept", writes.cmd_accept, "confirm acceptance with a start plan (closes)"
    ) as p:
        p.add_argument(
            "--start-plan", required=True, help="who starts what, and when (at least 10 characters)"
        )
        p.add_argument(
            "--start",
            default="today",
            metavar="DATE",
            help=f"start date (default today): {DATE_HELP}",
        )

    with c.on_dispute("withdraw", writes.cmd_withdraw, "withdraw a dispute, with a reason") as p:
        p.add_argument(
            "--reason", required=True, help="why it is withdrawn (at least 5 characters)"
        )


def _plan_commands(c: _Commands) -> None:
    """Notes, the plan holder, synchronisations and consent: the record kept meanwhile."""
    from panel_tui.cli import writes

    p = c.command("note", writes.cmd_note, "add a note")
    p.add_argument("ref")
    p.add_argument("text", nargs="+", help="the note (several words are joined by spaces)")
    p.add_argument("--format", choices=("table", "json"), default="table")

    with c.on_dispute("holder", writes.cmd_holder, "assign the plan holder") as p:
        p.add_argument("login", help="the login of the new plan holder")
        p.add_argument(
            "--period", metavar="DURATION", help=f"how long they hold it: {DURATION_HELP}"
        )
        p.add_argument(
            "--next-sync",
            metavar="TIME",
            help=f"when the first case synchronisation is due: {TIME_HELP}",
        )

    with c.on_dispute(
        "sync", writes.cmd_sync, "record a case synchronisation the plan holder convened"
    ) as p:
        _one_of(p, "--trigger", [t.value for t in SyncTrigger], "what made it necessary")
        p.add_argument(
            "--with", dest="participants", required=True, help="who took part (names, agencies)"
        )
        p.add_argument("--outcome", required=True, help="what was agreed")
        p.add_argument(
            "--held", metavar="TIME", help=f"when it was held (default now): {TIME_HELP}"
        )
        p.add_argument("--next", metavar="TIME", help=f"when the next one is due: {TIME_HELP}")

    with c.on_dispute("consent", writes.cmd_consent, "record the scope of consent to share") as p:
        p.add_argument(
            "--agencies",
            action="append",
            required=True,
            metavar="CODES",
            help="the agencies it covers (CBH,MCO; may be repeated)",
        )
        p.add_argument("--purpose", required=True, help="what the information may be used for")
        p.add_argument("--review", required=True, metavar="DATE", help=f"review date: {DATE_HELP}")


def _form_commands(c: _Commands) -> None:
    """The form itself: its evidence and its text fields."""
    from panel_tui.cli import docs, writes

    with c.on_dispute("evidence", writes.cmd_evidence, "record a minimum-evidence item") as p:
        p.add_argument("key", choices=[k.value for k in EvidenceKey], help="the evidence item")
        state = p.add_mutually_exclusive_group(required=True)
        state.add_argument("--present", dest="present", action="store_true", help="it is on file")
        state.add_argument(
            "--absent", dest="present", action="store_false", help="it is not (give a --note)"
        )
        p.add_argument("--note", help="why it is absent and when it will be available")

    with c.on_dispute(
        "edit", writes.cmd_edit, "edit the dispute form's text fields", docs.EDIT_EPILOG
    ) as p:
        p.add_argument(
            "--set",
            action="append",
            required=True,
            metavar="FIELD=VALUE",
            help="a new text for FIELD (below); repeat for several fields",
        )


def _read_commands(c: _Commands) -> None:
    """Reading the queue and one dispute."""
    from panel_tui.cli import reads

    p = c.command("queue", reads.cmd_queue, "the live queue, most urgent first")
    _read(p)
    _queue_filters(p)
    p.add_argument("--limit", type=whole(1, 10**9), help="at most this many disputes")
    p.add_argument(
        "--indent",
        type=whole(0, 8),
        metavar="N",
        help="indent JSON by N spaces (default: compact, one line, the quickest to write)",
    )

    p = c.command("show", reads.cmd_show, "one dispute with every stage's clock and its history")
    p.add_argument("ref")
    _read(p, ("table", "json"))


#: Commands whose part of the tree is built alone when a command line names them (the
#: headless reads scripts run), and the adder that makes it.
ALONE: dict[str, Callable[[_Commands], None]] = {"queue": _read_commands, "show": _read_commands}


def _queue_filters(p: argparse.ArgumentParser) -> None:
    """The queue's section and filters: the app's filter bar as options."""
    p.add_argument(
        "--section",
        choices=[s.value for s in Section],
        default=Section.ALL_OPEN.value,
        help="one of the app's sections (default all_open); provisional_expiring lists "
        "packages ending within 48 hours, provisional_expired those past their deadline "
        "with no funded pathway recorded and no escalation since, reviews_due the "
        "disputes whose review date has come",
    )
    p.add_argument("--breached", action="store_true", help="only breached disputes")
    p.add_argument("--due-within", metavar="DURATION", help=f"due within {DURATION_HELP}")
    p.add_argument(
        "--type", action="append", choices=[t.value for t in DisputeType], help="may be repeated"
    )
    p.add_argument(
        "--agency", action="append", metavar="CODE", help="an agency involved; may be repeated"
    )
    p.add_argument(
        "--stage",
        action="append",
        type=whole(0, 4),
        metavar="0-4",
        help="the rung; may be repeated",
    )
    p.add_argument(
        "--risk", action="append", choices=[r.value for r in Risk], help="may be repeated"
    )
    p.add_argument(
        "--mine",
        action="store_true",
        help="disputes you hold or opened (for the commissioner liaison, and those at liaison)",
    )
    p.add_argument(
        "--liaison",
        action="store_true",
        help="only disputes at commissioner liaison or with its trigger met "
        "(stage 3 breached, or open longer than the policy's limit)",
    )
    p.add_argument(
        "--reviews-due",
        action="store_true",
        help="only disputes whose review date has come (today or before), closed ones "
        "included: a closed dispute's decision is still reviewed",
    )
    p.add_argument(
        "--text",
        help="free text in the ref, person ref, agencies, problem, rule conflict or pathway "
        "(as typed: %% and _ are not wildcards)",
    )


def _oversight_commands(c: _Commands) -> None:
    """What goes out of the store and comes in: reports, the handover note, alerts,
    export, copies and imports."""
    _report_commands(c)
    _shift_commands(c)
    _transfer_commands(c)


def _report_commands(c: _Commands) -> None:
    """The oversight report for a period and the panel's minutes for a day."""
    from panel_tui.cli import transfer

    p = c.command("report", transfer.cmd_report, "oversight measures for a period")
    _read(p, ("table", "json", "csv", "md"))
    p.add_argument("--from", dest="since", metavar="TIME", help=f"period start: {TIME_HELP}")
    p.add_argument("--to", metavar="TIME", help="period end (default: --at / now)")
    p.add_argument(
        "--days",
        type=whole(1, 3650),
        default=30,
        help="period length in days if --from is not given (default 30)",
    )

    p = c.command(
        "minutes",
        transfer.cmd_minutes,
        "the panel's minutes for a day as Markdown on stdout (`> FILE` to keep them)",
    )
    p.add_argument("date", nargs="?", default="today", metavar="DATE", help=DATE_HELP)
    p.add_argument("--at", metavar="TIME", help=f"read as at TIME: {TIME_HELP}")


def _shift_commands(c: _Commands) -> None:
    """The handover note and the alerts digest: what changed, for the people on shift."""
    from panel_tui.cli import shift

    p = c.command(
        "handover",
        shift.cmd_handover,
        "what changed since you last looked (or since TIME), as a handover note",
    )
    p.add_argument(
        "--since",
        default="LAST",
        metavar="LAST|TIME",
        help=f"LAST (your seen mark; default) or a time: {TIME_HELP}",
    )
    p.add_argument("--at", metavar="TIME", help=f"read as at TIME: {TIME_HELP}")
    p.add_argument("--format", choices=("md", "json"), default="md")
    p.add_argument(
        "--mark-seen", action="store_true", help="then mark what was printed as seen by you"
    )

    p = c.command(
        "alerts",
        shift.cmd_alerts,
        "send the named people of each rung a digest of clocks newly at warning or breach "
        "(from cron or a timer; the site config's [alerts] says how)",
    )
    p.add_argument(
        "--within",
        default="24h",
        metavar="DURATION",
        help=f"clocks that crossed in the last DURATION (default 24h): {DURATION_HELP}",
    )
    p.add_argument("--at", metavar="TIME", help=f"clocks as at TIME: {TIME_HELP}")
    p.add_argument(
        "--dry-run", action="store_true", help="print what would be sent; send and record nothing"
    )


def _transfer_commands(c: _Commands) -> None:
    """Moving whole stores out and in: export, copy-store and import."""
    from panel_tui.cli import docs, transfer

    p = c.command("export", transfer.cmd_export, "export every dispute and its history as JSON")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE (default: stdout)")

    p = c.command(
        "copy-store",
        transfer.cmd_copy_store,
        "copy a whole store with its history (SQLite or PostgreSQL, either way) and check it",
    )
    p.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="PATH|URL",
        help="the store to copy (verified first: one that does not verify is refused)",
    )
    p.add_argument(
        "--to",
        dest="dest",
        required=True,
        metavar="PATH|URL",
        help="a new SQLite file, or a PostgreSQL database without a store",
    )
    p.add_argument("--quiet", action="store_true", help="only the result")

    p = c.command(
        "import",
        transfer.cmd_import,
        "import an export, or a CSV dispute log; what the store holds is skipped",
        docs.IMPORT_EPILOG,
    )
    p.add_argument("file", metavar="FILE", help="the export (JSON) or CSV log; '-': stdin")
    p.add_argument("--csv", action="store_true", help="FILE is a CSV dispute log (columns below)")
    p.add_argument("--format", choices=("table", "json"), default="table")


def _store_commands(c: _Commands) -> None:
    """Looking after the store: its audit trail, policy, backups and health; the demo."""
    _audit_commands(c)
    _policy_commands(c)
    _upkeep_commands(c)
    _demo_command(c)


def _audit_commands(c: _Commands) -> None:
    """audit verify: the hash chain walked, its head printed or checked."""
    from panel_tui.cli import admin

    gsub = c.group("audit", "the audit trail")
    a = gsub.add_parser(
        "verify",
        help="walk the hash chain; name the first broken event; print its head (ID:HASH)",
    )
    _common(a)
    a.add_argument(
        "--expect-head",
        action="append",
        metavar="ID:HASH",
        help="a head printed by an earlier verify and kept elsewhere: refuse a chain that "
        "no longer has it (events removed from the end, or rewritten); may be repeated",
    )
    a.add_argument("--format", choices=("table", "json"), default="table")
    a.set_defaults(handler=admin.cmd_audit_verify)


def _policy_commands(c: _Commands) -> None:
    """policy show / check / set."""
    from panel_tui.cli import admin

    gsub = c.group("policy", "show, check or install the policy")
    a = gsub.add_parser("show", help="the store's policy (or --default)")
    _common(a)
    a.add_argument("--default", action="store_true", help="the shipped default")
    a.add_argument("--format", choices=("toml", "json"), default="toml")
    a.set_defaults(handler=admin.cmd_policy_show)
    a = gsub.add_parser(
        "check", help="validate a policy file for the store (--db); errors name the key"
    )
    _common(a)
    a.add_argument("file", metavar="FILE", help="the policy TOML ('-': stdin)")
    a.set_defaults(handler=admin.cmd_policy_check)
    a = gsub.add_parser("set", help="install a policy file in the store (administer)")
    _common(a)
    a.add_argument("file", metavar="FILE", help="the policy TOML ('-': stdin)")
    a.set_defaults(handler=admin.cmd_policy_set)


def _upkeep_commands(c: _Commands) -> None:
    """Backups, health checks and serving the app in a browser."""
    from panel_tui.cli import admin

    p = c.command("backup", admin.cmd_backup, "copy the store safely while others write")
    p.add_argument(
        "dest",
        nargs="?",
        metavar="DEST",
        help="file or directory; '-' streams it to stdout (SQLite); PostgreSQL: pg_dump to DEST",
    )

    p = c.command("doctor", admin.cmd_doctor, "check the store's health and the SQLite library")
    p.add_argument("--format", choices=("table", "json"), default="table")

    p = c.command(
        "serve",
        admin.cmd_serve,
        "the app in a browser (textual-serve), as you, behind a secret token in its URL",
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this host)"
    )
    p.add_argument("--port", type=whole(1, 65535), default=8000, help="port (default 8000)")


def _demo_command(c: _Commands) -> None:
    """demo: a store built from a seed, at any size up to DEMO_MAX."""
    from panel_tui.cli import admin

    p = c.command("demo", admin.cmd_demo, "build a demo store from a seed and open it")
    p.add_argument(
        "--disputes",
        type=whole(1, DEMO_MAX),
        default=60,
        help=f"how many disputes (default 60, at most {DEMO_MAX:,})",
    )
    p.add_argument(
        "--seed",
        type=whole(0, 2**32),
        default=7,
        help="the same seed builds the same store (default 7)",
    )
    p.add_argument("--no-ui", action="store_true", help="build only; do not open the app")
    p.add_argument(
        "--rebuild",
        action="store_true",
        help="replace an existing demo store (without it: asked at a terminal, else refused)",
    )
