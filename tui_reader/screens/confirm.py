"""A yes/no question that must be answered before anything destructive happens."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmDialog(ModalScreen[bool]):
    """Asks *question*; dismisses with True (y, enter, the yes button) or False (n, escape).

    The question may quote feed titles, so it is shown as plain text, never markup.
    """

    CSS_PATH = "../styles/dialogs.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Yes", show=False),
        Binding("n", "cancel", "No", show=False),
        Binding("escape", "cancel", "No", show=False),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes_label = yes
        self.no_label = no

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static(Content(self.question), id="question")
            with Horizontal(id="buttons"):
                yield Button(
                    Content.assemble((self.yes_label, ""), (" (y)", "dim")),
                    id="yes",
                    variant="error",
                    compact=True,
                )
                yield Button(
                    Content.assemble((self.no_label, ""), (" (n)", "dim")),
                    id="no",
                    compact=True,
                )

    def on_mount(self) -> None:
        # Every question here is about something that cannot be undone (removing a feed,
        # marking everything read), so a reflexive enter must mean "no".
        self.query_one("#no", Button).focus()

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed)
    def _answer(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")
