"""The panel-tui App: identity, global keys, command palette, live refresh. Short on purpose.

Screens live in ``screens/``; this module wires them to the store. Live
refresh polls ``Store.data_version()`` in a thread worker and tells every
screen on the stack when another connection committed (on PostgreSQL a
listener hears each commit at once, store/pg_listen.py, and polling is only
its fallback while it reconnects); a slower timer tells them to re-evaluate
their clocks.

Started from the command line on a store that needs no migration, the app
paints the queue's first page from a quick read without the ORM (``store/read/quick_queue.py``)
and only then opens the Store, and learns who is acting, in a thread worker:
importing the ORM took about twice as long as Textual itself. Until then the
acting person has no roles (nothing to change is offered) and any screen that
needs the store waits for that one opening.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from panel_tui.config import Settings, config_path, load_settings
from panel_tui.keyorder import OrderedKeys
from panel_tui.messages import ClockTick, IdentityChanged, StoreChanged
from panel_tui.rules.errors import DomainError, StoreError
from panel_tui.rules.text import visible
from panel_tui.store.lazy import LazyStore
from panel_tui.store.read import quick_queue
from panel_tui.store.read.interrupt import Interrupt
from panel_tui.store.read.queue_models import QueueFilter, QueuePage
from panel_tui.widgets import glyphs

if TYPE_CHECKING:  # the ORM and the policy load after the first paint: see above
    from panel_tui.rules.policy import Policy
    from panel_tui.screens.shift import ShiftStartScreen
    from panel_tui.store.db import Store
    from panel_tui.store.ledger import Ledger
    from panel_tui.store.pg_listen import EventListener
    from panel_tui.store.read.changes import Changes
    from panel_tui.store.read.people_models import PersonView


_FROZEN: set[str] = set()
#: Seconds after the store opens before the dispute screen is built (the queue settles first).
PREBUILD_AFTER = 0.5
#: Seconds after the last change (store, clocks, user) before the shift-start view is read
#: ahead: a burst of commits is read once.
READ_AHEAD_AFTER = 1.0


def freeze_once(stage: str) -> None:
    """Move everything alive now to the collector's permanent generation, once per stage.

    What is imported (Textual, then the ORM) lives as long as the app, and every
    full collection walked it again: about 15 ms of the first paint, and pauses
    of 100 ms and more in the middle of a keystroke. Once per process, so a test
    run that makes many apps does not keep each one's garbage.
    """
    if stage not in _FROZEN:
        _FROZEN.add(stage)
        gc.freeze()


def resume_collection() -> None:
    """Collect cyclic garbage again, if the command line paused it for the start
    (cli/app_launch.py ``collector_paused``): what the start loaded is frozen by now."""
    gc.enable()


class PanelApp(OrderedKeys):
    """Inter-agency dispute resolution, in the terminal.

    Keys are routed one at a time (``keyorder.py``): keys pressed while the
    store opens, or while a dispute or a dialog is being prepared, wait for it
    and follow in order instead of being dropped or landing on the screen below.
    """

    CSS_PATH = "app.tcss"
    TITLE = "panel-tui"
    BINDINGS = [
        Binding("f1,question_mark", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
        # Priority: a text area binds ctrl+e itself (end of line); elsewhere it still does.
        Binding(
            "ctrl+e",
            "edit_externally",
            "Edit in $EDITOR",
            show=False,
            id="app.editor",
            priority=True,
        ),
        Binding("f2", "toggle_contrast", "High contrast", show=False, id="app.theme"),
    ]

    def __init__(
        self,
        store: Store | LazyStore,
        login: str,
        *,
        demo: bool = False,
        clock: Callable[[], datetime] | None = None,
        settings: Settings | None = None,
        head: quick_queue.StoreHead | None = None,
        ascii_glyphs: bool | None = None,
    ) -> None:
        """``store`` open, or to open after the first page painted from ``head``.

        ``ascii_glyphs``: draw ASCII in place of glyphs (widgets/glyphs.py); None guesses
        from the terminal (TERM=linux, a non-UTF-8 locale).
        """
        super().__init__()
        self.ascii_glyphs = glyphs.ascii_terminal() if ascii_glyphs is None else ascii_glyphs
        self._stores = store if isinstance(store, LazyStore) else LazyStore.ready(store)
        self._head = head
        self._opening = False
        if not self._stores.is_open:
            self.hold("store")  # released when the store is open: rights decide what keys do
        self.demo = demo
        self.settings = settings or load_settings()
        if self.settings.shift_start:
            # Keys wait until we know whether the shift-start view comes up: typed into
            # the queue, they would land on the wrong screen when it does.
            self.hold("shift")
        self._clock = clock or (lambda: datetime.now(UTC))
        self.login = login
        self.person: PersonView | None = None
        self._policy: Policy | None = None
        self._data_version: int | None = None
        self._listener: EventListener | None = None  # PostgreSQL: LISTEN, not polling
        freeze_once("imports")
        self._detail: Screen | None = None  # the one DisputeScreen, kept between disputes
        self._shift_screen: ShiftStartScreen | None = None  # likewise, the shift-start view
        self._shift_generation = 0  # one more each time the view read ahead goes stale
        self._shift_ahead: tuple[tuple[str, int, int], Changes] | None = None
        self._read_ahead_timer: Timer | None = None
        #: the dispute under the queue's cursor once it rests, read ahead (prepare_dispute)
        self.resting_on: str | None = None

    # --- what reaches the terminal ----------------------------------------------------
    def _build_driver(self, headless: bool, inline: bool, mouse: bool, size):  # noqa: ANN001, ANN202
        """The driver; on a terminal without the glyphs, everything written goes through
        ``glyphs.translate`` (one mechanism for every widget, ours and Textual's)."""
        driver = super()._build_driver(headless, inline, mouse, size)
        if self.ascii_glyphs:
            write = driver.write
            driver.write = lambda data: write(self.terminal_text(data))  # type: ignore[method-assign]
        return driver

    def terminal_text(self, data: str) -> str:
        """What is written to the terminal: glyphs as ASCII where they cannot be shown."""
        return glyphs.translate(data) if self.ascii_glyphs else data

    def get_key_display(self, binding: Binding) -> str:
        """Keys as the footer and help show them; in words where a glyph would not show."""
        if self.ascii_glyphs and not binding.key_display and binding.key in glyphs.KEY_WORDS:
            return glyphs.KEY_WORDS[binding.key]
        return super().get_key_display(binding)

    # --- the store and identity ----------------------------------------------------
    @property
    def store(self) -> Store:
        """The Store; before the background opening is done, this waits for it."""
        return self._stores.get()

    @property
    def store_is_open(self) -> bool:
        return self._stores.is_open

    @property
    def policy(self) -> Policy:
        if self._policy is None:
            self._policy = self.store.policy()
        return self._policy

    @property
    def roles(self) -> tuple[str, ...]:
        return self.person.roles if self.person and self.person.active else ()

    def now(self) -> datetime:
        return self._clock()

    def ledger(self) -> Ledger:
        from panel_tui.store.ledger import Ledger

        return Ledger(self.store, self.login, clock=self._clock)

    def _load_identity(self) -> None:
        self._show_identity(*self._read_identity())

    def _read_identity(self) -> tuple[PersonView | None, Policy, str]:
        from panel_tui.store.read import orm_queries

        store = self.store
        return orm_queries.person(store, self.login), store.policy(), store.kind()

    def _show_identity(self, person: PersonView | None, policy: Policy, kind: str) -> None:
        self.person, self._policy = person, policy
        roles = ", ".join(self.roles) or "no roles: read only"
        self.sub_title = visible(
            f"{self.login} ({roles}) · {kind} store {Path(self.store.label).name}"
        )

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Notices often quote stored or typed text (an error naming a field, a login):
        shown as plain text with control characters escaped, never as markup."""
        super().notify(
            visible(message),
            title=visible(title),
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    def switch_user(self, login: str) -> None:
        """Demo stores only: act as someone else to try each role."""
        if not self.demo:
            self.notify("Switching user is only possible on a demo store.", severity="error")
            return
        self.login = login
        self._load_identity()
        self._broadcast(lambda: IdentityChanged(login))
        self.notify(f"You are now {login} ({', '.join(self.roles) or 'no roles'}).")

    # --- start-up -------------------------------------------------------------------
    def get_default_screen(self) -> Screen:
        """The queue is the first screen (no empty screen under it to mount and lay out)."""
        from panel_tui.screens.queue import QueueScreen

        # Both are needed before the queue's footer is first drawn.
        self.set_keymap(self.settings.keymap)
        self._apply_theme()
        if self._stores.is_open:
            self._load_identity()
        else:
            assert self._head is not None
            self.sub_title = f"{self.login} · opening {self._head.label}…"
        return QueueScreen()

    def on_mount(self) -> None:
        for problem in self.settings.problems:
            self.notify(problem, severity="warning", timeout=8)
        if self._stores.is_open:
            resume_collection()  # frozen in __init__, the store with it
            self._warn_if_not_a_user()
            self._check_keymap()
            self._begin_shift_start()
            self.set_timer(PREBUILD_AFTER, self._prebuild_detail)
        else:
            # Normally the first page's arrival starts the opening; this is the fallback.
            self.set_timer(1.0, self._begin_opening)
        self.set_interval(self.settings.poll_seconds, self._poll, name="poll")
        self._listen()
        self.set_interval(self.settings.clock_seconds, self._tick, name="clocks")

    def _warn_if_not_a_user(self) -> None:
        if self.person is None:
            self.notify(
                f"{self.login} is not a user of this store: you can look, not change. "
                "An administrator can add you with `panel-tui users add`.",
                severity="warning",
                timeout=10,
            )

    @work(thread=True, group="keymap", exit_on_error=False)
    def _check_keymap(self) -> None:
        """Say which ids of the config's keymap match no key (after the first paint:
        it imports every screen)."""
        if not self.settings.keymap:
            return
        from panel_tui.screens.keys import unknown_ids

        unknown = unknown_ids(self.settings.keymap)
        if unknown:
            self.call_from_thread(
                self.notify,
                f"The keymap in {config_path()} names no such key: {', '.join(unknown)}. "
                "Ids are screen.action, e.g. queue.filter or detail.escalate.",
                severity="warning",
                timeout=12,
            )

    def quick_page(
        self,
        f: QueueFilter,
        offset: int,
        limit: int,
        total_limit: int | None = None,
        interrupt: Interrupt | None = None,
        total: int | None = None,
    ) -> QueuePage | None:
        """A queue page read without the ORM; None: the Store's ORM reads it.

        Until the Store is open, the unfiltered All open section from the file the
        command line named. Once it is open, any page of a SQLite store: the quick
        reader is held equal to the ORM's read (tests/store/test_quickread.py) and
        takes half its CPU (at 100,000 disputes 5-9 ms a page against 12-17 ms), which
        every filter key and section switch waits for. PostgreSQL keeps the ORM's
        pooled connections (a quick read opens its own). ``total``: the view's exact
        count, so that a page past the middle is read from the end of the list.
        """
        head = self._quick_head(f)
        if head is None:
            return None
        try:
            return quick_queue.page(
                head,
                f,
                self.now(),
                offset=offset,
                limit=limit,
                total_limit=total_limit,
                interrupt=interrupt,
                total=total,
            )
        except quick_queue.errors() as exc:
            quick_queue.fell_back(exc)
            return None  # the Store's own read will say what is wrong

    def _quick_head(self, f: QueueFilter) -> quick_queue.StoreHead | None:
        if not self._stores.is_open:
            return self._head if f == QueueFilter() else None
        store = self.store
        if not store.is_sqlite or not store.path:
            return None
        policy = store.policy()  # read for each page, as the ORM's read does
        return quick_queue.StoreHead(
            path=Path(store.path),
            kind="",  # not read by a page
            warning_fraction=policy.clock.warning_fraction,
            liaison_after_days=policy.clock.liaison_after_days,
            liaison_role=policy.ladder.commissioner_liaison,
        )

    def on_queue_view_loaded(self) -> None:
        # The first page is on screen (it bubbled up from the queue): now open the Store.
        if not self._stores.is_open:
            self.call_after_refresh(self._begin_opening)

    def _begin_opening(self) -> None:
        if not self._opening:
            self._opening = True
            self._open_store()

    @work(thread=True, group="open", exit_on_error=False)
    def _open_store(self) -> None:
        try:
            identity = self._read_identity()
        except (DomainError, StoreError) as exc:
            # The app cannot go on without its store; say why on the way out.
            self.call_from_thread(self.exit, return_code=exc.exit_code, message=str(exc))
            return
        self.call_from_thread(self._store_opened, *identity)

    def _store_opened(self, person: PersonView | None, policy: Policy, kind: str) -> None:
        freeze_once("store")  # the ORM, its tables and the policy are loaded now
        resume_collection()
        self.release("store")
        self._show_identity(person, policy, kind)
        self._warn_if_not_a_user()
        self._check_keymap()
        self._begin_shift_start()
        self.set_timer(PREBUILD_AFTER, self._prebuild_detail)
        # Rights are known now (the footer's keys), and the queue rereads through the Store.
        self._broadcast(lambda: IdentityChanged(self.login))

    # --- shift start ------------------------------------------------------------------
    # The view is read ahead while the queue idles, and read again (READ_AHEAD_AFTER
    # seconds after the last of them) whenever the screens reread: the store changed,
    # the clocks ticked, the user changed. `w` then shows it at once; reading it on the
    # key (0.1 s at 100,000 disputes) was most of the time to the view on screen.
    def _shift_key(self) -> tuple[str, int, int]:
        """What a read of the view is valid for: this user, no tick or commit since (the
        store's data version also counts this app's own writes, which the poll sees late)."""
        return (self.login, self._shift_generation, self.store.data_version())

    def _begin_shift_start(self) -> None:
        if "shift" not in self._holds:
            return
        if self.person is None or not self.person.active:
            self.release("shift")  # nobody's mark to read
            return
        self._read_shift_start(always=False)

    def show_shift_start(self) -> None:
        """`w`: what changed since the last look; at once when read ahead and still current."""
        ahead = self._shift_ahead
        if ahead is not None and self._stores.is_open and ahead[0] == self._shift_key():
            self._push_shift_start(ahead[1], always=True)
        else:
            self._read_shift_start(always=True)

    @work(thread=True, exclusive=True, group="shift", exit_on_error=False)
    def _read_shift_start(self, always: bool) -> None:
        """Read what changed since the last look; show it (on opening: only if anything did)."""
        from panel_tui.screens.shift import read_changes_for

        try:
            key = self._shift_key()  # before the read: a commit meanwhile makes it stale
            changes = read_changes_for(self, key[0])
        except BaseException:
            self.call_from_thread(self.release, "shift")
            raise
        self.call_from_thread(self._shift_start_read, key, changes, always)

    def _shift_start_read(self, key: tuple[str, int, int], changes: Changes, always: bool) -> None:
        """Keep the read and show it, then let the keys go: released in the same call, so
        no held key slips to the queue between the release and the push (`n` on the
        queue is New; on the view, next)."""
        try:
            self._keep_read_ahead(key, changes)
            self._push_shift_start(changes, always)
        finally:
            self.release("shift")

    def _shift_start_stale(self) -> None:
        """The store, the clocks or the user changed: read the view again once things settle."""
        self._shift_generation += 1
        self._shift_ahead = None
        if self._read_ahead_timer is None:
            self._read_ahead_timer = self.set_timer(READ_AHEAD_AFTER, self._read_ahead_due)
        else:
            self._read_ahead_timer.reset()

    def _read_ahead_due(self) -> None:
        self._read_ahead_timer = None
        if "shift" in self._holds or not self._stores.is_open:
            return  # the opening's own read is under way; it is kept
        if self.person is not None and self.person.active:
            self._read_shift_ahead()

    @work(thread=True, exclusive=True, group="shift-ahead", exit_on_error=False)
    def _read_shift_ahead(self) -> None:
        from panel_tui.screens.shift import read_changes_for

        key = self._shift_key()
        changes = read_changes_for(self, key[0])
        self.call_from_thread(self._keep_read_ahead, key, changes)

    def _keep_read_ahead(self, key: tuple[str, int, int], changes: Changes) -> None:
        """Keep a read that is still current, and fill the kept screen with it off the stack."""
        if key != self._shift_key() or not self.is_running:
            return  # something changed while it was read: the next read follows
        from panel_tui.screens.shift import ShiftStartScreen

        self._shift_ahead = (key, changes)
        screen = self._shift_screen
        if screen is None:  # one screen, installed and refilled, as the detail screen is
            screen = self._shift_screen = ShiftStartScreen(changes)
            self.install_screen(screen, "shift-start")
            self._get_screen(screen)  # mounted now, off the stack (see _install_detail)
        elif screen not in self.screen_stack:
            screen.show(changes)

    def _push_shift_start(self, changes: Changes, always: bool) -> None:
        from panel_tui.screens.queue import QueueScreen
        from panel_tui.screens.shift import ShiftStartScreen

        if not (always or changes.total):
            return
        if not always and not isinstance(self.screen, QueueScreen):
            # A key outwaited the hold (a slow store): the user is already at work on
            # another screen or the palette, and covering it would hide where their keys go.
            self.notify("Something changed since your last look: w on the queue shows it.")
            return
        screen = self._shift_screen
        if screen is None:
            screen = self._shift_screen = ShiftStartScreen(changes)
            self.install_screen(screen, "shift-start")
        elif screen.changes is not changes:
            screen.show(changes)
        if screen not in self.screen_stack:
            self.push_screen(screen)

    def key_hold_notice(self) -> str | None:
        if "store" in self._holds:
            return "Opening the store: the keys you pressed follow as soon as it is open."
        return None

    # --- screens -------------------------------------------------------------------------
    @work(thread=True, group="prebuild", exit_on_error=False)
    def _prebuild_detail(self) -> None:
        """Build the dispute screen while the queue idles, so the first Enter only fills it.

        The first dispute of a session paid for importing the detail's modules
        (its dialogs, the detail reader) and for composing and mounting the
        screen's widgets: about twice a later open. The import runs here, in a
        thread; the screen is mounted off the stack on the UI thread.
        """
        from panel_tui.screens.detail import DisputeScreen

        self.call_from_thread(self._install_detail, DisputeScreen)

    def _install_detail(self, screen_type: type[Screen]) -> None:
        if self._detail is not None or not self.is_running:
            return  # a dispute was opened first: that screen is the kept one
        screen = self._detail = screen_type()
        self.install_screen(screen, "dispute-detail")
        # Textual mounts a screen when it is first pushed; _get_screen is that step
        # alone (the screen then waits off the stack, as after it has been popped).
        self._get_screen(screen)

    def open_dispute(self, ref: str) -> None:
        """Show one dispute's detail.

        One DisputeScreen is installed and refilled for each dispute, then
        pushed (DisputeScreen.reopen): mounting a fresh screen (some 20 widgets
        and the footer's keys) took about 0.1 s. Only when that screen is
        already on the stack (e.g. "go to dispute" from a detail) is another
        one pushed, and it goes when it is popped.
        """
        from panel_tui.screens.detail import DisputeScreen

        screen = self._detail
        if screen is None:
            screen = self._detail = DisputeScreen(ref)
            self.install_screen(screen, "dispute-detail")
        elif screen in self.screen_stack:
            screen = DisputeScreen(ref)
        else:
            assert isinstance(screen, DisputeScreen)
            screen.reopen(ref)  # pushed once the dispute is in it
            return
        self.push_screen(screen)

    def prepare_dispute(self, ref: str) -> None:
        """The queue's cursor rests on ``ref``: fill the kept dispute screen with it ahead,
        so that Enter only shows it (DisputeScreen.prepare). Before that screen is built,
        it reads ``ref`` ahead once built."""
        self.resting_on = ref
        screen = self._detail
        if screen is not None and screen not in self.screen_stack:
            from panel_tui.screens.detail import DisputeScreen

            assert isinstance(screen, DisputeScreen)
            screen.prepare(ref)

    # --- live refresh -----------------------------------------------------------------
    def _poll(self) -> None:
        self._listen()
        if self._listener is not None and self._listener.listening:
            return  # PostgreSQL's notifications bring the changes; polling is the fallback
        self._check_data_version()

    def _listen(self) -> None:
        """On PostgreSQL, once the store is open: a listener for other terminals' commits."""
        if self._listener is None and self._stores.is_open and self.store.is_postgres:
            from panel_tui.store.pg_listen import EventListener

            self._listener = EventListener(self.store.engine, self._changed_elsewhere)
            self._listener.start()

    def _changed_elsewhere(self) -> None:
        """From the listener's thread: check now (the check reads ``max(id)`` once)."""
        with contextlib.suppress(RuntimeError):  # the app has already stopped
            self.call_from_thread(self._check_data_version)

    def on_unmount(self) -> None:
        if self._listener is not None:
            self._listener.stop()

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def _check_data_version(self) -> None:
        version = self.store.data_version()
        if version != self._data_version:
            # The first reading also refreshes: a change between the screens' first
            # fetch and this baseline would otherwise be missed.
            self._data_version = version
            self.call_from_thread(self._broadcast, lambda: StoreChanged(version))

    def _broadcast(self, make: Callable[[], Message]) -> None:
        """Every screen on the stack hears it (the queue under a detail stays current).

        Each broadcast (the store changed, the clocks ticked, the user changed) is a
        reason to reread what is shown: so also the shift-start view read ahead."""
        self._shift_start_stale()
        for screen in self.screen_stack:
            screen.post_message(make())
        if self._detail is not None and self._detail not in self.screen_stack:
            self._detail.post_message(make())  # what it read ahead may be stale now

    def _tick(self) -> None:
        self._broadcast(ClockTick)

    # --- errors: one place turns a worker's failure into a notice ---------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.worker_failed(event.worker)

    def worker_failed(self, worker: Worker) -> None:
        """Every failed store call ends here (see messages.ForwardWorkerErrors)."""
        error = worker.error
        self.log.error(f"worker {worker.name} failed: {error!r}")
        if worker.group in ("shift-ahead", "detail-ahead"):
            return  # read ahead, unasked: `w` or Enter reads again (and says what went wrong)
        if isinstance(error, DomainError | StoreError):
            self.notify(str(error), severity="error", timeout=8)
        elif worker.group == "poll":
            return  # the next poll tries again; a hiccup here is not worth a notice
        else:
            self.notify(f"Something went wrong: {error}", severity="error", timeout=8)

    # --- keys and palette -------------------------------------------------------------
    async def action_quit(self) -> None:
        """Quit; with unsaved typing on any screen (a dialog, a rationale), ask first."""
        from panel_tui.screens.modals import ConfirmModal

        lost = [
            what
            for screen in reversed(self.screen_stack)
            if (unsaved := getattr(screen, "unsaved", None)) and (what := unsaved())
        ]
        if not lost or isinstance(self.screen, ConfirmModal):
            self.exit()
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.exit()

        self.push_screen(ConfirmModal("Quit panel-tui?", f"You lose {'; '.join(lost)}."), answered)

    def action_command_palette(self) -> None:
        """ctrl+p: the palette, whose Enter waits for its list (screens/commands.py)."""
        from panel_tui.screens.commands import PanelCommandPalette

        if self.use_command_palette and not PanelCommandPalette.is_open(self):
            self.push_screen(PanelCommandPalette(id="--command-palette"))

    def action_edit_externally(self) -> None:
        from textual.actions import SkipAction
        from textual.widgets import TextArea

        from panel_tui.screens.editor import edit_focused

        if not isinstance(self.focused, TextArea):
            raise SkipAction()  # not on a long text: the focused widget's own ctrl+e
        edit_focused(self)

    def _apply_theme(self) -> None:
        from panel_tui.themes import HIGH_CONTRAST

        self.register_theme(HIGH_CONTRAST)
        chosen = self.settings.theme
        if chosen and chosen not in self.available_themes:
            self.settings.problems.append(
                f"{config_path()}: app.theme {chosen!r} is not a theme "
                f"(one of: {', '.join(sorted(self.available_themes))})"
            )
        elif chosen:
            self.theme = chosen

    def action_toggle_contrast(self) -> None:
        from panel_tui.themes import DEFAULT_THEME, HIGH_CONTRAST

        self.theme = DEFAULT_THEME if self.theme == HIGH_CONTRAST.name else HIGH_CONTRAST.name
        self.notify(f"Theme: {self.theme}.", timeout=2)

    def action_help(self) -> None:
        from panel_tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """A link clicked in the app (the minutes' Markdown links a URL someone typed).

        Through the service account a browser would start as the account on the
        user's terminal (a text browser's shell escape: a shell that opens the raw
        store), so there the URL is only shown.
        """
        from panel_tui.service import service_context

        if not self.is_web and service_context() is not None:
            self.notify(
                "Links are not opened through the store's service account: "
                + visible(url, multiline=False),
                severity="warning",
            )
            return
        super().open_url(url, new_tab=new_tab)

    def deliver_screenshot(
        self,
        filename: str | None = None,
        path: str | None = None,
        time_format: str | None = None,
    ) -> str | None:
        """Textual's Screenshot command, saved as every export is: owner-only, in the exports
        directory, and refused through the service account (config.exports_dir).

        Textual's own saves with the umask (0644) into Downloads, and the screen holds
        personal data. In a browser the browser downloads it, as Textual does.
        """
        if self.is_web:
            return super().deliver_screenshot(filename, path, time_format)
        from textual._files import generate_datetime_filename

        from panel_tui.config import exports_dir
        from panel_tui.store.private_files import private_dir, write_private

        name = filename or generate_datetime_filename(self.title, ".svg", time_format)
        try:
            base = exports_dir()  # first: it refuses through the service account
            target = (Path(path) if path else base) / name
            private_dir(target.parent)
            write_private(target, self.export_screenshot())
        except OSError as exc:
            self.notify(f"Could not save the screenshot: {exc.strerror or exc}", severity="error")
            return None
        self.notify(f"Screenshot saved to {target}")
        return None

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from panel_tui.screens import commands

        yield from commands.domain_commands(self, screen)
        yield from super().get_system_commands(screen)


def run_app(
    store: Store | LazyStore,
    login: str,
    *,
    demo: bool = False,
    head: quick_queue.StoreHead | None = None,
) -> int:
    """Run the app on ``store`` as ``login`` (the CLI resolved who that is); its exit code."""
    app = PanelApp(store, login, demo=demo, head=head)
    app.run()
    return app.return_code or 0
