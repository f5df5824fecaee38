"""Without colour the most urgent rows stay the brightest (by hand under NO_COLOR: red
became the darkest grey, so breached rows were the dimmest on screen)."""

from __future__ import annotations

import pytest
from helpers import queue_ready
from rich.color import Color

from panel_tui.widgets.queue_view import QueueView


def _brightness(color: Color | None) -> float:
    red, green, blue = color.get_truecolor() if color else (255, 255, 255)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


@pytest.mark.parametrize("no_color", [True, False])
async def test_breached_rows_are_bold_and_not_dimmer_than_others(
    make_app, monkeypatch, no_color: bool
) -> None:  # noqa: ANN001
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")  # read when the app is made
    app = make_app("duty")
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_ready(pilot)
        view = app.screen.query_one(QueueView)
        breached = view.get_component_rich_style("queue-view--breached")
        plain = view.rich_style
        assert breached.bold
        if no_color:
            # What the terminal shows: Textual's monochrome filter turns colours to greys.
            assert _brightness(breached.color) >= _brightness(plain.color) * 0.9
        else:
            assert breached.color != plain.color  # red where there is colour
