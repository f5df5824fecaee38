"""The policy: the shipped default matches DOMAIN.md, and bad policies name their key."""

from __future__ import annotations

import tomllib
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from panel_tui.rules.enums import Action, DisputeType, Risk, Stage
from panel_tui.rules.errors import InvalidInputError
from panel_tui.rules.policy import (
    KNOWN_ROLES,
    Policy,
    default_policy,
    default_policy_text,
    parse_policy,
    policy_errors,
)

# DOMAIN.md's table, typed in again here (not read from the code under test).
DOMAIN_HOURS = {
    "critical": (4, 24, 24, 24),
    "high": (24, 24, 48, 48),
    "medium": (48, 48, 72, 72),
    "low": (72, 72, 5 * 24, 5 * 24),
}

TEXT = default_policy_text()


def edit(old: str, new: str, text: str = TEXT) -> str:
    """The policy text with exactly one occurrence of ``old`` replaced."""
    assert text.count(old) == 1, f"{old!r} must occur exactly once in the policy text"
    return text.replace(old, new)


def refusal(text: str) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as info:
        parse_policy(text)
    return info.value


# --- the default -----------------------------------------------------------------


def test_default_policy_parses_without_problems() -> None:
    assert policy_errors(TEXT) == []
    assert isinstance(default_policy(), Policy)


def test_default_policy_is_parsed_once() -> None:
    assert default_policy() is default_policy()


@pytest.mark.parametrize("risk", list(Risk))
@pytest.mark.parametrize("stage", [0, 1, 2, 3])
def test_default_windows_match_domain_table(risk: Risk, stage: int) -> None:
    expected = timedelta(hours=DOMAIN_HOURS[risk.value][stage])
    policy = default_policy()
    assert policy.window(risk, Stage(stage)) == expected
    # Plain strings and ints work too (the store reads them from rows).
    assert policy.window(risk.value, stage) == expected


@pytest.mark.parametrize("risk", list(Risk))
def test_commissioner_liaison_has_no_window(risk: Risk) -> None:
    assert default_policy().window(risk, Stage.COMMISSIONER_LIAISON) is None


def test_default_thresholds_match_domain() -> None:
    policy = default_policy()
    assert policy.clock.warning_fraction == 0.75
    assert policy.liaison_after == timedelta(days=14)
    assert policy.provisional.min_days == 7
    assert policy.provisional.max_days == 14
    assert policy.identity.allow_override is False


def test_low_risk_panel_window_is_five_days() -> None:
    assert default_policy().window(Risk.LOW, Stage.PANEL) == timedelta(days=5)


def test_unknown_risk_or_stage_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        default_policy().window("severe", 0)
    with pytest.raises(ValueError):
        default_policy().window(Risk.HIGH, 5)


def test_rights_map_matches_the_toml_text() -> None:
    raw = tomllib.loads(TEXT)["rights"]
    # Escalate and decide are set per rung ([rungs]; tests/rules/test_rights.py).
    rung_actions = {"escalate", "record_decision"}
    assert set(raw) == {a.value for a in Action} - rung_actions, "every action is listed"
    for action in (a for a in Action if a.value not in rung_actions):
        assert default_policy().roles_for(action) == frozenset(raw[action.value])
        assert default_policy().roles_for(action.value) == frozenset(raw[action.value])


@pytest.mark.parametrize(
    "right", ["record_sync", "record_pathway", "review_trigger", "rerate_risk", "record_review"]
)
def test_a_right_added_later_defaults_to_the_default_policy_s_list(right: str) -> None:
    """A policy installed before the right existed gets the shipped list for it."""
    shipped = default_policy().rights
    assert type(shipped).model_fields[right].default == getattr(shipped, right)


def test_every_role_in_the_default_is_known() -> None:
    raw = tomllib.loads(TEXT)
    named = {role for roles in raw["rights"].values() for role in roles}
    named |= set(raw["ladder"].values()) | set(raw["final_authority"].values())
    assert named <= KNOWN_ROLES


@pytest.mark.parametrize(
    ("stage", "dispute_type", "role"),
    [
        (Stage.FRONTLINE, DisputeType.FUNDING, "frontline"),
        (Stage.SUPERVISOR, DisputeType.FUNDING, "supervisor"),
        (Stage.PANEL, DisputeType.ELIGIBILITY, "panel_chair"),
        (Stage.FINAL_AUTHORITY, DisputeType.ELIGIBILITY, "program_manager"),
        (Stage.FINAL_AUTHORITY, DisputeType.FUNDING, "clinical_lead"),
        (Stage.FINAL_AUTHORITY, DisputeType.SAFEGUARDING, "program_manager"),
        (Stage.FINAL_AUTHORITY, DisputeType.CAPACITY, "integration_lead"),
        (Stage.COMMISSIONER_LIAISON, DisputeType.CAPACITY, "commissioner_liaison"),
    ],
)
def test_authority_role_per_stage(stage: Stage, dispute_type: DisputeType, role: str) -> None:
    assert default_policy().authority_role(stage, dispute_type) == role
    assert default_policy().authority_role(int(stage), dispute_type.value) == role


