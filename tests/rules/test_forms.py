"""The structured dispute form: field-by-field validation and the evidence checklist."""

from __future__ import annotations

from typing import Any

import pytest

from panel_tui.rules.enums import DisputeType, EvidenceKey, Risk
from panel_tui.rules.errors import InvalidInputError
from panel_tui.rules.fields import FORM_FIELDS, TEXT_FIELDS
from panel_tui.rules.forms import DisputeForm, EvidenceItem, form_errors, validate_form


def good_form(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "person_ref": "P-2026-0815",
        "dispute_type": "funding",
        "risk": "high",
        "raising_agency": " cbh ",
        "responding_agencies": ["mco", " HOUS "],
        "consent_basis": "Consent recorded 2026-02-01",
        "problem_statement": "  Discharge stalled: neither agency will fund supported housing.  ",
        "proposed_pathway": "Supported housing with ICM",
        "rule_conflict": "MCO reads criterion 4.2 as excluding housing support",
        "evidence_summary": "Two ED visits in 30 days; risk screen high",
        "interim_risk_actions": "CBH crisis team daily welfare calls",
        "requested_decision": "Who funds the placement",
        "evidence": {
            "contact_history": {"present": True},
            "risk_screen": {"present": True, "note": "C-SSRS 2026-02-20"},
            "service_plan": {"present": False, "note": "Plan review booked for Friday"},
            "engagement_attempts": {"present": True},
        },
    }
    form.update(changes)
    return form


def without(key: str, form: dict[str, Any] | None = None) -> dict[str, Any]:
    form = dict(form or good_form())
    del form[key]
    return form


def refusal(data: Any, **kwargs: Any) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as info:
        validate_form(data, **kwargs)
    return info.value


# --- the happy path --------------------------------------------------------------


def test_good_form_is_valid_and_normalised() -> None:
    assert form_errors(good_form()) == {}
    form = validate_form(good_form())
    assert isinstance(form, DisputeForm)
    assert form.dispute_type is DisputeType.FUNDING
    assert form.risk is Risk.HIGH
    assert form.raising_agency == "CBH"
    assert form.responding_agencies == ["MCO", "HOUS"]
    assert (
        form.problem_statement == "Discharge stalled: neither agency will fund supported housing."
    )
    assert set(form.evidence) == set(EvidenceKey)
    assert form.evidence[EvidenceKey.SERVICE_PLAN] == EvidenceItem(
        present=False, note="Plan review booked for Friday"
    )
    assert form.evidence[EvidenceKey.CONTACT_HISTORY].note == ""


def test_form_fields_and_text_fields_are_fields_of_the_model() -> None:
    assert set(FORM_FIELDS) <= set(DisputeForm.model_fields)
    assert set(TEXT_FIELDS) <= set(FORM_FIELDS)
    assert set(DisputeForm.model_fields) - set(FORM_FIELDS) == {"evidence"}


def test_person_ref_is_stripped() -> None:
    assert validate_form(good_form(person_ref="  P-1/a.b_c ")).person_ref == "P-1/a.b_c"


# --- required fields -------------------------------------------------------------

REQUIRED = [name for name in FORM_FIELDS if name != "interim_risk_actions"]


@pytest.mark.parametrize("name", REQUIRED)
def test_each_required_field_missing_is_named(name: str) -> None:
    data = without(name)
    errors = form_errors(data)
    assert errors == {name: "required"}
    error = refusal(data)
    assert error.field == name
    assert str(error) == f"field '{name}': required"


@pytest.mark.parametrize("name", REQUIRED)
def test_each_required_field_blank_is_named(name: str) -> None:
    blank: Any = [] if name == "responding_agencies" else "   "
    errors = form_errors(good_form(**{name: blank}))
    assert list(errors) == [name]
    assert refusal(good_form(**{name: blank})).field == name


def test_every_missing_field_is_reported_at_once() -> None:
    data = without("person_ref", without("problem_statement", without("risk")))
    assert set(form_errors(data)) == {"person_ref", "problem_statement", "risk"}
    assert set(form_errors({})) == set(REQUIRED)


