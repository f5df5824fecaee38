"""New / edit dispute: the structured form with field-level messages and a kept draft.

Every problem is shown beside its field (rules.forms.form_errors) before
anything is sent; the store's own refusals (an unknown agency, a stale
write) land beside their field too. What is typed is saved as a draft while
typing, and comes back if the screen is left or the app stops. The long
texts (problem, pathway, rule conflict, evidence, interim actions, requested
decision) are wrapped text areas: enter starts a new line, tab moves on.
"""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Checkbox, Footer, Header, Input, Label, Select, Static, TextArea

from panel_tui.config import drafts_dir
from panel_tui.messages import ForwardWorkerErrors
from panel_tui.rules.enums import DisputeType, EvidenceKey, Risk
from panel_tui.rules.errors import DomainError, InvalidInputError, StaleWriteError
from panel_tui.rules.fields import FORM_FIELDS, LONG_TEXT_FIELDS, TEXT_FIELDS
from panel_tui.rules.forms import form_errors
from panel_tui.rules.text import visible
from panel_tui.screens.base import retrying
from panel_tui.screens.modals import field_message
from panel_tui.store.private_files import private_dir, write_private
from panel_tui.store.read import orm_detail, orm_queries
from panel_tui.store.read.dispute_models import DisputeDetail

CHOICES = {
    "dispute_type": [(t.value, t.value) for t in DisputeType],
    "risk": [(r.value, r.value) for r in Risk],
}
SHORT = {
    "person_ref": "Person ref",
    "dispute_type": "Type",
    "risk": "Risk",
    "raising_agency": "Raising agency",
    "responding_agencies": "Responding",
    "consent_basis": "Consent / basis",
    "problem_statement": "Problem",
    "proposed_pathway": "Proposed pathway",
    "rule_conflict": "Rule conflict",
    "evidence_summary": "Evidence summary",
    "interim_risk_actions": "Interim risk actions",
    "requested_decision": "Requested decision",
}


