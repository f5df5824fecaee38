"""New / edit dispute: the structured form with field-level messages and a kept draft.

Every problem is shown beside its field (rules.forms.form_errors) before
anything is sent; the store's own refusals (an unknown agency, a stale
write) land beside their field too. What is typed is kept as a draft while
typing (``screens/drafts.py``: only the changed fields, with where they
started) and comes back if the screen is left or the app stops; a field
someone else changed meanwhile is shown, with their text, for the user to
choose. Nothing can be typed before the values are in. The long
texts (problem, pathway, rule conflict, evidence, interim actions, requested
decision) are wrapped text areas: enter starts a new line, tab moves on.
"""

from __future__ import annotations

import contextlib
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Checkbox, Footer, Header, Input, Label, Select, Static, TextArea

from panel_tui.messages import ForwardWorkerErrors
from panel_tui.rules.enums import DisputeType, EvidenceKey, Risk
from panel_tui.rules.errors import DomainError, InvalidInputError, StaleWriteError
from panel_tui.rules.fields import FORM_FIELDS, LONG_TEXT_FIELDS, TEXT_FIELDS
from panel_tui.rules.forms import form_errors
from panel_tui.rules.text import visible
from panel_tui.screens import drafts
from panel_tui.screens.base import PanelScreen, retrying
from panel_tui.screens.drafts import Value
from panel_tui.screens.modals import field_message
from panel_tui.store.read import orm_detail, orm_queries
from panel_tui.store.read.dispute_models import DisputeDetail
from panel_tui.widgets.choices import plain_options
from panel_tui.widgets.evidence import StateCheckbox

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


