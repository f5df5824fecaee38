"""Commands that change a dispute: each one Ledger operation, as the acting login."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from panel_tui.cli.common import acting, open_store, parse_json, read_input
from panel_tui.cli.output import emit_json, say
from panel_tui.rules.errors import InvalidInputError
from panel_tui.rules.when import parse_date, parse_time

if TYPE_CHECKING:
    from panel_tui.store.ledger import Ledger


def _ledger(args: argparse.Namespace) -> Ledger:
    # Imported here: every command builds the parser, which imports this module,
    # and only writes need the operations (and the form models they validate).
    from panel_tui.store.ledger import Ledger

    store = open_store(args)
    return Ledger(store, acting(store, args))


def _done(args: argparse.Namespace, message: str, **data: Any) -> int:
    if getattr(args, "format", "table") == "json":
        emit_json({"ok": True, **data})
    else:
        say(message)
    return 0


def _changed(args: argparse.Namespace, message: str, **data: Any) -> int:
    """``_done`` for a change to the dispute ``args.ref`` (named in the JSON too)."""
    return _done(args, message, ref=args.ref.upper(), **data)


def cmd_open(args: argparse.Namespace) -> int:
    if args.template:
        from panel_tui.cli.docs import form_template, template_codes

        emit_json(form_template(*template_codes(args.db)))
        return 0
    data = parse_json(read_input(args.json, "--json"), "--json")
    if not isinstance(data, dict):
        raise InvalidInputError(
            "the form must be one JSON object of form fields: "
            "'panel-tui open --template' prints one to start from",
            field="--json",
        )
    ledger = _ledger(args)
    ref = ledger.open_dispute(data)
    return _done(args, f"opened {ref}", ref=ref)


def cmd_escalate(args: argparse.Namespace) -> int:
    stage = _ledger(args).escalate(
        args.ref,
        note=args.note or "",
        breach_reason=args.breach_reason or "",
        impact=args.impact,
        expected_version=args.expect_version,
    )
    return _changed(
        args,
        f"{args.ref.upper()} escalated to stage {int(stage)} ({stage.label})",
        stage=int(stage),
    )


def cmd_cover(args: argparse.Namespace) -> int:
    review = parse_time(args.review, "--review") if args.review else None
    _ledger(args).assign_cover(
        args.ref,
        args.provider,
        args.level,
        review_at=review,
        expected_version=args.expect_version,
    )
    return _changed(
        args, f"interim cover by {args.provider.upper()} assigned to {args.ref.upper()}"
    )


def cmd_provisional(args: argparse.Namespace) -> int:
    until = parse_time(args.until, "--until") if args.until else None
    package = _ledger(args).start_provisional(
        args.ref,
        args.coordinator,
        args.actions,
        days=args.days,
        ends_at=until,
        expected_version=args.expect_version,
    )
    return _changed(
        args, f"provisional package {package} started on {args.ref.upper()}", package=package
    )


def cmd_contact(args: argparse.Namespace) -> int:
    _ledger(args).log_contact(
        args.ref,
        args.method,
        args.outcome,
        args.note or "",
        expected_version=args.expect_version,
    )
    return _changed(args, f"contact attempt logged on {args.ref.upper()}")


def cmd_decide(args: argparse.Namespace) -> int:
    decision = _ledger(args).record_decision(
        args.ref,
        args.outcome,
        args.rationale,
        parse_date(args.review, "--review"),
        receiving_agency=args.receiving,
        pathway=args.pathway or "",
        final=args.final,
        expected_version=args.expect_version,
    )
    kind = "final determination" if args.final else "decision"
    return _changed(args, f"{kind} {decision} recorded on {args.ref.upper()}", decision=decision)


def cmd_accept(args: argparse.Namespace) -> int:
    _ledger(args).confirm_acceptance(
        args.ref,
        args.start_plan,
        parse_date(args.start, "--start"),
        expected_version=args.expect_version,
    )
    return _changed(args, f"{args.ref.upper()} accepted and closed")


def cmd_withdraw(args: argparse.Namespace) -> int:
    _ledger(args).withdraw(args.ref, args.reason, expected_version=args.expect_version)
    return _changed(args, f"{args.ref.upper()} withdrawn")


def cmd_note(args: argparse.Namespace) -> int:
    _ledger(args).add_note(args.ref, " ".join(args.text))
    return _changed(args, f"note added to {args.ref.upper()}")


def cmd_holder(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from panel_tui.rules.when import parse_duration

    now = datetime.now(UTC)
    period = parse_duration(args.period, "--period") if args.period else None
    _ledger(args).assign_plan_holder(
        args.ref,
        args.login,
        period_ends=now + period if period else None,
        next_sync=parse_time(args.next_sync, "--next-sync") if args.next_sync else None,
        expected_version=args.expect_version,
    )
    return _changed(args, f"{args.login} now holds the plan for {args.ref.upper()}")


def cmd_sync(args: argparse.Namespace) -> int:
    _ledger(args).record_sync(
        args.ref,
        args.trigger,
        args.participants,
        args.outcome,
        held_at=parse_time(args.held, "--held") if args.held else None,
        next_due=parse_time(args.next, "--next") if args.next else None,
        expected_version=args.expect_version,
    )
    return _changed(args, f"case synchronisation recorded on {args.ref.upper()}")


def cmd_consent(args: argparse.Namespace) -> int:
    agencies = [code for item in args.agencies for code in item.replace(",", " ").split()]
    _ledger(args).record_consent(
        args.ref,
        agencies,
        args.purpose,
        parse_date(args.review, "--review"),
        expected_version=args.expect_version,
    )
    return _changed(args, f"consent scope recorded on {args.ref.upper()}")


def cmd_evidence(args: argparse.Namespace) -> int:
    _ledger(args).record_evidence(
        args.ref, args.key, args.present, args.note or "", expected_version=args.expect_version
    )
    state = "present" if args.present else "absent"
    return _changed(args, f"{args.key} recorded as {state} on {args.ref.upper()}")


def cmd_edit(args: argparse.Namespace) -> int:
    changes: dict[str, str] = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep:
            raise InvalidInputError(f"'{item}' is not FIELD=VALUE", field="--set")
        changes[name.strip()] = value
    version = _ledger(args).edit_form(args.ref, changes, expected_version=args.expect_version)
    return _changed(args, f"{args.ref.upper()} form updated", version=version)


def cmd_pathway(args: argparse.Namespace) -> int:
    package = _ledger(args).record_pathway(
        args.ref, args.pathway, expected_version=args.expect_version
    )
    return _changed(
        args,
        f"provisional package {package} of {args.ref.upper()} converted to: {args.pathway}",
        package=package,
    )


def cmd_trigger(args: argparse.Namespace) -> int:
    due = _ledger(args).review_trigger(
        args.ref, args.trigger, args.note, expected_version=args.expect_version
    )
    return _changed(
        args,
        f"{args.trigger.replace('_', ' ')} recorded on {args.ref.upper()}: review due "
        f"{due.isoformat()}",
        review_due_on=due.isoformat(),
    )


def cmd_review(args: argparse.Namespace) -> int:
    following = None if args.no_next else parse_date(args.next, "--next")
    _ledger(args).record_review(
        args.ref, args.note, following, expected_version=args.expect_version
    )
    tail = f"next review {following.isoformat()}" if following else "no further review set"
    return _changed(
        args,
        f"review of {args.ref.upper()} recorded; {tail}",
        review_due_on=following.isoformat() if following else None,
    )


def cmd_rerate(args: argparse.Namespace) -> int:
    _ledger(args).rerate_risk(args.ref, args.risk, args.note, expected_version=args.expect_version)
    return _changed(args, f"{args.ref.upper()} re-rated {args.risk}", risk=args.risk)
