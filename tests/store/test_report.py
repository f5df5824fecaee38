"""The oversight report on a hand-built store whose figures are worked out by hand.

Default policy windows for stage 0: critical 4 h, high 24 h, medium 48 h, low 72 h.
The period is [T0, T0+3d), read at T0+4d unless a test says otherwise.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from panel_tui.rules.enums import EvidenceKey
from panel_tui.rules.errors import InvalidInputError
from panel_tui.store.db import Store
from panel_tui.store.ledger import Ledger
from panel_tui.store.ledger.admin import Admin, init_store
from panel_tui.store.read.report import (
    normalise_theme,
    oversight_report,
    report_csv,
    report_json,
    report_markdown,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
D = timedelta(days=1)
START, END, AT = T0, T0 + 3 * D, T0 + 4 * D


def form(**over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "person_ref": "P-0001",
        "dispute_type": "funding",
        "risk": "medium",
        "raising_agency": "CBH",
        "responding_agencies": ["MCO"],
        "consent_basis": "consent on file",
        "problem_statement": "Discharge stalled over who funds the ACT team",
        "proposed_pathway": "ACT team",
        "rule_conflict": "Who pays for ACT",
        "evidence_summary": "notes attached",
        "interim_risk_actions": "daily welfare call",
        "requested_decision": "Decide the funder",
        "evidence": {k.value: {"present": True} for k in EvidenceKey},
    }
    return base | over


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path = tmp_path_factory.mktemp("report") / "report.db"
    st = init_store(str(path), "root", "Root", kind="test", at=T0 - 30 * D)
    admin = Admin(st, "root")
    for code in ("CBH", "MCO", "HSG", "APS", "HDT"):
        admin.add_agency(code, f"Agency {code}", at=T0 - 30 * D)
    admin.add_person("duty", "Duty Lead", ["duty_lead", "supervisor"], "CBH", at=T0 - 30 * D)
    admin.add_person("mco", "MCO Duty Lead", ["duty_lead"], "MCO", at=T0 - 30 * D)
    lg = Ledger(st, "duty")
    review = date(2026, 6, 1)

    # E: before the period, same person as A and B (a repeat, ever).
    e = lg.open_dispute(form(), at=T0 - 10 * D)
    lg.withdraw(e, "resolved informally", at=T0 - 9 * D)

    # A: medium (48 h), accepted 50 h after opening: stalled 2 h.
    a = lg.open_dispute(form(), at=T0)
    lg.record_decision(a, "assigned", "MCO funds ACT per contract", review,
                       receiving_agency="MCO", at=T0 + 10 * H)  # fmt: skip
    mco = Ledger(st, "mco")  # the receiving agency's team confirms
    mco.confirm_acceptance(a, "ACT intake on Thursday", date(2026, 3, 5), at=T0 + 50 * H)

    # B: high (24 h), withdrawn 27 h after opening: stalled 3 h; stage 0 breached.
    b = lg.open_dispute(form(risk="high", rule_conflict="  who PAYS for   ACT "), at=T0)
    lg.start_provisional(b, "duty", "welfare check", days=7, at=T0 + 2 * H)
    lg.withdraw(b, "person moved out of county", at=T0 + 27 * H)

    # F: capacity, medium, accepted 10 h after opening (package converted).
    f = lg.open_dispute(
        form(person_ref="P-0004", dispute_type="capacity", raising_agency="HDT",
             responding_agencies=["CBH"], rule_conflict="Who pays for ACT"),
        at=T0 + 3 * H,
    )  # fmt: skip
    lg.start_provisional(f, "duty", "medication reconciliation", days=7, at=T0 + 4 * H)
    lg.record_decision(f, "assigned", "CBH has capacity this week", review,
                       receiving_agency="CBH", at=T0 + 5 * H)  # fmt: skip
    lg.confirm_acceptance(f, "CBH intake tomorrow morning", date(2026, 3, 3), at=T0 + 13 * H)

    # C: eligibility, low (72 h), opened day 2, escalated after 2 h, cover, live package.
    c = lg.open_dispute(
        form(person_ref="P-0002", dispute_type="eligibility", risk="low",
             raising_agency="MCO", responding_agencies=["HSG"],
             rule_conflict="Eligibility criteria 4.2"),
        at=T0 + D,
    )  # fmt: skip
    lg.escalate(
        c,
        "supervisors to talk",
        at=T0 + D + 2 * H,
        impact="the person waits without agreed support",
    )
    lg.assign_cover(c, "HSG", "weekly visit", at=T0 + D + 3 * H)
    lg.start_provisional(c, "duty", "welfare check", days=7, at=T0 + D + 3 * H)

    # D: safeguarding, critical (4 h), two responders, still at stage 0: stalled 44 h at AT.
    d = lg.open_dispute(
        form(person_ref="P-0003", dispute_type="safeguarding", risk="critical",
             responding_agencies=["APS", "HSG"], rule_conflict="eligibility  criteria 4.2"),
        at=T0 + 2 * D,
    )  # fmt: skip
    lg.assign_cover(d, "APS", "daily check", at=T0 + 2 * D + H)

    # G: after the period (not counted, except as a resolution outside it).
    lg.open_dispute(form(person_ref="P-0009"), at=T0 + 3 * D)
    return st


@pytest.mark.backend
def test_counts_by_type_and_agency_pair(store: Store) -> None:
    r = oversight_report(store, START, END, AT)
    assert r.opened == 5
    assert {c.key: c.count for c in r.by_type} == {
        "funding": 2,
        "capacity": 1,
        "eligibility": 1,
        "safeguarding": 1,
    }
    pairs = {(p.raising, p.responding): p.count for p in r.by_agency_pair}
    # D names two responding agencies: it counts in both pairs.
    assert pairs == {
        ("CBH", "MCO"): 2,
        ("HDT", "CBH"): 1,
        ("MCO", "HSG"): 1,
        ("CBH", "APS"): 1,
        ("CBH", "HSG"): 1,
    }
    assert r.by_agency_pair[0].count == 2  # the busiest pair first


@pytest.mark.backend
def test_stalled_time_past_first_window(store: Store) -> None:
    r = oversight_report(store, START, END, AT)
    # A 2 h, B 3 h, D 44 h; C (low, 72 h window) and F are not stalled.
    assert r.stalled.count == 3
    assert r.stalled.total_days == pytest.approx(49 / 24, abs=1e-6)
    assert r.stalled.median_days == pytest.approx(3 / 24, abs=1e-6)
    assert r.stalled.max_days == pytest.approx(44 / 24, abs=1e-6)


@pytest.mark.backend
def test_time_to_accepted_pathway(store: Store) -> None:
    r = oversight_report(store, START, END, AT)
    # A 50 h, F 10 h: median 30 h; p90 by linear interpolation 10 + 0.9 × 40 = 46 h.
    assert r.time_to_acceptance.count == 2
    assert r.time_to_acceptance.median_hours == pytest.approx(30.0, abs=1e-6)
    assert r.time_to_acceptance.p90_hours == pytest.approx(46.0, abs=1e-6)


@pytest.mark.backend
def test_reading_at_an_earlier_instant_counts_only_what_had_happened(store: Store) -> None:
    at = T0 + 12 * H  # before any acceptance; C and D not yet opened
    r = oversight_report(store, START, END, at)
    assert r.time_to_acceptance.count == 0
    assert r.time_to_acceptance.median_hours is None
    # At T0+12h no stage is past its due time yet (B's is T0+24h).
    assert sum(b.breached for b in r.breaches_by_stage) == 0
    assert r.stalled.count == 0
    assert r.interim_cover.yes == 0


@pytest.mark.backend
def test_breaches_by_stage(store: Store) -> None:
    r = oversight_report(store, START, END, AT)
    by_stage = {b.stage: (b.reached, b.breached) for b in r.breaches_by_stage}
    # Stage 0: B left it after its due time, D is still in it past its due time.
    assert by_stage[0] == (5, 2)
    # Stage 1: only C, 72 h window from T0+26h: due T0+98h, after AT (T0+96h).
    assert by_stage[1] == (1, 0)
    assert by_stage[2] == (0, 0)
    later = oversight_report(store, START, END, T0 + 98 * H)
    assert {b.stage: b.breached for b in later.breaches_by_stage}[1] == 1


@pytest.mark.backend
def test_interim_cover_and_provisional_packages(store: Store) -> None:
    r = oversight_report(store, START, END, AT)
    assert (r.interim_cover.yes, r.interim_cover.total) == (2, 5)
    assert r.interim_cover.rate == pytest.approx(0.4)
    p = r.provisional
    assert (p.started, p.converted, p.escalated, p.active, p.ended) == (3, 1, 0, 1, 1)
    assert p.conversion_rate == pytest.approx(1 / 3)


@pytest.mark.backend
def test_repeat_people_and_recurring_themes(store: Store) -> None:
    r = oversight_report(store, START, END, AT)
    # P-0001 has A and B in the period and E before it.
    assert (r.repeats.people, r.repeats.disputes) == (1, 3)
    assert [(c.key, c.count) for c in r.repeats.top] == [("P-0001", 3)]
    # Case and spacing do not split a theme; E (outside the period) does not count.
    assert [(c.key, c.count) for c in r.themes] == [
        ("who pays for act", 3),
        ("eligibility criteria 4.2", 2),
    ]
    assert normalise_theme("  Who\tPAYS  for ACT ") == "who pays for act"


@pytest.mark.backend
def test_daily_trend(store: Store) -> None:
    r = oversight_report(store, START, END, AT)
    # UTC days touched by [09:00 on the 2nd, 09:00 on the 5th): four of them.
    assert [x.day for x in r.daily] == [date(2026, 3, d) for d in (2, 3, 4, 5)]
    # G opened exactly at the end of the period: excluded.
    assert [x.opened for x in r.daily] == [3, 1, 1, 0]
    # F on the 2nd (T0+13h), B on the 3rd (T0+27h), A on the 4th (T0+50h).
    assert [x.resolved for x in r.daily] == [1, 1, 1, 0]


@pytest.mark.backend
def test_audit_sample_is_deterministic_and_carries_the_trail(store: Store) -> None:
    r1 = oversight_report(store, START, END, AT, sample_size=2, seed=3)
    r2 = oversight_report(store, START, END, AT, sample_size=2, seed=3)
    refs = [x.ref for x in r1.audit_sample]
    assert refs == [x.ref for x in r2.audit_sample]
    assert len(refs) == 2
    everything = oversight_report(store, START, END, AT, sample_size=10)
    # Only resolved disputes opened in the period: A, B and F.
    assert len(everything.audit_sample) == 3
    assert {x.status for x in everything.audit_sample} == {"closed", "withdrawn"}
    for detail in everything.audit_sample:
        actions = [e.action for e in detail.events]
        assert actions[0] == "open"
        assert actions[-1] in ("confirm_acceptance", "withdraw")
        assert len(detail.evidence) == 4


@pytest.mark.backend
def test_outputs(store: Store) -> None:
    r = oversight_report(store, START, END, AT, sample_size=1)
    data = report_json(r)
    json.dumps(data)  # plain data all the way down
    assert data["period"] == {
        "start": "2026-03-02T09:00:00+00:00",
        "end": "2026-03-05T09:00:00+00:00",
        "at": "2026-03-06T09:00:00+00:00",
    }
    assert data["stalled"]["count"] == 3
    assert data["time_to_acceptance"]["median_hours"] == 30.0
    assert data["audit_sample"]["disputes"][0]["opened_at"].endswith("+00:00")
    rows = list(csv.reader(io.StringIO(report_csv(r))))
    assert rows[0] == ["measure", "key", "value"]
    assert ["by_type", "funding", "2"] in rows
    assert ["interim_cover", "rate", "0.4"] in rows
    assert ["recurring_theme", "who pays for act", "3"] in rows
    # C and D are still open: neither has a plan holder; neither lacks evidence.
    assert data["exceptions"] == {"missing_evidence": 0, "no_plan_holder": 2}
    assert ["exceptions", "no_plan_holder", "2"] in rows
    md = report_markdown(r)
    assert "minimum information missing: 0; no plan holder named: 2" in md
    assert "| CBH | MCO | 2 |" in md
    assert "| type | disputes |\n|---|---|\n" in md and "| funding | 2 |" in md
    assert "| rule conflict | disputes |" in md and "| who pays for act | 3 |" in md
    assert "stalled disputes: 3 of 5" in md
    assert "median 30.0 h" in md
    # A document for people: times to the minute in UTC, events to the second.
    assert "Disputes opened 2026-03-02 09:00 UTC to 2026-03-05 09:00 UTC" in md
    assert "as at 2026-03-06 09:00 UTC" in md
    assert re.search(r"- event \d+ 2026-03-0\d \d\d:\d\d:\d\d UTC ", md)
    assert "+00:00" not in md


@pytest.mark.backend
def test_empty_period_and_bad_period(store: Store) -> None:
    r = oversight_report(store, T0 - 100 * D, T0 - 50 * D, AT)
    assert r.opened == 0
    assert r.stalled.median_days is None
    assert r.interim_cover.rate is None
    assert r.provisional.conversion_rate is None
    assert report_markdown(r)  # renders without data
    with pytest.raises(InvalidInputError) as err:
        oversight_report(store, END, START, AT)
    assert err.value.field == "end"
