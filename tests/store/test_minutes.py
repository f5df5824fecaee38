"""The panel's minutes show what people typed, line for line, as text and not as Markdown."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from panel_tui.rules.clocks import Clock
from panel_tui.rules.enums import ClockState
from panel_tui.store.read.agenda import AgendaDecision, AgendaEntry
from panel_tui.store.read.minutes import minutes_markdown, plain

AT = datetime(2026, 3, 10, 11, 30, tzinfo=UTC)
RATIONALE = "MCO funds the ACT place from Monday.\n- not a bullet\n# not a heading\n1. nor a list"


def _entry(rationale: str, pathway: str = "ACT team") -> AgendaEntry:
    decision = AgendaDecision(
        outcome="assigned",
        receiving_agency="MCO",
        pathway=pathway,
        rationale=rationale,
        decided_by="Priya Raman",
        review_date=date(2026, 4, 7),
        decided_at=AT,
    )
    return AgendaEntry(
        id=1,
        ref="D-2026-0004",
        person_ref="P-1004",
        dispute_type="eligibility",
        risk="high",
        agencies="CBH→MCO",
        stage=2,
        status="decided",
        due_at=AT,
        clock=Clock(ClockState.MET, AT, timedelta(hours=72), None),
        cover=None,
        provisional_ends=None,
        plan_holder=None,
        version=3,
        picked=False,
        decisions=[decision],
    )


def _tokens(markdown: str) -> list[str]:
    return [t.type for t in MarkdownIt("commonmark").parse(markdown)]


def _rendered_text(markdown: str) -> str:
    """The text a reader sees, line breaks as newlines."""
    out = []
    for token in MarkdownIt("commonmark").parse(markdown):
        for child in token.children or ():
            out.append("\n" if child.type in ("hardbreak", "softbreak") else child.content)
        if token.type == "paragraph_close":
            out.append("\n\n")
    return "".join(out)


def test_a_rationale_of_several_lines_stays_inside_its_item_line_for_line() -> None:
    markdown = minutes_markdown(date(2026, 3, 10), [_entry(RATIONALE)], "Priya Raman")
    types = _tokens(markdown)
    # One heading for the minutes, one per item; one list of three items; no other blocks.
    assert types.count("heading_open") == 2
    assert types.count("bullet_list_open") == 1 and types.count("list_item_open") == 3
    assert "ordered_list_open" not in types
    shown = _rendered_text(markdown)
    assert "Rationale: " + RATIONALE in shown


def test_markup_typed_inline_is_shown_as_typed() -> None:
    typed = "said *urgent* and [see notes](x) <b>now</b> `code` a_b_c"
    markdown = minutes_markdown(date(2026, 3, 10), [_entry(typed, pathway="**bold** path")], "x")
    shown = _rendered_text(markdown)
    assert typed in shown and "**bold** path" in shown
    inline = [c.type for t in MarkdownIt("commonmark").parse(markdown) for c in t.children or ()]
    assert {"em_open", "link_open", "html_inline", "code_inline"}.isdisjoint(inline)
    assert inline.count("strong_open") == 1  # the outcome's own bold


#: Pieces of Markdown syntax, so that examples are mostly markup rather than letters.
MARKUP = ["&amp;", "&#35;", "*", "**", "_", "#", "- ", "+ ", "1.", "2)", "`", "[a](b)", "<b>"]
MARKUP += ["\\", "  ", "===", "---", "> ", "|", "~~", "![x](y)", "<!--", "http://x.y", "a", "é"]
LINES = st.one_of(
    st.text(alphabet=st.characters(codec="ascii", exclude_categories=("Cc",)), max_size=40),
    st.lists(st.sampled_from(MARKUP), max_size=8).map("".join),
)


@given(LINES)
def test_any_line_reads_back_as_typed(line: str) -> None:
    # A lone paragraph of the escaped text renders to exactly the (stripped) text.
    rendered = _rendered_text(plain(line)).strip("\n")
    assert rendered == line.strip()
