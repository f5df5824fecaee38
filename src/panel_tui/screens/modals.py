"""Keyboard-first modals: ctrl+s submits, escape cancels, each dismisses with its result.

``FormModal`` is one dialog described by its fields. It runs its store call in
a thread worker and only dismisses when the store accepted the change, so a
refusal is shown beside the field it is about and nothing typed is lost. A
stale write (someone else changed the dispute) says who and when and offers
ctrl+r to reload the dispute, keeping the input. A ``long`` field (a rationale,
a note, a reason) is a wrapped text area that grows as it fills: enter starts a
new line there, tab moves on, ctrl+s still saves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static, TextArea

from panel_tui.messages import ForwardWorkerErrors
from panel_tui.rules.errors import DomainError, InvalidInputError, StaleWriteError
from panel_tui.rules.text import visible
from panel_tui.screens.base import retrying
from panel_tui.widgets.choices import plain_options

MODAL_CSS = """
FormModal, AskModal, ConfirmModal { align: center middle; }
FormModal > VerticalScroll, AskModal > VerticalScroll, ConfirmModal > VerticalScroll {
    width: 76; max-width: 100%; height: auto; max-height: 100%;
    border: round $accent; background: $panel; padding: 0 1;
}
FormModal .title, AskModal .title, ConfirmModal .title { text-style: bold; }
FormModal .field-label { margin-top: 1; color: $text-muted; }
FormModal TextArea { height: auto; min-height: 2; max-height: 6; padding: 0; }
FormModal .error { color: $error; text-style: bold; }
FormModal #message { color: $error; text-style: bold; margin-top: 1; }
FormModal #message.-stale { color: $warning; }
FormModal .hint, AskModal .hint, ConfirmModal .hint { color: $text-muted; margin-top: 1; }
"""


@dataclass
class Field:
    """One input of a modal. ``options`` makes it a choice of (label, value).

    ``long`` makes it a wrapped, multi-line text area, for sentences rather
    than names, dates or codes.
    """

    name: str
    label: str
    value: str = ""
    options: Sequence[tuple[str, str]] = ()
    placeholder: str = ""
    aliases: tuple[str, ...] = field(default_factory=tuple)  # store field names it answers for
    long: bool = False


#: A check of a dialog's values before the store is asked: raises InvalidInputError naming
#: its field. Every check runs, so every field's problem is shown at once.
Check = Callable[[dict[str, str]], object]


def field_message(error: InvalidInputError) -> str:
    """The message without its "field 'x': " prefix, for showing beside the field."""
    prefix = f"field '{error.field}': "
    text = error.message
    return text[len(prefix) :] if text.startswith(prefix) else text


class FormModal(ForwardWorkerErrors, ModalScreen[Any]):
    """A dialog of fields whose submit runs ``submit(values)`` in a worker."""

    DEFAULT_CSS = MODAL_CSS
    BINDINGS = [
        Binding("ctrl+s", "submit", "Save", id="modal.submit", priority=True),
        Binding("escape", "cancel", "Cancel", id="modal.cancel"),
        Binding("ctrl+r", "reload", "Reload", id="modal.reload", show=False),
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[Field],
        submit: Callable[[dict[str, str]], Any],
        *,
        intro: str = "",
        reload: Callable[[], None] | None = None,
        checks: Sequence[Check] = (),
    ) -> None:
        super().__init__()
        self._title, self._fields, self._submit = title, list(fields), submit
        self._checks = list(checks)
        self._intro, self._reload = intro, reload
        self._busy = False
        self._reconfirm = ""  # set when a reload changed what saving would do

    def compose(self) -> ComposeResult:
        # With fields to move through, tab cycles them: the box itself is not a stop.
        with VerticalScroll(can_focus=not self._fields):
            yield Static(self._title, classes="title", id="title")
            if self._intro:
                yield Static(self._intro, id="intro")
            for f in self._fields:
                yield Label(f.label, classes="field-label")
                if f.options:
                    yield Select(
                        plain_options(f.options),
                        value=f.value if f.value else Select.NULL,
                        allow_blank=not f.value,
                        prompt="choose…",
                        id=f"f-{f.name}",
                        compact=True,
                    )
                elif f.long:
                    yield TextArea(
                        f.value, placeholder=f.placeholder, id=f"f-{f.name}", compact=True
                    )
                else:
                    yield Input(f.value, placeholder=f.placeholder, id=f"f-{f.name}", compact=True)
                yield Static("", id=f"err-{f.name}", classes="error")
            yield Static("", id="message")
            hint = "ctrl+s save · esc cancel"
            if any(f.long for f in self._fields):
                hint = "enter new line · tab next field · " + hint
            yield Static(hint, classes="hint")

    def on_mount(self) -> None:
        for error in self.query(".error"):
            error.display = False
        self.query_one("#message").display = False
        if self._fields:  # the scroll container would take focus first otherwise
            self.query_one(f"#f-{self._fields[0].name}").focus()

    def values(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for f in self._fields:
            widget = self.query_one(f"#f-{f.name}")
            if isinstance(widget, Select):
                out[f.name] = "" if widget.value is Select.NULL else str(widget.value)
            elif isinstance(widget, TextArea):
                out[f.name] = widget.text
            else:
                assert isinstance(widget, Input)
                out[f.name] = widget.value
        return out

    def _clear(self) -> None:
        for error in self.query(".error"):
            error.display = False
        message = self.query_one("#message", Static)
        message.display = False
        message.remove_class("-stale")

    def _say(self, text: str, *, stale: bool = False) -> None:
        message = self.query_one("#message", Static)
        message.update(text)
        message.set_class(stale, "-stale")
        message.display = bool(text)

    def problems(self, values: dict[str, str]) -> dict[str, str]:
        """Every field's problem (field name → message), in the order of the fields.

        The same checks the store makes on this input (rules/), run before it is
        asked, so an empty provider and a short rationale are shown together
        rather than one per ctrl+s. The store still checks everything.
        """
        found: dict[str, str] = {}
        for check in self._checks:
            try:
                check(values)
            except InvalidInputError as error:
                name = self._field_named(error.field)
                if name is not None and name not in found:
                    found[name] = field_message(error)
        order = [f.name for f in self._fields]
        return dict(sorted(found.items(), key=lambda item: order.index(item[0])))

    def _field_named(self, store_name: str | None) -> str | None:
        for f in self._fields:
            if store_name in (f.name, *f.aliases):
                return f.name
        return None

    def show_problems(self, found: dict[str, str]) -> None:
        """Each problem beside its field; the focus on the first."""
        self._clear()
        for name, text in found.items():
            box = self.query_one(f"#err-{name}", Static)
            box.update(Text(visible(f"✖ {text}")))  # messages quote typed text: never markup
            box.display = True
        if len(found) > 1:
            self._say(f"✖ {len(found)} problems: fix the fields marked ✖, then ctrl+s.")
        self._focus_problem(next(iter(found)))

    def _focus_problem(self, name: str) -> None:
        """The focus on field ``name``; once laid out, the field and its message in view.

        The message's line has only just appeared: Textual's own scroll on focus ran
        before that layout or, the field already focused, not at all, so whether the
        message was in view depended on timing (the review dialog's snapshot differed
        by a line from run to run).
        """
        field = self.query_one(f"#f-{name}")
        box = self.query_one(f"#err-{name}")
        field.focus(scroll_visible=False)

        def into_view() -> None:
            field.scroll_visible(animate=False, immediate=True)
            box.scroll_visible(animate=False, immediate=True)

        self.call_after_refresh(into_view)

    def show_error(self, error: Exception) -> None:
        self._busy = False
        self._clear()
        if isinstance(error, InvalidInputError) and error.field:
            for f in self._fields:
                if error.field in (f.name, *f.aliases):
                    box = self.query_one(f"#err-{f.name}", Static)
                    box.update(Text(visible(f"✖ {field_message(error)}")))
                    box.display = True
                    self._focus_problem(f.name)
                    return
        message = self.query_one("#message", Static)
        if isinstance(error, StaleWriteError):
            message.add_class("-stale")
            message.update(
                Text(visible(f"▲ {error}\nctrl+r reloads the dispute and keeps what you typed."))
            )
        else:
            message.update(Text(visible(f"✖ {error}")))  # errors quote typed text: never markup
        message.display = True

    def action_submit(self) -> None:
        if self._busy:
            return
        if self._reconfirm:
            self._say(
                f"▲ Now: {self._reconfirm}\nctrl+s again to go ahead · esc cancel", stale=True
            )
            self._reconfirm = ""
            return
        values = self.values()
        found = self.problems(values)
        if found:
            self.show_problems(found)
            return
        self._busy = True
        self._run(values)

    @work(thread=True, exclusive=True, group="modal-submit", exit_on_error=False)
    def _run(self, values: dict[str, str]) -> None:
        try:
            result = retrying(self.app, lambda: self._submit(values))  # type: ignore[arg-type]
        except (DomainError, ValueError) as exc:
            self.app.call_from_thread(self.show_error, exc)
            return
        except Exception as exc:  # never a traceback: say it, keep the input
            self.log.error(f"submit failed: {exc!r}")
            self.app.call_from_thread(self.show_error, exc)
            return
        self.app.call_from_thread(self.dismiss, result if result is not None else True)

    def unsaved(self) -> str | None:
        """What would be lost by leaving now (None: nothing typed)."""
        values = self.values()
        typed = [f.label for f in self._fields if values[f.name].strip() != f.value.strip()]
        return f"what you typed in {self._title} ({', '.join(typed)})" if typed else None

    def action_cancel(self) -> None:
        lost = self.unsaved()
        if lost is None:
            self.dismiss(None)
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss(None)

        self.app.push_screen(ConfirmModal("Leave without saving?", f"You lose {lost}."), answered)

    def action_reload(self) -> None:
        if self._reload is not None:
            self._busy = True  # nothing is saved until the dialog shows the dispute as it is
            self._clear()
            self._say("reloading…")
            self._reload()

    async def refit(self, fresh: FormModal) -> None:
        """Become ``fresh`` (the same dialog built from the reloaded dispute), keeping input.

        A field the user did not change takes its new value; one the user changed
        keeps the user's text, and if the dispute's own value moved too, the new
        value is shown beside it (the same three-way merge as drafts).
        """
        from panel_tui.screens.drafts import merge

        before = {f.name: f.value for f in self._fields}
        mine = self.values()
        meaning_changed = bool(self._intro) and fresh._intro != self._intro
        names_changed = [f.name for f in fresh._fields] != [f.name for f in self._fields]
        self._title, self._fields, self._submit = fresh._title, fresh._fields, fresh._submit
        self._checks = fresh._checks
        self._intro = fresh._intro
        if names_changed:
            await self.recompose()
            self.on_mount()
        else:
            self.query_one("#title", Static).update(self._title)
            if self._intro:
                self.query_one("#intro", Static).update(self._intro)
        current = {f.name: f.value for f in self._fields}
        merged = merge(current, before, {k: v for k, v in mine.items() if k in current})
        self._set_values({k: str(v) for k, v in merged.values.items()})
        self._busy = False
        self._clear()
        for name, theirs in merged.theirs.items():
            box = self.query_one(f"#err-{name}", Static)
            box.update(f"▲ now «{theirs}» in the dispute; yours is kept: ctrl+s saves yours")
            box.display = True
        if meaning_changed:
            self._reconfirm = self._intro
            self._say(f"▲ The dispute moved on. Now: {self._intro}", stale=True)
        else:
            self.notify("Reloaded the dispute; your input is kept. ctrl+s to save again.")

    def _set_values(self, values: dict[str, str]) -> None:
        for f in self._fields:
            if f.name not in values:
                continue
            widget = self.query_one(f"#f-{f.name}")
            value = values[f.name]
            if isinstance(widget, Select):
                codes = {v for _, v in f.options}
                widget.value = value if value in codes else Select.NULL
            elif isinstance(widget, TextArea):
                widget.text = value
            else:
                assert isinstance(widget, Input)
                widget.value = value


class AskModal(ModalScreen[str | None]):
    """One line of input (go to a dispute, add to the agenda)."""

    DEFAULT_CSS = MODAL_CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="ask.cancel")]

    def __init__(self, title: str, placeholder: str = "") -> None:
        super().__init__()
        self._title, self._placeholder = title, placeholder

    def compose(self) -> ComposeResult:
        with VerticalScroll(can_focus=False):  # the one input keeps the focus
            yield Static(self._title, classes="title")
            yield Input(placeholder=self._placeholder, compact=True)
            yield Static("enter ok · esc cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmModal(ModalScreen[bool]):
    """A question answered with y or n (esc is n): leaving with unsaved typing, quitting."""

    DEFAULT_CSS = MODAL_CSS
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self._question, self._detail = question, detail

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self._question, classes="title")
            if self._detail:
                yield Static(self._detail)
            yield Static("y yes · n no", classes="hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
