"""The Textual app: theme, keys, timers, and the wiring between screens and background work.

What the reader sees lives in :mod:`tui_reader.screens.main_screen`; the network and
store work in :mod:`tui_reader.background`, which screens reach through a Protocol and
which answers with messages. A worker that fails anyway becomes one line, here.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from textual import on
from textual.actions import parse as parse_action
from textual.app import App
from textual.binding import BindingType
from textual.command import Provider
from textual.dom import DOMNode
from textual.driver import Driver
from textual.filter import LineFilter, Monochrome, NoColor
from textual.worker import Worker, WorkerState

from .actions import Action, bindings_for
from .background import Background, load_background_modules
from .core.demo_mode import DEMO_NOTHING_TO_FETCH
from .core.models import HeadlineFilter
from .core.sanitize import clean_text
from .core.session import Session
from .keymap import Keymap, from_config
from .lean_driver import lean
from .messages import RefreshFailed
from .screens.main_screen import MainScreen

Clock = Callable[[], float]

FEW_COLOR_SYSTEMS = frozenset({"standard", "windows", None})
"""Rich's names for a terminal with 16 colours or none (TERM=linux, screen, xterm)."""


def _commands() -> type[Provider]:
    """The palette's provider, imported when the palette first opens."""
    from .commands import TuiReaderCommands

    return TuiReaderCommands