@pytest.mark.parametrize("key", list(EvidenceKey), ids=[k.value for k in EvidenceKey])
def test_each_missing_evidence_item_is_named(key: EvidenceKey) -> None:
    evidence = dict(good_form()["evidence"])
    del evidence[key.value]
    field = f"evidence.{key.value}"
    errors = form_errors(good_form(evidence=evidence))
    assert list(errors) == [field]
    assert "present" in errors[field]
    assert refusal(good_form(evidence=evidence)).field == field


def test_no_evidence_at_all_names_the_first_item() -> None:
    assert form_errors(without("evidence")) == {
        "evidence.contact_history": (
            "state whether this evidence is present, with a note if it is absent"
        )
    }


def test_too_short_problem_statement_says_how_long() -> None:
    errors = form_errors(good_form(problem_statement="too short"))
    assert errors == {"problem_statement": "too short: write at least 10 characters"}


def test_too_long_text_says_the_limit() -> None:
    errors = form_errors(good_form(consent_basis="x" * 201))
    assert errors == {"consent_basis": "too long: at most 200 characters"}


# --- interim risk actions --------------------------------------------------------


@pytest.mark.parametrize("risk", ["high", "critical"])
@pytest.mark.parametrize("actions", [None, "", "   ", "ok"])
def test_high_and_critical_risk_need_interim_actions(risk: str, actions: str | None) -> None:
    data = good_form(risk=risk)
    if actions is None:
        del data["interim_risk_actions"]
    else:
        data["interim_risk_actions"] = actions
    errors = form_errors(data)
    assert list(errors) == ["interim_risk_actions"]
    assert errors["interim_risk_actions"].startswith(f"{risk} risk requires interim risk actions")
    assert refusal(data).field == "interim_risk_actions"


@pytest.mark.parametrize("risk", ["medium", "low"])
def test_medium_and_low_risk_do_not_need_interim_actions(risk: str) -> None:
    data = without("interim_risk_actions", good_form(risk=risk))
    assert form_errors(data) == {}
    assert validate_form(data).interim_risk_actions == ""


# --- evidence items --------------------------------------------------------------


@pytest.mark.parametrize("note", [None, "", "   "])
def test_absent_evidence_without_a_note_is_refused(note: str | None) -> None:
    item: dict[str, Any] = {"present": False}
    if note is not None:
        item["note"] = note
    evidence = {**good_form()["evidence"], "risk_screen": item}
    errors = form_errors(good_form(evidence=evidence))
    assert list(errors) == ["evidence.risk_screen"]
    assert "absent item needs a note" in errors["evidence.risk_screen"]
    assert refusal(good_form(evidence=evidence)).field == "evidence.risk_screen"


def test_absent_is_the_default_and_needs_a_note() -> None:
    evidence = {**good_form()["evidence"], "service_plan": {}}
    assert list(form_errors(good_form(evidence=evidence))) == ["evidence.service_plan"]


def test_absent_evidence_with_a_note_is_fine_and_stripped() -> None:
    evidence = {**good_form()["evidence"], "service_plan": {"present": False, "note": "  soon "}}
    form = validate_form(good_form(evidence=evidence))
    assert form.evidence[EvidenceKey.SERVICE_PLAN].note == "soon"


def test_unknown_evidence_key_is_refused() -> None:
    evidence = {**good_form()["evidence"], "horoscope": {"present": True}}
    errors = form_errors(good_form(evidence=evidence))
    assert len(errors) == 1
    assert next(iter(errors)).startswith("evidence.horoscope")


def test_unknown_field_in_an_evidence_item_is_refused() -> None:
    evidence = {**good_form()["evidence"], "risk_screen": {"present": True, "colour": "red"}}
    assert form_errors(good_form(evidence=evidence)) == {
        "evidence.risk_screen.colour": "unknown field"
    }


# --- agencies --------------------------------------------------------------------


