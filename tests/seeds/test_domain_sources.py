"""docs/DOMAIN.md names the source article of every rule it states, by the titles it
lists at the top, and points at nothing a user's clone does not have."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = (ROOT / "docs" / "DOMAIN.md").read_text(encoding="utf-8")
ARTICLES = {"Disputes", "Under pressure", "Integration", "Leadership", "Coordination"}


def _rule_rows() -> list[list[str]]:
    section = DOMAIN.split("## The rules the store enforces", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    cells = [[c.strip() for c in row.strip("|").split(" | ")] for row in rows]
    return [c for c in cells[1:] if not set(c[0]) <= {"-"}]  # past the header


def test_the_five_articles_are_listed_with_their_titles() -> None:
    listed = set(re.findall(r"^- \*\*\[([^\]]+)\]\*\* \S", DOMAIN, flags=re.MULTILINE))
    assert listed == ARTICLES


def test_every_rule_names_its_source_or_says_it_is_ours() -> None:
    rows = _rule_rows()
    assert len(rows) >= 20
    for rule, _default, source in rows:
        if source == "—":
            continue
        named = re.findall(r"\[([^\]]+)\]", source)
        assert named and set(named) <= ARTICLES, (rule, source)
        assert re.fullmatch(r"(\[[^\]]+\] ?)+", source), (rule, source)


def test_every_bracketed_source_in_the_text_is_one_of_the_articles() -> None:
    # Markdown links ("[text](url)") and option lists ("[reviews]", "[rights]") aside.
    prose = re.sub(r"`[^`]*`", "", DOMAIN)
    named = set(re.findall(r"\[([A-Z][a-z]+(?: [a-z]+)?)\](?!\()", prose))
    assert named and named <= ARTICLES, named - ARTICLES


def test_the_docs_do_not_point_outside_the_project() -> None:
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        assert "../shared" not in text and "shared/domain" not in text, path.name
