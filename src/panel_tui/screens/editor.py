"""``ctrl+e``: write the focused long text (a note, a rationale, the form's paragraphs)
in ``$VISUAL`` or ``$EDITOR``.

The text goes to a private temporary file (0600, in a private directory), the
app hands the terminal to the editor (``App.suspend``) and takes the file back
when the editor exits. An editor that is missing or fails leaves the text as
it was and says why in one line. In a browser (``panel-tui serve``) there is no
terminal to hand over, and through the service account the editor would run as
the account (a shell escape away from the raw store), so there the key says so
instead.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from textual.app import App
from textual.widgets import TextArea

from panel_tui.store.private_files import open_private

FALLBACK = "vi"


def editor_command() -> list[str]:
    """$VISUAL, else $EDITOR, else vi, split as a shell would split it."""
    chosen = os.environ.get("VISUAL") or os.environ.get("EDITOR") or FALLBACK
    return shlex.split(chosen)


class EditorFailed(Exception):
    """The editor could not be run, or did not finish well: the text is unchanged."""


def _run(app: App, command: list[str], path: Path) -> None:
    try:
        if app._driver is not None and app._driver.can_suspend:
            with app.suspend():
                done = subprocess.run([*command, str(path)], check=False)
        else:  # headless (no terminal at all): the editor runs without one
            done = subprocess.run(
                [*command, str(path)],
                check=False,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
    except OSError as exc:
        raise EditorFailed(
            f"Could not run the editor {shlex.join(command)!r}: {exc.strerror or exc}. "
            "Set $EDITOR (or $VISUAL) to one that exists; the text is unchanged."
        ) from None
    if done.returncode != 0:
        raise EditorFailed(
            f"The editor {shlex.join(command)!r} exited with status {done.returncode}; "
            "the text is unchanged."
        )


def edit_text(app: App, text: str, *, suffix: str = ".txt") -> str:
    """``text`` after the person edited it in their editor (raises EditorFailed)."""
    command = editor_command()
    if not command:
        raise EditorFailed("$EDITOR is empty: set it to an editor; the text is unchanged.")
    with tempfile.TemporaryDirectory(prefix="panel-tui-edit-") as folder:  # 0700
        path = Path(folder) / f"text{suffix}"
        with open_private(path) as handle:  # 0600 from the first byte
            handle.write(text)
        _run(app, command, path)
        try:
            edited = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise EditorFailed(f"Could not read the edited text back: {exc}") from None
    # Editors add a final newline the person did not type.
    return edited[:-1] if edited.endswith("\n") and not text.endswith("\n") else edited


def edit_focused(app: App) -> None:
    """The ``ctrl+e`` action: the focused text area's text through the editor."""
    widget = app.focused
    if not isinstance(widget, TextArea) or widget.read_only:
        app.notify("ctrl+e edits a long text: move to one first (a note, a rationale).")
        return
    if app.is_web:
        app.notify(
            "An external editor cannot run in the browser: type the text here.",
            severity="warning",
        )
        return
    from panel_tui.service import service_context

    if service_context() is not None:
        # The editor would run as the store's account on the user's terminal: vi's
        # `:!sh` would be a shell that can open the raw store.
        app.notify(
            "An external editor cannot run through the store's service account: "
            "type the text here.",
            severity="warning",
        )
        return
    try:
        edited = edit_text(app, widget.text)
    except EditorFailed as exc:
        app.notify(str(exc), severity="error", timeout=10)
        return
    if edited != widget.text:
        widget.load_text(edited)
        widget.move_cursor(widget.document.end)
        # load_text posts no Changed: tell the screen, which keeps drafts and unsaved state.
        widget.post_message(TextArea.Changed(widget))