def test_policy_is_frozen() -> None:
    with pytest.raises(ValueError):
        default_policy().clock.warning_fraction = 0.5  # type: ignore[misc]


def test_optional_sections_take_domain_defaults() -> None:
    raw = tomllib.loads(TEXT)
    minimal = "\n".join(
        [
            "[windows]",
            *(f"{risk} = {list(hours)}" for risk, hours in raw["windows"].items()),
            "[final_authority]",
            *(f'{kind} = "{role}"' for kind, role in raw["final_authority"].items()),
            "[rights]",
            *(f"{action} = {roles!r}".replace("'", '"') for action, roles in raw["rights"].items()),
        ]
    )
    policy = parse_policy(minimal)
    assert policy.clock.warning_fraction == 0.75
    assert policy.liaison_after == timedelta(days=14)
    assert (policy.provisional.min_days, policy.provisional.max_days) == (7, 14)
    assert policy.ladder.panel == "panel_chair"


def test_changed_windows_are_used() -> None:
    policy = parse_policy(edit("high = [24, 24, 48, 48]", "high = [1.5, 2, 3, 4]"))
    assert policy.window(Risk.HIGH, Stage.FRONTLINE) == timedelta(minutes=90)
    assert policy.window(Risk.HIGH, Stage.FINAL_AUTHORITY) == timedelta(hours=4)
    assert policy.window(Risk.CRITICAL, Stage.FRONTLINE) == timedelta(hours=4)


# --- bad policies ----------------------------------------------------------------

BAD_POLICIES = [
    # (id, text replaced, replacement, the key the error must name)
    ("unknown key in a table", "administer = [", 'fly = ["admin"]\nadminister = [', "rights.fly"),
    ("missing rights key", 'withdraw = ["duty_lead", "supervisor"]\n', "", "rights.withdraw"),
    ("missing windows row", "low = [72, 72, 120, 120]\n", "", "windows.low"),
    ("missing final authority", 'funding = "clinical_lead"\n', "", "final_authority.funding"),
    ("negative window", "high = [24, 24, 48, 48]", "high = [24, -24, 48, 48]", "windows.high[1]"),
    ("zero window", "critical = [4, 24, 24, 24]", "critical = [0, 24, 24, 24]",
     "windows.critical[0]"),
    ("nan window", "medium = [48, 48, 72, 72]", "medium = [48, 48, 72, nan]", "windows.medium[3]"),
    ("infinite window", "low = [72, 72, 120, 120]", "low = [72, 72, inf, 120]", "windows.low[2]"),
    ("absurd window", "low = [72, 72, 120, 120]", "low = [72, 1e30, 120, 120]", "windows.low[1]"),
    ("text window", "medium = [48, 48, 72, 72]", 'medium = [48, 48, "72", 72]',
     "windows.medium[2]"),
    ("boolean window", "medium = [48, 48, 72, 72]", "medium = [true, 48, 72, 72]",
     "windows.medium[0]"),
    ("too few windows", "high = [24, 24, 48, 48]", "high = [24, 24, 48]", "windows.high[3]"),
    ("unknown role in rights", 'open = ["frontline",', 'open = ["janitor", "frontline",',
     "rights.open"),
    ("unknown role on a rung", 'escalate = ["duty_lead", "supervisor", "panel_chair"]',
     'escalate = ["duty_lead", "chair"]', "rungs.panel.escalate"),
    ("unknown key on a rung", 'decide = ["named_authority"]',
     'decide = ["named_authority"]\nveto = ["admin"]', "rungs.panel.veto"),
    ("unknown role on the ladder", 'panel = "panel_chair"', 'panel = "chair"', "ladder.panel"),
    ("unknown final authority", 'capacity = "integration_lead"', 'capacity = "mayor"',
     "final_authority.capacity"),
    ("min days above max days", "min_days = 7", "min_days = 15", "provisional"),
    ("zero min days", "min_days = 7", "min_days = 0", "provisional.min_days"),
    ("warning fraction of 1", "warning_fraction = 0.75", "warning_fraction = 1.0",
     "clock.warning_fraction"),
    ("warning fraction of 0", "warning_fraction = 0.75", "warning_fraction = 0",
     "clock.warning_fraction"),
    ("negative liaison limit", "liaison_after_days = 14", "liaison_after_days = -1",
     "clock.liaison_after_days"),
    ("infinite liaison limit", "liaison_after_days = 14", "liaison_after_days = inf",
     "clock.liaison_after_days"),
    ("rights as a string", 'administer = ["admin"]', 'administer = "admin"', "rights.administer"),
]  # fmt: skip
BAD_TEXTS = [
    pytest.param(edit(old, new), field, id=name) for name, old, new, field in BAD_POLICIES
] + [pytest.param('colour = "blue"\n' + TEXT, "colour", id="unknown top-level key")]


