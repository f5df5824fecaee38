"""The structured dispute form and the minimum evidence checklist (DOMAIN.md).

Validation is field by field so the form screen can show every message beside
its field, and the CLI can name the first bad field.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from panel_tui.rules.enums import DisputeType, EvidenceKey, Risk
from panel_tui.rules.errors import InvalidInputError
from panel_tui.rules.fields import LONG_TEXT_FIELDS
from panel_tui.rules.limits import SHORT_MAX, TEXT_MAX
from panel_tui.rules.text import check_text


class EvidenceItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    present: bool = False
    note: str = Field("", max_length=TEXT_MAX)

    @field_validator("note")
    @classmethod
    def _visible_note(cls, note: str) -> str:
        return _clean(note, multiline=True)

    @model_validator(mode="after")
    def _absent_needs_note(self) -> EvidenceItem:
        self.note = self.note.strip()
        if not self.present and not self.note:
            raise ValueError("an absent item needs a note saying why and when it will be available")
        return self


def _clean(value: str, *, multiline: bool) -> str:
    """Refuse controls and bidi overrides (rules/text.py says which and why)."""
    try:
        return check_text(value, "", multiline=multiline) or value
    except InvalidInputError as err:  # pydantic names the field
        raise ValueError(err.message) from None


def _blank_evidence() -> dict[EvidenceKey, EvidenceItem]:
    return {}


class DisputeForm(BaseModel):
    """What makes a dispute decidable. Text fields are stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    person_ref: str = Field(min_length=3, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_./-]*$")
    dispute_type: DisputeType
    risk: Risk
    raising_agency: str = Field(min_length=1, max_length=16)
    responding_agencies: list[str] = Field(min_length=1, max_length=6)
    consent_basis: str = Field(min_length=3, max_length=SHORT_MAX)
    problem_statement: str = Field(min_length=10, max_length=TEXT_MAX)
    proposed_pathway: str = Field(min_length=3, max_length=TEXT_MAX)
    rule_conflict: str = Field(min_length=3, max_length=TEXT_MAX)
    evidence_summary: str = Field(min_length=3, max_length=TEXT_MAX)
    interim_risk_actions: str = Field("", max_length=TEXT_MAX)
    requested_decision: str = Field(min_length=3, max_length=TEXT_MAX)
    evidence: dict[EvidenceKey, EvidenceItem] = Field(default_factory=_blank_evidence)

    @field_validator("consent_basis", "raising_agency", mode="before")  # person_ref: pattern
    @classmethod
    def _one_line(cls, value: object) -> object:
        return _clean(value, multiline=False) if isinstance(value, str) else value

    @field_validator(*LONG_TEXT_FIELDS, mode="before")
    @classmethod
    def _long_text(cls, value: object) -> object:
        return _clean(value, multiline=True) if isinstance(value, str) else value

    @field_validator("raising_agency")
    @classmethod
    def _code(cls, code: str) -> str:
        return code.strip().upper()

    @field_validator("responding_agencies")
    @classmethod
    def _codes(cls, codes: list[str]) -> list[str]:
        for code in codes:
            _clean(code, multiline=False)
        cleaned = [c.strip().upper() for c in codes if c.strip()]
        if not cleaned:
            raise ValueError("name at least one responding agency")
        if len(set(cleaned)) != len(cleaned):
            raise ValueError("an agency is listed twice")
        return cleaned

    @model_validator(mode="after")
    def _cross_field(self) -> DisputeForm:
        if self.raising_agency in self.responding_agencies:
            raise _FieldError(
                "responding_agencies", "the raising agency cannot also be a responding agency"
            )
        if self.risk in (Risk.HIGH, Risk.CRITICAL) and len(self.interim_risk_actions) < 3:
            raise _FieldError(
                "interim_risk_actions",
                f"{self.risk.value} risk requires interim risk actions: "
                "say what protects the person while the dispute runs",
            )
        missing = [k for k in EvidenceKey if k not in self.evidence]
        if missing:
            raise _FieldError(
                f"evidence.{missing[0].value}",
                "state whether this evidence is present, with a note if it is absent",
            )
        return self


class _FieldError(ValueError):
    """A cross-field problem that belongs to one named field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _location(error: ErrorDetails) -> str:
    ctx = error.get("ctx") or {}
    inner = ctx.get("error")
    if isinstance(inner, _FieldError):
        return inner.field
    loc = [str(part) for part in error["loc"]]
    if len(loc) >= 2 and loc[0] == "responding_agencies" and loc[1].isdigit():
        loc = loc[:1]
    return ".".join(loc) or "form"


def _message(error: ErrorDetails) -> str:
    ctx = error.get("ctx") or {}
    inner = ctx.get("error")
    if isinstance(inner, ValueError):
        return str(inner)
    kind = error["type"]
    if kind == "missing":
        return "required"
    if kind == "string_too_short":
        return f"too short: write at least {ctx.get('min_length')} characters"
    if kind == "string_too_long":
        return f"too long: at most {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        return "letters, digits and - _ . / only; use a pseudonymous reference, not a name"
    if kind == "enum":
        return f"must be one of: {ctx.get('expected')}"
    if kind == "extra_forbidden":
        return "unknown field"
    return str(error["msg"])


def form_errors(data: dict[str, Any]) -> dict[str, str]:
    """Every problem with the form, field → message; empty when the form is valid."""
    try:
        DisputeForm.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            errors.setdefault(_location(error), _message(error))
        return errors
    return {}


def validate_form(data: dict[str, Any], *, row: int | None = None) -> DisputeForm:
    """The validated form, or InvalidInputError naming the first bad field."""
    if not isinstance(data, dict):
        raise InvalidInputError("a dispute must be a JSON object of form fields", row=row)
    try:
        return DisputeForm.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInputError(_message(first), field=_location(first), row=row) from None