@pytest.mark.parametrize("raising", ["MCO", "mco", " Mco "])
def test_raising_agency_among_responding_is_refused(raising: str) -> None:
    data = good_form(raising_agency=raising, responding_agencies=["mco", "hous"])
    errors = form_errors(data)
    assert errors == {
        "responding_agencies": "the raising agency cannot also be a responding agency"
    }
    assert refusal(data).field == "responding_agencies"


@pytest.mark.parametrize("agencies", [["MCO", "MCO"], ["mco", " MCO "], ["A", "B", "a"]])
def test_duplicate_responding_agencies_are_refused(agencies: list[str]) -> None:
    errors = form_errors(good_form(responding_agencies=agencies))
    assert errors == {"responding_agencies": "an agency is listed twice"}


@pytest.mark.parametrize("agencies", [[], [""], ["  ", ""]])
def test_no_responding_agency_is_refused(agencies: list[str]) -> None:
    assert list(form_errors(good_form(responding_agencies=agencies))) == ["responding_agencies"]


def test_blank_entries_among_responding_agencies_are_dropped() -> None:
    assert validate_form(good_form(responding_agencies=["mco", " "])).responding_agencies == ["MCO"]


def test_too_many_responding_agencies_are_refused() -> None:
    agencies = [f"A{i}" for i in range(7)]
    assert list(form_errors(good_form(responding_agencies=agencies))) == ["responding_agencies"]


def test_a_bad_item_in_responding_agencies_names_the_list() -> None:
    errors = form_errors(good_form(responding_agencies=["MCO", 7]))
    assert list(errors) == ["responding_agencies"]


def test_long_raising_agency_code_is_refused() -> None:
    assert list(form_errors(good_form(raising_agency="X" * 17))) == ["raising_agency"]


# --- person reference ------------------------------------------------------------


@pytest.mark.parametrize("ref", ["Jane Doe", "P 123", "P-1\t2", "-P123", "P@123", "Zoë-1"])
def test_person_ref_must_be_a_pseudonymous_code(ref: str) -> None:
    errors = form_errors(good_form(person_ref=ref))
    assert list(errors) == ["person_ref"]
    assert "pseudonymous reference, not a name" in errors["person_ref"]
    assert refusal(good_form(person_ref=ref)).field == "person_ref"


@pytest.mark.parametrize("ref", ["P1", "P" * 33])
def test_person_ref_length_is_bounded(ref: str) -> None:
    assert list(form_errors(good_form(person_ref=ref))) == ["person_ref"]


# --- enums and unknown fields ----------------------------------------------------


def test_unknown_risk_lists_the_choices() -> None:
    errors = form_errors(good_form(risk="severe"))
    assert list(errors) == ["risk"]
    message = errors["risk"]
    assert message.startswith("must be one of:")
    assert all(risk.value in message for risk in Risk)


def test_unknown_dispute_type_is_refused() -> None:
    assert list(form_errors(good_form(dispute_type="parking"))) == ["dispute_type"]


def test_unknown_field_is_refused() -> None:
    assert form_errors(good_form(name="Jane Doe")) == {"name": "unknown field"}


# --- validate_form ---------------------------------------------------------------


@pytest.mark.parametrize("data", [None, [], "form", 3])
def test_validate_form_refuses_a_non_object(data: Any) -> None:
    error = refusal(data, row=4)
    assert error.field is None
    assert error.row == 4
    assert "JSON object" in str(error)
    assert error.exit_code == 2


def test_validate_form_names_the_row_and_field() -> None:
    error = refusal(without("risk"), row=3)
    assert (error.row, error.field) == (3, "risk")
    assert str(error) == "row 3, field 'risk': required"


def test_validate_form_reports_the_first_of_several_problems() -> None:
    data = without("risk", good_form(person_ref="Jane Doe"))
    error = refusal(data)
    assert error.field == "person_ref"
    assert set(form_errors(data)) == {"person_ref", "risk"}


def test_cross_field_checks_wait_for_field_errors() -> None:
    # Cross-field rules run only on otherwise valid fields, so a form with a field
    # error does not also report the interim-actions rule.
    data = good_form(person_ref="Jane Doe", interim_risk_actions="")
    assert set(form_errors(data)) == {"person_ref"}