@pytest.mark.parametrize(("text", "field"), BAD_TEXTS)
def test_bad_policy_names_the_key(text: str, field: str) -> None:
    error = refusal(text)
    assert error.field == field
    assert f"field '{field}'" in str(error)
    assert error.exit_code == 2
    problems = policy_errors(text)
    assert len(problems) == 1
    assert problems[0].startswith(f"{field}: ")


def test_unknown_key_and_missing_key_say_so() -> None:
    assert "unknown key" in str(refusal("colour = 1\n" + TEXT))
    assert "required key is missing" in str(refusal(edit('funding = "clinical_lead"\n', "")))


def test_unknown_role_message_lists_known_roles() -> None:
    message = str(refusal(edit('panel = "panel_chair"', 'panel = "chair"')))
    assert "unknown role 'chair'" in message
    assert "panel_chair" in message and "program_manager" in message


def test_invalid_toml_is_refused_without_a_field() -> None:
    text = TEXT + "\n[windows\n"
    error = refusal(text)
    assert error.field is None
    assert "not valid TOML" in str(error)
    problems = policy_errors(text)
    assert len(problems) == 1 and "not valid TOML" in problems[0]


def test_source_names_the_file_in_the_message() -> None:
    with pytest.raises(InvalidInputError, match=r"my\.toml is not valid TOML"):
        parse_policy("= nope", source="my.toml")


def test_policy_errors_lists_every_problem() -> None:
    text = edit("high = [24, 24, 48, 48]", "high = [24, -1, 48, 0]")
    text = edit('capacity = "integration_lead"', 'capacity = "mayor"', text)
    text = edit('withdraw = ["duty_lead", "supervisor"]\n', "", text)
    text = "colour = 1\n" + text
    problems = policy_errors(text)
    keys = {problem.split(": ", 1)[0] for problem in problems}
    assert keys == {
        "windows.high[1]",
        "windows.high[3]",
        "final_authority.capacity",
        "rights.withdraw",
        "colour",
    }
    error = refusal(text)
    assert error.field in keys
    assert "(4 more problems)" in str(error)


def test_policy_errors_lists_a_hidden_character_and_what_parse_policy_refuses() -> None:
    """A hidden character in a comment does not hide the missing table behind it."""
    text = "#\x80\n"
    with pytest.raises(InvalidInputError) as refused:
        parse_policy(text)
    problems = policy_errors(text)
    assert problems[0].startswith("line 1: ") and "U+0080" in problems[0]
    assert refused.value.field is not None
    assert any(p.startswith(refused.value.field) for p in problems[1:])


def test_one_extra_problem_is_singular() -> None:
    text = edit("high = [24, 24, 48, 48]", "high = [24, -1, 48, 0]")
    assert "(1 more problem)" in str(refusal(text))


def test_empty_text_reports_every_required_table() -> None:
    keys = {problem.split(": ", 1)[0] for problem in policy_errors("")}
    assert keys == {"windows", "final_authority", "rights"}


def test_empty_rights_list_is_allowed_and_means_nobody() -> None:
    policy = parse_policy(edit('withdraw = ["duty_lead", "supervisor"]', "withdraw = []"))
    assert policy.roles_for(Action.WITHDRAW) == frozenset()


def test_nobody_administering_falls_back_to_admin_so_nobody_is_locked_out() -> None:
    # check and set refuse such a policy; one already stored must not lock the store
    policy = parse_policy(edit('administer = ["admin"]', "administer = []"))
    assert policy.roles_for(Action.ADMINISTER) == frozenset({"admin"})


# --- properties ------------------------------------------------------------------

hours = st.floats(min_value=0.01, max_value=24 * 365, allow_nan=False, allow_infinity=False)


@given(windows=st.lists(hours, min_size=4, max_size=4))
def test_any_positive_windows_parse_and_round_trip(windows: list[float]) -> None:
    text = edit("medium = [48, 48, 72, 72]", f"medium = [{', '.join(map(repr, windows))}]")
    assert policy_errors(text) == []
    policy = parse_policy(text)
    for stage, value in enumerate(windows):
        assert policy.window(Risk.MEDIUM, stage) == timedelta(hours=value)


@given(value=st.floats(max_value=0, allow_nan=False))
def test_any_non_positive_window_is_refused(value: float) -> None:
    text = edit("critical = [4, 24, 24, 24]", f"critical = [4, 24, {value!r}, 24]")
    assert refusal(text).field == "windows.critical[2]"