class DisputeFormScreen(ForwardWorkerErrors, Screen[str | None]):
    """Open a dispute (no ``detail``) or edit the form of one."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit", id="form.submit", priority=True),
        Binding("escape", "leave", "Back (draft kept)", id="form.leave"),
        Binding("ctrl+r", "reload", "Reload dispute", show=False, id="form.reload"),
    ]

    def __init__(self, detail: DisputeDetail | None = None) -> None:
        super().__init__()
        self.detail = detail
        self.version = detail.version if detail else None
        self._draft_file = drafts_dir() / f"{detail.ref if detail else 'new'}.json"
        self._agencies: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        title = f"Edit the form of {self.detail.ref}" if self.detail else "New dispute"
        yield Header(show_clock=False)
        with VerticalScroll(id="dispute-form"):
            yield Static(title, classes="section-title")
            yield Static("", id="form-message")
            for name in FORM_FIELDS:
                long = name in LONG_TEXT_FIELDS
                with Horizontal(classes="form-row -long" if long else "form-row"):
                    yield Label(SHORT[name], classes="form-label")
                    if name in CHOICES or name == "raising_agency":
                        yield Select([], id=f"f-{name}", prompt="choose…", compact=True)
                    elif long:
                        yield TextArea(id=f"f-{name}", placeholder=FORM_FIELDS[name], compact=True)
                    else:
                        yield Input(id=f"f-{name}", placeholder=FORM_FIELDS[name], compact=True)
                yield Static("", id=f"err-{name}", classes="form-error")
            yield Static(
                "Minimum evidence (tick what is present; a note when absent)",
                classes="section-title",
            )
            for key in EvidenceKey:
                with Horizontal(classes="form-row"):
                    yield Checkbox(key.label, id=f"ev-{key.value}", compact=True)
                    yield Input(id=f"evn-{key.value}", placeholder="note", compact=True)
                yield Static("", id=f"err-evidence-{key.value}", classes="form-error")
        yield Footer()

    def on_mount(self) -> None:
        for box in self.query(".form-error"):
            box.display = False
        self.query_one("#form-message").display = False
        self._prepare()

    @work(thread=True, group="form-load", exit_on_error=False)
    def _prepare(self) -> None:
        app = self.app
        agencies = retrying(app, lambda: orm_queries.agencies(app.store))  # type: ignore[attr-defined]
        self.app.call_from_thread(
            self._fill, [(visible(f"{a.code} {a.name}", multiline=False), a.code) for a in agencies]
        )

    def _fill(self, agencies: list[tuple[str, str]]) -> None:
        self._agencies = agencies
        for name, options in {**CHOICES, "raising_agency": agencies}.items():
            self.query_one(f"#f-{name}", Select).set_options(options)
        values = self._from_detail() if self.detail else {}
        draft = self._read_draft()
        if draft:
            values.update(draft)
            self.notify("Restored your unsaved draft.")
        self._set_values(values)
        if self.detail:
            for name in FORM_FIELDS:
                if name not in TEXT_FIELDS:
                    self.query_one(f"#f-{name}").disabled = True
            for key in EvidenceKey:  # evidence changes go through 'x' on the detail screen
                self.query_one(f"#ev-{key.value}").disabled = True
                self.query_one(f"#evn-{key.value}").disabled = True
        self._loaded = True
        first = "consent_basis" if self.detail else "person_ref"
        self.query_one(f"#f-{first}").focus()

    # --- values -----------------------------------------------------------------------
    def _from_detail(self) -> dict[str, Any]:
        d = self.detail
        assert d is not None
        # A control character an older store holds is shown (and saved, if edited) as its
        # visible escape: the field never sends it to the terminal (rules/text.py).
        values: dict[str, Any] = {name: visible(getattr(d, name)) for name in TEXT_FIELDS}
        values.update(
            person_ref=d.person_ref,
            dispute_type=d.dispute_type,
            risk=d.risk,
            raising_agency=d.raising_agency,
            responding_agencies=", ".join(d.responding_agencies),
        )
        values["evidence"] = {
            e.key: {"present": bool(e.present), "note": e.note} for e in d.evidence
        }
        return values

    def _set_values(self, values: dict[str, Any]) -> None:
        for name in FORM_FIELDS:
            if name not in values:
                continue
            widget = self.query_one(f"#f-{name}")
            value = values[name]
            if isinstance(widget, Select):
                codes = {v for _, v in (CHOICES.get(name) or self._agencies)}
                widget.value = value if value in codes else Select.NULL
            elif isinstance(widget, TextArea):
                widget.text = str(value or "")
            else:
                assert isinstance(widget, Input)
                widget.value = ", ".join(value) if isinstance(value, list) else str(value or "")
        for key, item in (values.get("evidence") or {}).items():
            if f"ev-{key}" in {w.id for w in self.query(Checkbox)}:
                self.query_one(f"#ev-{key}", Checkbox).value = bool(item.get("present"))
                self.query_one(f"#evn-{key}", Input).value = item.get("note", "")

    def values(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name in FORM_FIELDS:
            widget = self.query_one(f"#f-{name}")
            if isinstance(widget, Select):
                data[name] = "" if widget.value is Select.NULL else str(widget.value)
            elif isinstance(widget, TextArea):
                data[name] = widget.text
            else:
                assert isinstance(widget, Input)
                data[name] = widget.value
        data["responding_agencies"] = [
            c.strip() for c in data["responding_agencies"].replace(";", ",").split(",") if c.strip()
        ]
        data["evidence"] = {
            key.value: {
                "present": self.query_one(f"#ev-{key.value}", Checkbox).value,
                "note": self.query_one(f"#evn-{key.value}", Input).value,
            }
            for key in EvidenceKey
        }
        return data

    # --- the draft ----------------------------------------------------------------------
    def _read_draft(self) -> dict[str, Any]:
        try:
            return json.loads(self._draft_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _changed(self) -> None:
        if getattr(self, "_loaded", False):
            self.set_timer(0.4, self._save_draft, name="draft")

    def _save_draft(self) -> None:
        try:
            private_dir(self._draft_file.parent)  # drafts hold what people disclosed: 0700/0600
            write_private(self._draft_file, json.dumps(self.values()))
        except OSError:
            pass  # a draft is a convenience; never interrupt typing for it

    def _drop_draft(self) -> None:
        self._draft_file.unlink(missing_ok=True)

    # --- messages -----------------------------------------------------------------------
    def show_errors(self, errors: dict[str, str], message: str = "") -> None:
        for box in self.query(".form-error"):
            box.display = False
        first = None
        for name, text in errors.items():
            key = name if name in FORM_FIELDS or name.startswith("evidence.") else None
            if key is None:
                message = message or f"✖ {name}: {text}"
                continue
            box = self.query_one(f"#err-{key.replace('.', '-')}", Static)
            box.update(Text(visible(f"✖ {text}")))
            box.display = True
            first = first or key
        top = self.query_one("#form-message", Static)
        if errors and not message:
            message = f"✖ {len(errors)} problem(s): fix the fields marked ✖, then ctrl+s."
        top.update(Text(visible(message)))  # errors quote what was typed: never markup
        top.display = bool(message)
        top.set_class(message.startswith("▲"), "-stale")
        if first:
            target = (
                first.replace("evidence.", "evn-")
                if first.startswith("evidence.")
                else f"f-{first}"
            )
            self.query_one(f"#{target}").focus()
        self.query_one(VerticalScroll).scroll_home(animate=False) if not first else None

    # --- submit ---------------------------------------------------------------------------
    def action_submit(self) -> None:
        data = self.values()
        errors = _plain(form_errors(data), data)
        if errors:
            self.show_errors(errors)
            return
        self.show_errors({})
        if self.detail is None:
            self._send(data)
            return
        changes = {k: data[k] for k in TEXT_FIELDS if data[k].strip() != getattr(self.detail, k)}
        if not changes:
            self.notify("Nothing changed.")
            return
        self._send(changes)

    @work(thread=True, exclusive=True, group="form-submit", exit_on_error=False)
    def _send(self, data: dict[str, Any]) -> None:
        app = self.app
        ledger = app.ledger()  # type: ignore[attr-defined]
        try:
            if self.detail is None:
                result = retrying(app, lambda: ledger.open_dispute(data))  # type: ignore[arg-type]
            else:
                ref = self.detail.ref
                retrying(app, lambda: ledger.edit_form(ref, data, expected_version=self.version))  # type: ignore[arg-type]
                result = ref
        except StaleWriteError as exc:
            self.app.call_from_thread(
                self.show_errors,
                {},
                f"▲ {exc}\nctrl+r reloads the dispute and keeps what you typed.",
            )
            return
        except InvalidInputError as exc:
            self.app.call_from_thread(self.show_errors, {exc.field or "form": field_message(exc)})
            return
        except DomainError as exc:
            self.app.call_from_thread(self.show_errors, {}, f"✖ {exc}")
            return
        self.app.call_from_thread(self._sent, result)

    def _sent(self, ref: str) -> None:
        self._drop_draft()
        self.dismiss(ref)

    def action_reload(self) -> None:
        if self.detail is not None:
            self._reload(self.detail.ref)

    @work(thread=True, group="form-load", exit_on_error=False)
    def _reload(self, ref: str) -> None:
        app = self.app
        detail = retrying(app, lambda: orm_detail.dispute_detail(app.store, ref, app.now()))  # type: ignore[attr-defined]
        self.app.call_from_thread(self._reloaded, detail)

    def _reloaded(self, detail: DisputeDetail) -> None:
        self.detail, self.version = detail, detail.version
        self.show_errors({}, "")
        self.notify(f"Reloaded {detail.ref}; your input is kept. ctrl+s to save it.")

    def action_leave(self) -> None:
        if getattr(self, "_loaded", False) and not self.detail:
            self._save_draft()
            self.notify("Draft kept: it comes back when you open a new dispute.")
        self.dismiss(None)


def _plain(errors: dict[str, str], data: dict[str, Any]) -> dict[str, str]:
    """Say what to do for empty choices instead of the validator's wording."""
    for name in ("dispute_type", "risk", "raising_agency"):
        if name in errors and not data.get(name):
            errors[name] = "choose one (enter opens the list)"
    if "responding_agencies" in errors and not data.get("responding_agencies"):
        errors["responding_agencies"] = "name at least one agency code, e.g. MCO (comma-separated)"
    return errors
