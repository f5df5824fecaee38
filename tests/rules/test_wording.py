"""Counts read as English: one dispute, never "1 disputes"."""

from panel_tui.rules.wording import counted


def test_one_is_singular_and_every_other_count_plural() -> None:
    assert counted(1, "dispute") == "1 dispute"
    assert [counted(n, "dispute") for n in (0, 2, 50_000)] == [
        "0 disputes",
        "2 disputes",
        "50000 disputes",
    ]
    assert counted(2, "person", "people") == "2 people"
    assert counted(1, "person", "people") == "1 person"
