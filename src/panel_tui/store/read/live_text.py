"""The live disputes' text index (migration 0014): a rare search term's candidates.

The queue's text filter is a case-blind substring match over six fields. The
live sections read in urgency order and stop at a page, so a common word is
cheap; a rare or absent one read every live row before the page was known.
``live_text`` (SQLite's FTS5 trigram index of those fields, live disputes
only) answers "which live disputes may contain this?" from the index. When
the answer is short (``CAP`` ids or fewer) the readers read just those rows,
in their order, and check them with the same LIKE as the scan, so the rows are
exactly the scan's; when it is long the term is common and the ordered scan,
which stops early, is the cheaper read.

The index may say yes too often (it folds the case of every letter, SQLite's
LIKE only ASCII ones) but never no for a row the LIKE matches: folding is one
character for one, so a substring stays a substring.

A term of one or two characters has no trigram: its candidates are found by
the LIKE itself over the index's own copy of the live text (``SHORT_SCAN``),
narrow rows read in file order instead of the wide dispute rows the scan
seeks along the order index (at 1,000,000 disputes about 30-40 ms of CPU for
an absent pair of letters against 100-120 ms); a common one stops at ``CAP``
matches (about 2 ms).

A common term's deep page and exact count are narrowed to the index's matches
too (``TextIndex.common``), when those are a modest share of the live rows: the
page walks the live order index as the scan does but reads the table row (and
its six LIKEs) only of a match from the index, and the count reads the matches by
id. At 1,000,000 disputes "housing" (a quarter of the live rows) read its middle
page in 61-74 ms of CPU and counted in 99 ms by the scan; narrowed, about 22 and
35 ms. A term in most live rows keeps the scan: building its list of matches
costs more than the rows the scan reads (about 12 ms for every live row).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from panel_tui.rules.limits import SHORT_MAX, bounded_text
from panel_tui.store.read.queue_models import LIKE_ESCAPE, TEXT_COLUMNS, like_pattern

#: The index (migration 0014): rowid = dispute.id, one column per searched field.
TABLE = "live_text"
#: A trigram index finds terms of three characters or more; shorter ones are scanned.
MIN_CHARS = 3
#: A short term's candidates: the queue's LIKE over the index's copy of each field, read
#: from the table FTS5 keeps it in (``id`` the rowid, ``c0``... the columns in their
#: declared order, TEXT_COLUMNS's: part of FTS5's file format), which is about twice as
#: quick as reading it through the virtual table.
SHORT_SCAN = (
    f"SELECT id FROM {TABLE}_content WHERE "  # noqa: S608 - constants
    + " OR ".join(f"c{n} LIKE ? ESCAPE '{LIKE_ESCAPE}'" for n in range(len(TEXT_COLUMNS)))
    + " LIMIT ?"
)
#: More candidates than this and the term is common: the ordered scan stops sooner than
#: reading them all (above the capped count, COUNT_CAP, so a term short of it is counted
#: from its candidates too).
CAP = 2000

#: Every live dispute that may match a search (a phrase): a common term's narrowing.
MATCHES = f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH ?"  # noqa: S608 - constant
#: A common term is narrowed to its matches only when they are at most this share of the
#: live disputes (estimated from its first candidates, ``TextIndex.common``): at 1,000,000
#: disputes a term in 57 % of them still gained (deep page 44 -> 33 ms, count 85 -> 61
#: ms), one in all of them lost (40 -> 59 ms, 73 -> 102 ms).
MAX_SHARE = 2 / 3
#: ... and a page only when the scan would read more live rows than this before it: the
#: list of matches costs 4-6 ms to build, which the scan's first pages never cost.
WALK = 5000

#: Candidate ids of a search among the live disputes, or None: scan (see ``candidates``).
FindText = Callable[[str], "list[int] | None"]
Run = Callable[[str, Sequence[Any]], Iterable[tuple[Any, ...]]]


def phrase(text: str) -> str | None:
    """The FTS5 query for a search: the text as one quoted phrase (a trigram phrase is
    a substring), or None when the index cannot find it (too short, or a NUL in it):
    then the LIKE finds its candidates (``SHORT_SCAN``)."""
    text = bounded_text(text, "text", SHORT_MAX)
    if len(text) < MIN_CHARS or "\x00" in text:  # FTS5's query text ends at a NUL
        return None
    return '"' + text.replace('"', '""') + '"'


def _first(run: Run, text: str) -> list[int] | None:
    """Up to ``CAP`` + 1 live disputes that may match ``text`` (the first by id), or None
    for no search."""
    query, like = phrase(text), like_pattern(text)
    if like is None:
        return None
    if query is not None:
        found = run(
            f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH ? LIMIT ?",  # noqa: S608 - constant
            (query, CAP + 1),
        )
    else:
        found = run(SHORT_SCAN, (*[like] * len(TEXT_COLUMNS), CAP + 1))
    return sorted(dispute_id for (dispute_id,) in found)


def candidates(run: Run, text: str) -> list[int] | None:
    """The live disputes that may match ``text`` (a superset of the LIKE's), or None
    when the ordered scan is the better read: a common term (more than ``CAP``)."""
    ids = _first(run, text)
    return ids if ids is not None and len(ids) <= CAP else None


class TextIndex:
    """The index on one connection, each text asked of it once (a page's read and its
    count ask alike); it answers nothing if ``has_index`` says the store has none."""

    def __init__(self, run: Run, has_index: Callable[[], bool]) -> None:
        self._run, self._has_index = run, has_index
        self._asked: dict[str, list[int] | None] = {}
        self._shares: dict[str, float] = {}

    def _ids(self, text: str) -> list[int] | None:
        if text not in self._asked:
            self._asked[text] = _first(self._run, text) if self._has_index() else None
        return self._asked[text]

    def __call__(self, text: str) -> list[int] | None:
        """``candidates``: a rare term's candidates, None for a common one (FindText)."""
        ids = self._ids(text)
        return ids if ids is not None and len(ids) <= CAP else None

    def first(self, text: str) -> list[int]:
        """A common term's first ``CAP`` + 1 candidates by id (none for a rare one): its
        capped count can often be taken among them (``queue_sql._enough_candidates``)."""
        ids = self._ids(text) or []
        return ids if len(ids) > CAP else []

    def common(self, text: str) -> tuple[str, float] | None:
        """A common term's phrase (``MATCHES``'s parameter) and the estimated share of the
        live disputes it matches, when that is at most ``MAX_SHARE``; None for a rare term,
        a term the index cannot find (under three characters) or one in most live rows.

        The share is its first ``CAP`` + 1 candidates (the lowest ids) over the live
        disputes up to the last of them, counted in the index's own narrow table of row
        sizes (well under a millisecond at 1,000,000 disputes; a quarter of the live rows
        estimated 0.27 for 0.27)."""
        ids, query = self._ids(text), phrase(text)
        if not ids or len(ids) <= CAP or query is None:
            return None
        if text not in self._shares:
            found = self._run(
                f"SELECT count(*) FROM {TABLE}_docsize WHERE id <= ?",  # noqa: S608 - constant
                (ids[-1],),
            )
            (upto,) = next(iter(found))
            self._shares[text] = len(ids) / max(int(upto), len(ids))
        share = self._shares[text]
        return (query, share) if share <= MAX_SHARE else None