class TuiReaderApp(App[None]):
    """A keyboard-driven news reader over the local cache."""

    TITLE = "tui-reader"
    CSS_PATH = ["styles/app.tcss", "styles/few_colors.tcss"]
    COMMANDS = App.COMMANDS | {_commands}
    BINDINGS: ClassVar[list[BindingType]] = bindings_for("app")

    def __init__(
        self,
        session: Session,
        *,
        demo: bool = False,
        clock: Clock = time.time,
        refresh_on_start: bool = True,
        few_colors: bool | None = None,
    ) -> None:
        super().__init__()
        self._few_colors = few_colors
        self._no_color_filter = NoColor()
        self.session = session
        self.demo = demo
        self.clock = clock
        self.refresh_on_start = refresh_on_start
        self._saved_theme = session.settings.theme
        self.background = Background(self, session, demo=demo, clock=clock)
        self.main: MainScreen


    def get_driver_class(self) -> type[Driver]:
        return lean(super().get_driver_class())

    def _click_only_mouse(self) -> None:
        """Ask the terminal for clicks, drags and the wheel, but not every pointer move.

        Textual turns on any-motion reporting (mode 1003): over SSH each move of the
        pointer was a report up the link and a redraw of what it passed over (about 200
        bytes a move) in an app driven by keys. Button-event tracking (1002) still reports
        motion while a button is held, so scrollbars can be dragged.
        """
        self._write_mouse("\x1b[?1003l\x1b[?1002h")

    def _write_mouse(self, codes: str) -> None:
        driver = self._driver
        if driver is None or self.is_headless or not getattr(driver, "_mouse", True):
            return
        driver.write(codes)
        driver.flush()

    @property
    def few_colors(self) -> bool:
        """Whether to draw for 16 colours or none (NO_COLOR, the Linux console, screen).

        There selection and focus cannot rest on shades: the cursor row is in reverse
        video and the focused pane has a double border (styles/few_colors.tcss).
        Unless told, the terminal is asked; a headless run (tests) has none and draws in
        full colour.
        """
        if self._few_colors is not None:
            return self._few_colors
        if self.no_color:
            return True
        return not self.is_headless and self.console.color_system in FEW_COLOR_SYSTEMS

    def get_line_filters(self) -> Sequence[LineFilter]:
        """NO_COLOR means no colour: Textual only turns colours grey (and still sends
        256-colour codes), so its Monochrome filter gives way to NoColor, which leaves the
        terminal's default colours and keeps bold and reverse."""
        filters = super().get_line_filters()
        if not self.no_color:
            return filters
        return [self._no_color_filter if isinstance(f, Monochrome) else f for f in filters]

    @property
    def keymap(self) -> Keymap:
        """The keys in force (the table's, changed by config.toml's [keys])."""
        return self.background.keymap

    def get_default_screen(self) -> MainScreen:
        """The main screen is the bottom of the stack: q there quits.

        Called once the driver is up (so a headless run is known) and before the first
        frame, which is then drawn for the terminal's colours."""
        self.set_class(self.few_colors, "-few-colors")
        self.main = MainScreen(self.background)
        self.background.listener = self.main
        return self.main

    # -- start-up ---------------------------------------------------------------------

    def on_mount(self) -> None:
        settings = self.session.settings
        self._click_only_mouse()
        self.app_resume_signal.subscribe(self, lambda _app: self._click_only_mouse())
        # Textual turns off the modes it turned on; 1002 is ours to turn off, or a
        # terminal that keeps modes apart would report drags to the shell or the browser.
        self.app_suspend_signal.subscribe(self, lambda _app: self._write_mouse("\x1b[?1002l"))
        if settings.theme in self.available_themes:
            self.theme = settings.theme
        else:
            themes = ", ".join(sorted(self.available_themes))
            self.notify(f"config.toml: unknown theme {clean_text(settings.theme, 40)!r}; "
                        f"the themes are {themes}", severity="warning", markup=False)
        self._apply_keymap(settings.keys)
        if self.session.first_run:
            self.notify(
                f"Created {self.session.paths.feeds_file} with a few starter feeds. "
                f"{self.keymap.hint('feeds')} manages them.",
                title="Welcome to tui-reader",
                timeout=12,
                markup=False,
            )
        if not self.demo:
            self.set_interval(settings.refresh_minutes * 60, self.background.start_refresh)
        self.run_worker(load_background_modules, thread=True, group="imports",
                        exit_on_error=False)
        if self.refresh_on_start or self.demo:
            self.call_after_refresh(self.background.start_refresh)

    def _apply_keymap(self, keys: dict[str, str]) -> None:
        """config.toml's [keys] table: action name -> "key[,key]", matched to binding ids.

        A key given in [keys] wins: if another action on the same screen had it, that
        action loses the key (keeping its others), and one notification says so.
        """
        config = from_config(keys)
        problems = config.problems()
        if problems:
            self.notify("config.toml [keys]: " + "; ".join(problems), severity="warning",
                        timeout=15, markup=False)
        self.background.keymap = config.keymap
        self.set_keymap(config.resolved)

    def watch_theme(self, theme: str) -> None:
        """Remember a theme the user picked (in a thread: the event loop does no file I/O)."""
        if theme == self._saved_theme or self.demo:
            return
        self._saved_theme = theme
        self.background.remember_setting("theme", theme)

    def on_unmount(self) -> None:
        self._write_mouse("\x1b[?1002l")
        self.background.close()

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed worker is reported: one line, never a traceback."""
        if event.state != WorkerState.ERROR or not self.is_running:
            return
        worker: Worker[Any] = event.worker
        error = clean_text(worker.error, 160) or type(worker.error).__name__
        if worker.group == "refresh":
            self.main.post_message(RefreshFailed(error))
        elif worker.group == "snapshot":
            self.notify(f"Full text failed: {error}", severity="warning", markup=False)
        elif worker.group == "browser":
            self.notify(f"Could not open the browser: {error}", severity="warning",
                        markup=False)
        elif worker.group == "setting":
            self.notify(f"Could not save the setting: {error}", severity="warning",
                        markup=False)
        else:
            self.notify(error, severity="error", markup=False)

    async def action_quit(self) -> None:
        """Quit at once, even mid-refresh: every feed is its own transaction."""
        self.background.cancel()
        self.exit()

    # -- actions ----------------------------------------------------------------------

    def action_refresh(self) -> None:
        if self.demo:
            self.notify(DEMO_NOTHING_TO_FETCH, timeout=4, markup=False)
        self.background.start_refresh(force=True)

    def action_feeds(self) -> None:
        from .screens.feeds_screen import FeedsScreen

        if isinstance(self.screen, FeedsScreen):
            return

        def closed(changed: bool | None) -> None:
            if changed:
                self.main.feeds_changed()

        self.push_screen(FeedsScreen(self.background), closed)

    def action_help(self) -> None:
        """The main screen's key reference (the feeds screen shows its own)."""
        from .screens.help_screen import show_help

        show_help(self, self.keymap)

    async def run_command(self, action: Action) -> None:
        """A palette command: the action, run where its key would run it (even when
        [keys] left it no key, which hides it from the footer)."""
        main = self.main
        targets: dict[str | None, DOMNode] = {
            "main": main, "list": main.headlines, "article": main.article_view,
            "timeline": main.timeline,
        }
        target = targets.get(action.owner, self)
        _namespace, name, params = parse_action(action.action)
        result = getattr(target, f"action_{name}")(*params)
        if inspect.isawaitable(result):
            await result

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """An action [keys] left with no key leaves the footer."""
        return action not in self.keymap.hidden("app")

    def action_show_feed(self, feed_id: int) -> None:
        self.main.set_filter(HeadlineFilter(feed_id=int(feed_id)))

    def show_tag(self, tag: str) -> None:
        self.main.set_filter(HeadlineFilter(tag=tag))
