"""The live text index (migration 0014): a rare search reads only its candidates, and
finds exactly the rows the ordered scan finds; triggers keep the index on every write.

The scan is the same quick reader on a copy of the store without the index (the
readers scan where there is none), so each comparison is the index against the
LIKE filter as it was, on the same rows. SQLite only: PostgreSQL keeps the scan.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import demo_cache
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from profiles import examples
from worlds import World

from panel_tui.store.db import Store
from panel_tui.store.migrate import REVISIONS
from panel_tui.store.read import live_text, orm_queries, quick_queue
from panel_tui.store.read.queue_models import LIVE, TEXT_COLUMNS, QueueFilter, QueuePage, Section
from panel_tui.store.sqlite_driver import sqlite

BEFORE = REVISIONS[REVISIONS.index("0014_live_text_index") - 1]  # the one before the index
#: The demos other tests build too (tests/demo_cache.py builds each once per run).
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # test_quickread.py's 60 disputes
BIG_NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # tests/app's 3,000 disputes


def _drop_index(path: Path, *, revision: str | None = None) -> None:
    """Take the index and its triggers out of a store (as migration 0014's downgrade)."""
    conn = sqlite.connect(path)
    with conn:
        for trigger in ("insert", "delete", "update"):
            conn.execute(f"DROP TRIGGER {live_text.TABLE}_{trigger}")
        conn.execute(f"DROP TABLE {live_text.TABLE}")
        if revision is not None:
            conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    conn.close()


def _ids(path: Path | str, query: str) -> set[int]:
    conn = sqlite.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {row[0] for row in conn.execute(query)}
    finally:
        conn.close()


def _indexed(path: Path | str) -> set[int]:
    return _ids(path, f"SELECT rowid FROM {live_text.TABLE}")  # noqa: S608 - a constant


def _live(path: Path | str) -> set[int]:
    return _ids(path, f"SELECT id FROM dispute WHERE status IN {LIVE!r}")  # noqa: S608


#: Text no demo writes, given to a live dispute: letters whose case only Unicode folds
#: (the index folds them, SQLite's LIKE does not), LIKE's wildcards, FTS5's quotes.
ODD_TEXT = 'Café ÉCOLE Straße İzmir 100% sure_of it "quoted" back\\slash ǅemal'

ODD_LETTERS = [i for i, c in enumerate(ODD_TEXT) if ord(c) > 127]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 60-dispute demo, with its index, one live dispute's text made odd (read,
    never written after)."""
    folder = tmp_path_factory.mktemp("live_text")
    path = demo_cache.demo_copy(tmp_path_factory, folder / "demo.db", disputes=60, seed=7, now=NOW)
    conn = sqlite.connect(path)
    with conn:  # the update trigger indexes the new text
        conn.execute(
            "UPDATE dispute SET problem_statement = ? WHERE id = "
            f"(SELECT min(id) FROM dispute WHERE status IN {LIVE!r})",  # noqa: S608
            (ODD_TEXT,),
        )
    conn.close()
    return path


@pytest.fixture(scope="module")
def unindexed(demo: Path) -> Path:
    """The same store without the index: the readers scan it, as before migration 0014."""
    path = demo.with_name("unindexed.db")
    shutil.copyfile(demo, path)
    _drop_index(path)
    return path


@pytest.fixture(scope="module")
def demo_store(demo: Path) -> Iterator[Store]:
    """The demo through the ORM (queue_position, and a quick read's fallback)."""
    store = Store.open(str(demo))
    yield store
    store.close()


@pytest.fixture(scope="module")
def live_texts(demo: Path) -> list[str]:
    """The searched fields of the live disputes, to cut search terms from."""
    conn = sqlite.connect(f"file:{demo}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            f"SELECT {', '.join(TEXT_COLUMNS)} FROM dispute WHERE status IN {LIVE!r}"  # noqa: S608
        ).fetchall()
    finally:
        conn.close()
    return [value for row in rows for value in row if value]


def _page(
    path: Path,
    f: QueueFilter,
    at: datetime,
    *,
    offset: int = 0,
    limit: int = 100,
    total_limit: int | None = None,
    total: int | None = None,
) -> QueuePage:
    head = quick_queue.peek(str(path))
    assert head is not None
    return quick_queue.page(
        head, f, at, offset=offset, limit=limit, total_limit=total_limit, total=total
    )


def _swap_case(text: str, flips: list[bool]) -> str:
    return "".join(c.swapcase() if flip else c for c, flip in zip(text, flips, strict=False))


#: What a person may type: LIKE's wildcards and escape, quotes (FTS5's own), letters
#: whose case only Unicode folds (SQLite's LIKE folds ASCII alone), an arrow
#: (agencies_label), a combining accent, the Kelvin sign, an emoji, a NUL (ends FTS5's query
#: text) and a line separator.
HOSTILE = st.text(
    alphabet=st.sampled_from(list("%_\\\"'*:^-()aAbBzZ 0é É ßİKK→\u0301😀CBHcbh\x00\u2028")),
    max_size=8,
)


@st.composite
def terms(draw: st.DrawFn, texts: list[str]) -> str:
    """A piece of a live dispute's text (any case, perhaps with hostile text around it),
    or hostile text alone."""
    kind = draw(st.sampled_from(["demo", "odd", "hostile"]))
    if kind != "hostile":
        source = ODD_TEXT if kind == "odd" else draw(st.sampled_from(texts))
        if kind == "odd":  # around a letter only Unicode folds
            start = max(0, draw(st.sampled_from(ODD_LETTERS)) - draw(st.integers(0, 3)))
        else:
            start = draw(st.integers(0, max(0, len(source) - 1)))
        piece = source[start : start + draw(st.integers(1, 12))]
        piece = _swap_case(piece, draw(st.lists(st.booleans(), min_size=len(piece))))
        return draw(st.sampled_from(["", " ", "%", "_", '"'])) + piece + draw(HOSTILE)
    return draw(HOSTILE)


#: Live sections (the index's) and Closed (never read from it); each term is tried in all.
@st.composite
def common_terms(draw: st.DrawFn, texts: list[str]) -> str:
    """A short piece of a live dispute's text, in any case: often in many of them."""
    source = draw(st.sampled_from(texts))
    start = draw(st.integers(0, max(0, len(source) - 1)))
    piece = source[start : start + draw(st.integers(1, 4))]
    return _swap_case(piece, draw(st.lists(st.booleans(), min_size=len(piece))))


SECTIONS = (Section.ALL_OPEN, Section.BREACHED, Section.AT_PANEL, Section.CLOSED)


@settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_the_index_finds_exactly_the_rows_the_scan_finds(
    demo: Path, unindexed: Path, demo_store: Store, live_texts: list[str], data: st.DataObject
) -> None:
    text = data.draw(terms(live_texts), "text")
    # Every term is read from its candidates (a store of 60 disputes has fewer live ones
    # than the cap; a term under three characters from the index's copy of the text):
    # the comparison tests the index.
    conn = sqlite.connect(f"file:{demo}?mode=ro", uri=True)
    try:
        found = live_text.candidates(conn.execute, text)
    finally:
        conn.close()
    assert (found is not None) == bool(text.strip())
    for section in SECTIONS:
        f = QueueFilter(section=section, text=text)
        indexed = _page(demo, f, NOW)
        assert indexed == _page(unindexed, f, NOW), section
        # The ORM reads its candidates alike (on SQLite): its page, and a row's place.
        assert orm_queries.queue_page(demo_store, f, NOW, limit=100) == indexed
        for n, row in enumerate(indexed.rows[:2]):
            assert orm_queries.queue_position(demo_store, f, NOW, row.id) == n
        if found is not None and section is not Section.CLOSED:
            assert {row.id for row in indexed.rows} <= set(found)


@settings(
    max_examples=examples(100),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_a_common_terms_capped_count_is_the_scans(
    demo: Path,
    unindexed: Path,
    live_texts: list[str],
    monkeypatch: pytest.MonkeyPatch,
    data: st.DataObject,
) -> None:
    """With a cap this small most terms are common: their page is the ordered scan's,
    their capped count taken among their first candidates when those hold enough."""
    cap = data.draw(st.integers(2, 8), "cap")
    monkeypatch.setattr(live_text, "CAP", cap)
    text = data.draw(st.one_of(common_terms(live_texts), terms(live_texts)), "text")
    limit = data.draw(st.integers(1, 3), "limit")
    # Mostly more than a page and at most the first candidates (CAP + 1): where a section
    # finds fewer than the limit among them, the count must not say the limit.
    total_limit = data.draw(
        st.one_of(st.integers(limit + 1, max(limit, cap) + 1), st.sampled_from([None, 1, 40])),
        "total",
    )
    for section in SECTIONS:
        f = QueueFilter(section=section, text=text)
        indexed = _page(demo, f, NOW, limit=limit, total_limit=total_limit)
        assert indexed == _page(unindexed, f, NOW, limit=limit, total_limit=total_limit)


@settings(
    max_examples=examples(100),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_a_common_terms_deep_pages_and_count_are_the_scans(
    demo: Path,
    unindexed: Path,
    demo_store: Store,
    live_texts: list[str],
    monkeypatch: pytest.MonkeyPatch,
    data: st.DataObject,
) -> None:
    """A common term's page past ``WALK`` rows and its exact count read only the index's
    matches (``TextIndex.common``): the same rows and number as the scan's, read from
    the start or from the end as the view asks (its exact count known), and the ORM's."""
    monkeypatch.setattr(live_text, "CAP", data.draw(st.integers(2, 8), "cap"))
    monkeypatch.setattr(live_text, "WALK", data.draw(st.sampled_from([0, 1, 3]), "walk"))
    monkeypatch.setattr(live_text, "MAX_SHARE", 1.0)  # any common term is narrowed
    text = data.draw(st.one_of(common_terms(live_texts), terms(live_texts)), "text")
    limit = data.draw(st.integers(1, 5), "limit")
    for section in SECTIONS:
        f = QueueFilter(section=section, text=text)
        counted = _page(demo, f, NOW, limit=0)
        assert counted == _page(unindexed, f, NOW, limit=0), section
        total = counted.total
        offset = data.draw(st.integers(0, total + 1), "offset")
        known = data.draw(st.sampled_from([None, total]), "known")
        indexed = _page(demo, f, NOW, offset=offset, limit=limit, total_limit=0, total=known)
        scanned = _page(unindexed, f, NOW, offset=offset, limit=limit, total_limit=0)
        assert indexed == scanned, (section, offset, known)
        orm = orm_queries.queue_page(demo_store, f, NOW, offset=offset, limit=limit, total_limit=0)
        assert orm == indexed, (section, offset)


def test_a_common_term_is_narrowed_to_its_matches(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The comparison above goes through the narrowing: a term in many live disputes is
    common (more than the cap) and its share of them is estimated within reason."""
    monkeypatch.setattr(live_text, "CAP", 3)
    conn = sqlite.connect(f"file:{demo}?mode=ro", uri=True)
    try:
        index = live_text.TextIndex(conn.execute, lambda: True)
        live = conn.execute(f"SELECT count(*) FROM {live_text.TABLE}_docsize").fetchone()[0]  # noqa: S608
        matches = len(conn.execute(live_text.MATCHES, ('"D-2026"',)).fetchall())
        assert matches == live > 4
        monkeypatch.setattr(live_text, "MAX_SHARE", 1.0)
        assert index.common("d-2026") == ('"d-2026"', 1.0)  # every live dispute
        monkeypatch.setattr(live_text, "MAX_SHARE", 0.9)
        assert index.common("d-2026") is None  # too many: the scan reads them
        assert index.common("zzz") is None  # rare
        assert index.common("d-") is None  # too short for the index's phrase
    finally:
        conn.close()


def test_the_comparison_sees_matches_and_misses(
    demo: Path, unindexed: Path, demo_store: Store
) -> None:
    """The terms above find rows in the demo: live disputes in any case, and none; the
    odd text's rows as the LIKE finds them (the index alone finds more)."""
    for text, least in (
        ("cbh", 5),
        ("HOUSING", 1),
        ("d-2026-00", 5),
        ("zzz", 0),
        ('"', 1),
        ("CAFÉ", 0),  # the index finds it, the LIKE does not: none, as before
        ("CAFé", 1),
        ('"quoted"', 1),
        ("100%", 1),
        ("e_o", 1),
    ):
        f = QueueFilter(text=text)
        page = _page(demo, f, NOW)
        assert page == _page(unindexed, f, NOW)
        assert orm_queries.queue_page(demo_store, f, NOW, limit=100) == page, text
        assert page.total >= least and (least > 0 or page.total == 0), (text, page.total)


def test_the_index_holds_the_live_disputes_of_a_demo(demo: Path) -> None:
    assert _indexed(demo) == _live(demo) and _live(demo)


def test_a_bulk_built_store_is_indexed(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The demo's bulk path (over 1,000 disputes) writes rows with plain INSERTs: the
    triggers index its live ones, and none of its closed ones."""
    path = demo_cache.demo_copy(
        tmp_path_factory,
        tmp_path_factory.mktemp("bulk") / "big.db",
        disputes=3000,
        seed=3,
        now=BIG_NOW,
    )
    live = _live(path)
    assert len(live) > 100 and len(_ids(path, "SELECT id FROM dispute")) == 3000
    assert _indexed(path) == live


def test_an_older_store_is_indexed_when_migrated(demo: Path, tmp_path: Path) -> None:
    path = tmp_path / "older.db"
    shutil.copyfile(demo, path)
    _drop_index(path, revision=BEFORE)
    Store.open(str(path)).close()
    assert _indexed(path) == _live(path) and _live(path)


def _finds(world: World, text: str) -> list[str]:
    head = quick_queue.peek(str(world.path))
    assert head is not None
    return [r.ref for r in quick_queue.page(head, QueueFilter(text=text), world.now).rows]


def test_writes_keep_the_index(world: World) -> None:
    """A dispute enters the index when opened, follows its text, stays while decided,
    leaves when closed; a write that changes none of its text leaves the index be."""
    ref = world.open(problem_statement="The quokka sanctuary placement is disputed.")
    (dispute_id,) = _ids(world.path, f"SELECT id FROM dispute WHERE ref = '{ref}'")  # noqa: S608
    assert dispute_id in _indexed(world.path)
    assert _finds(world, "QUOKKA") == [ref]

    world.ledger("duty_lead").edit_form(ref, {"problem_statement": "A wombat burrow placement."})
    assert _finds(world, "quokka") == [] and _finds(world, "wombat") == [ref]

    world.decided(ref)  # decided: still live
    assert _finds(world, "wombat") == [ref] and _indexed(world.path) == _live(world.path)

    world.ledger("mco_frontline").confirm_acceptance(ref, "intake visit booked", world.now.date())
    assert world.dispute(ref)["status"] == "closed"
    assert dispute_id not in _indexed(world.path) and _finds(world, "wombat") == []
    assert _indexed(world.path) == _live(world.path)


def test_a_withdrawn_dispute_leaves_the_index(world: World) -> None:
    ref = world.open(problem_statement="An axolotl tank needs funding.")
    assert _finds(world, "axolotl") == [ref]
    world.ledger("duty_lead").withdraw(ref, "resolved outside the panel")
    assert _finds(world, "axolotl") == [] and _indexed(world.path) == _live(world.path)
