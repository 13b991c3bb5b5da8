"""One-line text prompts: the search box, and the URL box of the Feeds screen."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class InputDialog(ModalScreen[str | None]):
    """Asks for one line of text; enter returns it stripped, escape returns None."""

    CSS_PATH = "../styles/dialogs.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(
        self,
        title: str,
        initial: str = "",
        *,
        placeholder: str = "",
        hint: str = "enter to confirm · escape to cancel",
    ) -> None:
        super().__init__()
        self.prompt_title = title
        self.initial = initial
        self.placeholder = placeholder
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog input-dialog"):
            yield Static(Content(self.prompt_title), id="prompt-title")
            yield Input(self.initial, placeholder=self.placeholder, id="prompt-input")
            yield Static(Content(self.hint), id="prompt-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class SearchDialog(InputDialog):
    """The ``/`` prompt: the words to search for, "" to clear the search, None if cancelled."""

    def __init__(self, initial: str = "") -> None:
        super().__init__(
            "Search headlines and articles",
            initial,
            placeholder="words to find",
            hint="enter to search (empty clears) · escape to cancel",
        )