class DisputeFormScreen(ForwardWorkerErrors, PanelScreen[str | None]):
    """Open a dispute (no ``detail``) or edit the form of one."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit", id="form.submit", priority=True),
        Binding("escape", "leave", "Back (draft kept)", id="form.leave"),
        Binding("ctrl+r", "reload", "Reload dispute", show=False, id="form.reload"),
        Binding("ctrl+t", "theirs", "Take theirs", show=False, id="form.theirs"),
    ]

    def __init__(self, detail: DisputeDetail | None = None) -> None:
        super().__init__()
        self.detail = detail
        self.version = detail.version if detail else None
        self._agencies: list[tuple[str, str]] = []
        self._loaded = False
        self._store_id = ""
        self._starts: dict[str, Value] = {}  # widget id -> the value the user started from
        self._theirs: dict[str, Value] = {}  # widget id -> someone else's newer value

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
                        yield Select(
                            [], id=f"f-{name}", prompt="choose…", compact=True, disabled=True
                        )
                    elif long:
                        yield TextArea(
                            id=f"f-{name}",
                            placeholder=FORM_FIELDS[name],
                            compact=True,
                            disabled=True,
                        )
                    else:
                        yield Input(
                            id=f"f-{name}",
                            placeholder=FORM_FIELDS[name],
                            compact=True,
                            disabled=True,
                        )
                yield Static("", id=f"err-{name}", classes="form-error")
            yield Static(
                "Minimum evidence (tick what is present; a note when absent)",
                classes="section-title",
            )
            for key in EvidenceKey:
                with Horizontal(classes="form-row"):
                    yield StateCheckbox(
                        key.label, id=f"ev-{key.value}", compact=True, disabled=True
                    )
                    yield Input(
                        id=f"evn-{key.value}", placeholder="note", compact=True, disabled=True
                    )
                yield Static("", id=f"err-evidence-{key.value}", classes="form-error")
        yield Footer()

    def on_mount(self) -> None:
        for box in self.query(".form-error"):
            box.display = False
        # Every field is disabled until the values are in: nothing typed is thrown away.
        # Keys typed meanwhile wait (keyorder.py) and land in the fields once they are in.
        self.query_one("#form-message", Static).update("loading…")
        self.panel.hold("form")
        self._prepare()

    @work(thread=True, group="form-load", exit_on_error=False)
    def _prepare(self) -> None:
        app = self.panel
        try:
            agencies = retrying(app, lambda: orm_queries.agencies(app.store))
            identity = retrying(app, lambda: app.store.identity())
        except BaseException:
            app.call_from_thread(app.release, "form")
            raise
        options = [(visible(f"{a.code} {a.name}", multiline=False), a.code) for a in agencies]
        self.app.call_from_thread(self._fill, options, identity)

    def _fill(self, agencies: list[tuple[str, str]], store_id: str) -> None:
        try:
            self._fill_values(agencies, store_id)
        finally:
            self.panel.release("form")

    def _fill_values(self, agencies: list[tuple[str, str]], store_id: str) -> None:
        self._agencies, self._store_id = agencies, store_id
        for name, options in {**CHOICES, "raising_agency": agencies}.items():
            self.query_one(f"#f-{name}", Select).set_options(plain_options(options))
        self._set_values(self._from_detail() if self.detail else {})
        self._starts = self._widget_values()
        for widget in self._inputs():
            # An edit changes the texts only; evidence goes through 'x' on the detail screen.
            name = (widget.id or "")[2:]
            widget.disabled = bool(self.detail) and name not in TEXT_FIELDS
        self.show_errors({}, "")
        draft = drafts.load(self._draft_path, store_id, self._ref)
        if draft is not None:
            self._merge(draft.starts, draft.values)
            self.notify("Restored your unsaved draft.")
        self._loaded = True
        first = "consent_basis" if self.detail else "person_ref"
        self.query_one(f"#f-{first}").focus()

    @property
    def _ref(self) -> str | None:
        return self.detail.ref if self.detail else None

    @property
    def _draft_path(self):  # noqa: ANN202
        return drafts.path_for(self._store_id, self._ref)

    def _inputs(self) -> list[Input | TextArea | Select | Checkbox]:
        form = self.query_one("#dispute-form")
        return list(form.query("Input, TextArea, Select, Checkbox").results())  # type: ignore[arg-type]

    def _widget_values(self) -> dict[str, Value]:
        """Every field as its widget holds it, by widget id."""
        out: dict[str, Value] = {}
        for widget in self._inputs():
            if isinstance(widget, Select):
                value: Value = "" if widget.value is Select.NULL else str(widget.value)
            elif isinstance(widget, TextArea):
                value = widget.text
            else:
                value = widget.value
            out[widget.id or ""] = value
        return out

    def _set_widget_values(self, values: dict[str, Value]) -> None:
        for widget in self._inputs():
            if widget.id not in values:
                continue
            value = values[widget.id]
            if isinstance(widget, Select):
                codes = {v for _, v in (CHOICES.get(widget.id[2:]) or self._agencies)}
                widget.value = value if value in codes else Select.NULL
            elif isinstance(widget, TextArea):
                widget.text = str(value)
            elif isinstance(widget, Checkbox):
                widget.value = bool(value)
            else:
                widget.value = str(value)

    def _merge(self, starts: dict[str, Value], mine: dict[str, Value]) -> None:
        """Show the store's values with the user's changes on them (drafts.merge).

        ``self._starts`` holds the store's current values; a field both the user
        and someone else changed keeps the user's text and shows theirs beside it.
        """
        merged = drafts.merge(self._starts, starts, mine)
        self._set_widget_values(merged.values)
        self._theirs = merged.theirs
        self._show_theirs()

    def _show_theirs(self) -> None:
        for widget_id, value in self._theirs.items():
            box = self.query_one(f"#err-{widget_id[2:]}", Static)
            box.update(
                f"▲ changed by someone else since you started, to: «{value}». "
                "Yours is in the field: ctrl+s saves yours, ctrl+t takes theirs."
            )
            box.display = True
        if self._theirs:
            names = ", ".join(SHORT.get(w[2:], w) for w in self._theirs)
            self._message(
                f"▲ Changed by someone else meanwhile: {names}. Choose for each (see ▲ below).",
                stale=True,
            )

    def action_theirs(self) -> None:
        """Take someone else's value for the focused conflicting field (or the first one)."""
        if not self._theirs:
            return
        focused = self.focused.id if self.focused is not None else None
        widget_id = focused if focused in self._theirs else next(iter(self._theirs))
        self._set_widget_values({widget_id: self._theirs.pop(widget_id)})
        self.query_one(f"#err-{widget_id[2:]}").display = False
        if not self._theirs:
            self._message("")
        self.query_one(f"#{widget_id}").focus()

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
    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _changed(self) -> None:
        if self._loaded:
            self.set_timer(0.4, self._save_draft, name="draft")

    def _changes(self) -> dict[str, Value]:
        """What the user changed: the fields whose value differs from where it started."""
        return {
            name: value
            for name, value in self._widget_values().items()
            if not drafts.same(value, self._starts.get(name, value))
        }

    def _save_draft(self) -> None:
        if not self._loaded:
            return
        changed = self._changes()
        draft = drafts.Draft(
            self._store_id,
            self._ref,
            self.version,
            starts={name: self._starts[name] for name in changed},
            values=changed,
        )
        with contextlib.suppress(OSError):  # a draft is a convenience: never interrupt typing
            drafts.save(self._draft_path, draft)

    def _drop_draft(self) -> None:
        if self._store_id:
            drafts.drop(self._draft_path)

    # --- messages -----------------------------------------------------------------------
    def _message(self, message: str, *, stale: bool = False) -> None:
        top = self.query_one("#form-message", Static)
        top.update(Text(visible(message)))  # messages quote what was typed: never markup
        top.display = bool(message)
        top.set_class(stale, "-stale")

    def show_errors(
        self, errors: dict[str, str], message: str = "", *, stale: bool = False
    ) -> None:
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
        if errors and not message:
            message = f"✖ {len(errors)} problem(s): fix the fields marked ✖, then ctrl+s."
        self._message(message, stale=stale)
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
        changed = self._changes()
        changes = {k: data[k] for k in TEXT_FIELDS if f"f-{k}" in changed}
        if not changes:
            self.notify("Nothing changed.")
            return
        self._send(changes)

    @work(thread=True, exclusive=True, group="form-submit", exit_on_error=False)
    def _send(self, data: dict[str, Any]) -> None:
        app = self.panel
        ledger = app.ledger()
        try:
            if self.detail is None:
                result = retrying(app, lambda: ledger.open_dispute(data))
            else:
                ref = self.detail.ref
                retrying(app, lambda: ledger.edit_form(ref, data, expected_version=self.version))
                result = ref
        except StaleWriteError as exc:
            self.app.call_from_thread(
                self.show_errors,
                {},
                f"▲ {exc}\nctrl+r reloads the dispute and keeps what you typed.",
                stale=True,
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
        app = self.panel
        detail = retrying(app, lambda: orm_detail.dispute_detail(app.store, ref, app.now()))
        self.app.call_from_thread(self._reloaded, detail)

    def _reloaded(self, detail: DisputeDetail) -> None:
        """Show the dispute as it is now, with the user's changes on it (see ``_merge``)."""
        starts, mine = self._starts, self._widget_values()
        self.detail, self.version = detail, detail.version
        self.show_errors({}, "")
        self._set_values(self._from_detail())
        self._starts = self._widget_values()
        self._merge(starts, mine)
        if not self._theirs:
            self.notify(f"Reloaded {detail.ref}; your changes are kept. ctrl+s to save them.")
        self._save_draft()

    def unsaved(self) -> str | None:
        """Nothing is lost by leaving: what was typed is written to its draft now."""
        self._save_draft()
        return None

    def action_leave(self) -> None:
        if self._loaded:
            self._save_draft()
            if self._changes():
                where = f"you edit {self._ref} again" if self.detail else "you open a new dispute"
                self.notify(f"Draft kept: it comes back when {where}.")
        self.dismiss(None)


def _plain(errors: dict[str, str], data: dict[str, Any]) -> dict[str, str]:
    """Say what to do for empty choices instead of the validator's wording."""
    for name in ("dispute_type", "risk", "raising_agency"):
        if name in errors and not data.get(name):
            errors[name] = "choose one (enter opens the list)"
    if "responding_agencies" in errors and not data.get("responding_agencies"):
        errors["responding_agencies"] = "name at least one agency code, e.g. MCO (comma-separated)"
    return errors
