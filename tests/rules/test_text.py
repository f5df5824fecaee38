"""Text that is safe to keep and to show: check_text refuses, visible escapes, csv_cell defuses."""

from __future__ import annotations

import pytest
from hostile import HOSTILE, RAW, assert_no_raw
from hypothesis import given
from hypothesis import strategies as st

from panel_tui.rules.errors import InvalidInputError
from panel_tui.rules.forms import form_errors
from panel_tui.rules.text import check_text, csv_cell, first_refused, visible


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("multiline", [False, True])
def test_hostile_text_is_refused_naming_the_field(name: str, multiline: bool) -> None:
    with pytest.raises(InvalidInputError) as info:
        check_text(HOSTILE[name], "rationale", multiline=multiline)
    assert info.value.field == "rationale"
    assert "field 'rationale'" in str(info.value)
    assert "U+" in str(info.value)  # names the character


@pytest.mark.parametrize(
    "char",
    [
        "\x00",
        "\x07",
        "\x08",
        "\r",
        "\x1b",
        "\x7f",
        "\x85",
        "\x9b",
        "\u202a",
        "\u202e",
        "\u2066",
        "\u2069",
        "\u2028",
        "\u2029",
        "\u200b",
        "\u2060",
        "\ufeff",
        "\ud800",
    ],
)
def test_each_refused_character_is_refused_even_in_long_text(char: str) -> None:
    assert first_refused(f"a{char}b", multiline=True) == char


def test_long_texts_keep_newlines_and_tabs_one_line_fields_do_not() -> None:
    text = "first line\n\tsecond line"
    assert check_text(text, "note", multiline=True) == text
    with pytest.raises(InvalidInputError, match="a newline"):
        check_text(text, "name")


def test_ordinary_text_in_any_script_passes() -> None:
    for text in ("J. Lee", "Zoë O'Brien-Ngata", "مراجعة الخطة", "नमस्ते", "家族 👨‍👩‍👧", "می‌خواهم"):
        assert check_text(text, "name") == text


def test_identifiers_refuse_every_invisible_format_character() -> None:
    assert check_text("a\u200db", "name") == "a\u200db"  # a joiner in free text is fine
    for char in ("\u200d", "\u200c", "\u200e", "\u00ad"):
        with pytest.raises(InvalidInputError, match="field 'login'"):
            check_text(f"jlee{char}", "login", identifier=True)


def test_the_form_names_the_field_holding_a_control() -> None:
    from dispute_forms import valid_form

    errors = form_errors(valid_form(problem_statement=HOSTILE["clear"], consent_basis="ok\nno"))
    assert set(errors) == {"problem_statement", "consent_basis"}
    assert "ESC" in errors["problem_statement"]
    assert list(form_errors(valid_form(responding_agencies=["M\u202eCO"]))) == [
        "responding_agencies"
    ]
    evidence = valid_form()["evidence"]
    evidence["risk_screen"] = {"present": False, "note": f"pending {HOSTILE['title']}"}
    assert list(form_errors(valid_form(evidence=evidence))) == ["evidence.risk_screen.note"]


def test_visible_escapes_what_a_terminal_would_obey() -> None:
    assert visible(HOSTILE["clear"]) == "Discharge stalled \\x1b[2J neither agency"
    assert visible(HOSTILE["rlo"]) == "agreed \\u202edeifirev ton"
    assert visible("a\nb\tc") == "a\nb\tc"
    assert visible("a\nb\tc", multiline=False) == "a\\x0ab\\x09c"
    assert visible(None) == ""
    assert visible(42) == "42"
    for text in HOSTILE.values():
        assert_no_raw(visible(text))


@given(st.text())
def test_visible_output_always_passes_the_input_check(text: str) -> None:
    shown = visible(text)
    assert first_refused(shown, multiline=True) is None
    assert not any(c in shown for c in RAW)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs"))))
def test_visible_leaves_text_without_controls_alone(text: str) -> None:
    if first_refused(text, multiline=True) is None:
        assert visible(text) == text


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("https://evil.example","x")', '\'=HYPERLINK("https://evil.example","x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "\\x0d=1"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
        (-3, -3),
        (2.5, 2.5),
        (None, None),
    ],
)
def test_csv_cells_a_spreadsheet_would_run_are_neutralised(cell: object, expected: object) -> None:
    assert csv_cell(cell) == expected


def test_every_refused_character_is_one_isprintable_rejects() -> None:
    """``visible`` returns a printable text as it is, with no pattern (the app's first
    paint compiles none): that is only right if no refused character is printable."""
    for code in range(0x110000):
        char = chr(code)
        if first_refused(char) is not None:
            assert not char.isprintable(), f"U+{code:04X}"


@given(st.text())
def test_visible_is_the_same_with_or_without_its_printable_shortcut(text: str) -> None:
    escaped = visible(text, multiline=False)
    assert (escaped == text) == (first_refused(text) is None)
    if text.isprintable():
        assert escaped == text and visible(text) == text
