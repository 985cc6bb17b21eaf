"""Conflict-level classification (konfliktnivå) of the pre-mediation questionnaire.

Pure tests: no Django, no database. Sources: seed 000 §4.2 (the three levels), the domain brief
("Conflict level and safety", "Privacy"), MASIC-S and Family DOORS (safety themes) and
meklingsforskriften § 7 (separate meetings for strong reasons).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.classification import (
    LEVELS,
    PARENT_ROLES,
    RULES,
    Classification,
    classify,
    level_for_score,
)
from intake.questionnaire import (
    REQUIRED_DOMAINS,
    SAFETY_DOMAIN,
    Item,
    load_questionnaire,
    parse_questionnaire,
)

Q = load_questionnaire()
SHIPPED = Path(__file__).resolve().parents[2] / "intake" / "questionnaires" / "v1.json"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "classification-rules.md"
CHOICE_ITEMS = [item for item in Q.items if item.is_choice]
SAFETY_ITEMS = [item for item in CHOICE_ITEMS if item.domain == SAFETY_DOMAIN]
SCORED_ITEMS = [item for item in CHOICE_ITEMS if item.domain != SAFETY_DOMAIN]
LEAST = {item.id: item.choices[0].value for item in CHOICE_ITEMS}
SKIP = None  # an override of SKIP leaves the item unanswered

# Profiles used by several rows, as overrides of the all-least baseline.
MINOR = {item.id: item.choices[1].value for item in SCORED_ITEMS}
CORE_MINOR = {
    k: v for k, v in MINOR.items() if not k.startswith(("motivation", "recency", "child"))
}
WORST_CONFLICT = {item.id: item.choices[-1].value for item in SCORED_ITEMS}
# Minor trouble in every core domain plus strong worry and no hope: 0.4545 alone, no pattern.
HIGHISH = {
    **CORE_MINOR,
    "motivation_goal": "court",
    "motivation_hope": "no",
    "child_wellbeing": "very",
    "child_in_the_middle": "most_of_the_time",
    "recency_separation": "6_to_12_months",
}
# Minor trouble in every core domain, some doubt and a break-up 6-12 months ago: 0.3030.
LOWISH = {
    **CORE_MINOR,
    "motivation_goal": "some_help",
    "motivation_hope": "maybe",
    "recency_separation": "6_to_12_months",
}
# Both parents alike, so the combined score is the parent's score (units of 1/66).
BELOW_MEDIUM = {
    **LOWISH,
    "motivation_goal": "court",
    "motivation_hope": "no",
    "child_wellbeing": "quite",
}  # 26/66 = 0.3939
AT_MEDIUM = {**BELOW_MEDIUM, "child_in_the_middle": "sometimes"}  # 27/66 = 0.4091
BELOW_HIGH = {
    "agreement_overall": "most",
    "agreement_living_plan": "not_agreed",
    "communication_contact": "never",
    "communication_tone": "hostile",
    "trust_agreements": "not_at_all",
    "trust_care": "not_at_all",
    "cooperation_willingness": "mostly",  # keeps the 000 §4.2 high pattern from firing
    "motivation_hope": "maybe",
}  # 39/66 = 0.5909
AT_HIGH = {**BELOW_HIGH, "child_in_the_middle": "sometimes"}  # 40/66 = 0.6061
FREE_TEXT = {"anything_else": "Vold, trusler, rus, redsel. Vi er uenige om alt."}


def answers(overrides: Mapping[str, str | None]) -> dict[str, str]:
    """All-least answers with the given overrides; SKIP removes an (optional) item."""
    merged: dict[str, str | None] = {**LEAST, **overrides}
    return {key: value for key, value in merged.items() if value is not SKIP}


def run(
    requester: Mapping[str, str | None] | None, other: Mapping[str, str | None] | None
) -> Classification:
    given_answers = {"requester": requester, "other": other}
    return classify(Q, {r: answers(a) for r, a in given_answers.items() if a is not None})


def row(
    name: str,
    requester: Mapping[str, str | None] | None,
    other: Mapping[str, str | None] | None,
    level: str,
    provisional: bool,
    flags: tuple[str, ...] = (),
    separate: bool = False,
) -> Any:
    """One table row; None for a parent means that parent has not submitted."""
    return pytest.param(requester, other, level, provisional, flags, separate, id=name)


H, M, L, T, F = "high", "medium", "low", True, False
SPLIT_HIGH = {"trust_agreements": "little", "communication_tone": "often_tense"}

# Each row: rule name; overrides of the all-least answers per parent (None: not submitted);
# expected level, provisional, safety flags, separate meetings recommended.
# fmt: off
TABLE = [
    row("all_least_from_both_is_low", {}, {}, L, F),
    row("requester_only_is_provisional", {}, None, L, T),
    row("other_only_is_provisional", None, {}, L, T),
    # Safety (domain brief; MASIC-S; meklingsforskriften § 7): any answer but "no" decides.
    row("violence_from_requester_is_high", {"safety_violence": "over_a_year_ago"}, {}, H, F,
        ("violence",), T),
    row("fear_from_requester_is_high", {"safety_fear": "sometimes"}, {}, H, F, ("fear",), T),
    row("threats_from_requester_is_high", {"safety_threats": "over_a_year_ago"}, {}, H, F,
        ("threats",), T),
    row("abduction_from_requester_is_high", {"safety_abduction": "a_little"}, {}, H, F,
        ("abduction",), T),
    row("substance_from_requester_is_high", {"safety_substance": "a_little"}, {}, H, F,
        ("substance_abuse",), T),
    row("control_from_requester_is_high", {"safety_control": "sometimes"}, {}, H, F,
        ("coercive_control",), T),
    row("violence_from_other_is_high", {}, {"safety_violence": "last_year"}, H, F,
        ("violence",), T),
    row("fear_from_other_is_high", {}, {"safety_fear": "often"}, H, F, ("fear",), T),
    row("threats_from_other_is_high", {}, {"safety_threats": "last_year"}, H, F,
        ("threats",), T),
    row("abduction_from_other_is_high", {}, {"safety_abduction": "yes"}, H, F,
        ("abduction",), T),
    row("substance_from_other_is_high", {}, {"safety_substance": "yes"}, H, F,
        ("substance_abuse",), T),
    row("control_from_other_is_high", {}, {"safety_control": "often"}, H, F,
        ("coercive_control",), T),
    row("safety_from_one_parent_alone_is_provisional_high", {"safety_fear": "often"}, None, H, T,
        ("fear",), T),
    row("flags_from_both_parents_are_joined", {"safety_fear": "sometimes"},
        {"safety_substance": "yes"}, H, F, ("fear", "substance_abuse"), T),
    row("safety_with_high_conflict_keeps_separate_meetings", WORST_CONFLICT,
        {"safety_threats": "last_year"}, H, F, ("threats",), T),
    # 000 §4.2 high: low trust, little or negative communication, little will to cooperate.
    row("high_pattern_from_requester_is_high",
        {**SPLIT_HIGH, "cooperation_willingness": "little"}, {}, H, F),
    row("high_pattern_from_other_is_high", {}, {"trust_care": "not_at_all",
        "communication_contact": "never", "cooperation_willingness": "not_at_all"}, H, F),
    row("high_pattern_split_over_parents_is_medium", SPLIT_HIGH,
        {"cooperation_willingness": "little"}, M, F),
    row("high_pattern_without_cooperation_is_medium", SPLIT_HIGH, {}, M, F),
    row("worst_conflict_without_safety_is_high_not_separate", WORST_CONFLICT, WORST_CONFLICT,
        H, F),
    # 000 §4.2 medium: a recent break-up and worry for the children.
    row("crisis_pattern_is_medium",
        {"recency_separation": "under_6_months", "child_wellbeing": "quite"}, {}, M, F),
    row("crisis_still_living_together_is_medium", {},
        {"recency_separation": "not_yet", "child_in_the_middle": "often"}, M, F),
    row("recent_break_up_alone_is_low", {"recency_separation": "not_yet"}, {}, L, F),
    row("worry_for_children_alone_is_low", {"child_wellbeing": "very"}, {}, L, F),
    # 000 §4.2 low: both parents report no or only minor disagreements.
    row("important_disagreements_rule_out_low", {"agreement_overall": "several"}, {}, M, F),
    row("disputed_living_plan_rules_out_low", {}, {"agreement_living_plan": "disputed"}, M, F),
    row("low_trust_rules_out_low", {"trust_agreements": "little"}, {}, M, F),
    row("negative_communication_rules_out_low", {}, {"communication_tone": "hostile"}, M, F),
    row("little_will_to_cooperate_rules_out_low", {"cooperation_willingness": "little"}, {},
        M, F),
    row("one_parent_medium_is_provisional", {"agreement_overall": "several"}, None, M, T),
    row("minor_answers_everywhere_stay_low", MINOR, MINOR, L, F),
    row("little_hope_alone_is_low", {"motivation_goal": "court", "motivation_hope": "no"}, {},
        L, F),
    # The parent reporting more conflict weighs more (combine.max_share).
    row("higher_parent_weighs_more_than_the_average", HIGHISH, LOWISH, M, F),
    row("higher_parent_weighs_more_in_either_role", LOWISH, HIGHISH, M, F),
    row("higher_parent_alone_is_provisional", HIGHISH, None, M, T),
    row("two_lowish_parents_stay_low", LOWISH, LOWISH, L, F),
    # threshold.medium and threshold.high: one answer step either side.
    row("just_below_medium_is_low", BELOW_MEDIUM, BELOW_MEDIUM, L, F),
    row("just_over_medium_is_medium", AT_MEDIUM, AT_MEDIUM, M, F),
    row("just_below_high_is_medium", BELOW_HIGH, BELOW_HIGH, M, F),
    row("just_over_high_is_high", AT_HIGH, AT_HIGH, H, F),
    # Free text is never classified; a skipped optional item counts as least conflict.
    row("free_text_never_raises", FREE_TEXT, FREE_TEXT, L, F),
    row("free_text_never_changes_a_provisional_level", None,
        {**FREE_TEXT, "agreement_overall": "several"}, M, T),
    row("skipped_optional_item_counts_as_least", {"motivation_goal": SKIP},
        {"motivation_goal": SKIP}, L, F),
]
# fmt: on


@pytest.mark.parametrize(("requester", "other", "level", "provisional", "flags", "separate"), TABLE)
def test_classification_rules(
    requester: dict[str, str] | None,
    other: dict[str, str] | None,
    level: str,
    provisional: bool,
    flags: tuple[str, ...],
    separate: bool,
) -> None:
    """One row per rule of docs/classification-rules.md (000 §4.2; meklingsforskriften § 7)."""
    result = run(requester, other)
    assert (result.level, result.provisional) == (level, provisional)
    assert result.safety_flags == flags
    assert result.separate_meetings_recommended is separate


def test_table_has_at_least_thirty_rows() -> None:
    assert len(TABLE) >= 30


def test_edge_rows_sit_one_step_either_side_of_the_thresholds() -> None:
    """The threshold rows really straddle threshold.medium and threshold.high."""
    medium, high = RULES["threshold.medium"].value, RULES["threshold.high"].value
    assert run(BELOW_MEDIUM, BELOW_MEDIUM).score < medium <= run(AT_MEDIUM, AT_MEDIUM).score
    assert run(BELOW_HIGH, BELOW_HIGH).score < high <= run(AT_HIGH, AT_HIGH).score


def test_higher_parent_lifts_the_level_above_what_the_average_gives() -> None:
    """The parent reporting more conflict weighs more: a plain average would say low."""
    average = (run(HIGHISH, None).score + run(LOWISH, None).score) / 2
    assert level_for_score(average) == "low"
    assert run(HIGHISH, LOWISH).score > average
    assert run(HIGHISH, LOWISH).level == "medium"


def test_a_score_on_a_threshold_takes_the_higher_level() -> None:
    medium, high = RULES["threshold.medium"].value, RULES["threshold.high"].value
    assert [level_for_score(s) for s in (0.0, medium - 1e-6, medium)] == ["low", "low", "medium"]
    assert [level_for_score(s) for s in (high - 1e-6, high, 1.0)] == ["medium", "high", "high"]


def test_reasons_name_the_answers_that_drove_the_level_for_staff() -> None:
    """The classification must be explainable (domain brief): safety reasons come first."""
    result = run({"trust_agreements": "little"}, {"safety_fear": "often"})
    assert [(r.item_id, r.parent) for r in result.reasons] == [
        ("safety_fear", "other"),
        ("trust_agreements", "requester"),
    ]
    assert (
        result.reasons[0].text.nb
        == "Redsel for den andre forelderen: én forelder svarer «Ja, ofte»."
    )
    assert result.rules_applied == ("pattern.not_low", "safety.any_risk")


def test_all_least_gives_no_reasons() -> None:
    assert run({}, {}).reasons == ()
    assert run({}, {}).score == 0.0


def test_as_dict_is_json_ready() -> None:
    result = run(HIGHISH, {"safety_control": "often"})
    data = json.loads(json.dumps(result.as_dict()))
    assert data["level"] == "high"
    assert data["safety_flags"] == ["coercive_control"]
    assert data["rules_version"] == result.rules_version
    assert {"nb", "en"} <= data["reasons"][0]["text"].keys()


def test_repr_carries_no_answers() -> None:
    """Privacy (domain brief): a stray log line of the result must not carry answers."""
    text = repr(run({"safety_violence": "last_year"}, {}))
    assert "last_year" not in text and "violence" not in text


# --- invalid input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answers_by_parent",
    [
        pytest.param({}, id="no_parent"),
        pytest.param({"mother": LEAST}, id="unknown_role"),
        pytest.param({"requester": {**LEAST, "shoe_size": "42"}}, id="unknown_item"),
        pytest.param({"requester": {**LEAST, "safety_fear": "secret_value"}}, id="unknown_choice"),
        pytest.param({"requester": answers({"safety_fear": SKIP})}, id="missing_required"),
    ],
)
def test_invalid_answers_raise_without_echoing_them(answers_by_parent: Any) -> None:
    """Callers validate first; a missing safety answer must never read as "no risk"."""
    with pytest.raises(ValueError) as error:
        classify(Q, answers_by_parent)
    assert "secret_value" not in str(error.value)


# --- properties ----------------------------------------------------------------------------


def _choices_up_to(items: list[Item], top: int) -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries(
        {item.id: st.sampled_from([c.value for c in item.choices][: top + 1]) for item in items}
    )


def _parent_answers() -> st.SearchStrategy[dict[str, str]]:
    # A per-parent ceiling spreads examples over low, medium and high instead of mostly high;
    # safety is often all "no", so the conflict rules, not the safety rule, get exercised.
    scored = st.integers(0, 3).flatmap(lambda top: _choices_up_to(SCORED_ITEMS, top))
    safety = st.one_of(st.just(_least(SAFETY_ITEMS)), _choices_up_to(SAFETY_ITEMS, 2))
    return st.builds(lambda a, b: {**a, **b}, scored, safety)


def _least(items: list[Item]) -> dict[str, str]:
    return {item.id: LEAST[item.id] for item in items}


def _answers_by_parent(min_parents: int = 1) -> st.SearchStrategy[dict[str, dict[str, str]]]:
    roles = st.lists(st.sampled_from(PARENT_ROLES), min_size=min_parents, max_size=2, unique=True)
    return roles.flatmap(lambda rs: st.fixed_dictionaries({role: _parent_answers() for role in rs}))


PROPERTY = settings(max_examples=300, deadline=None, database=None)


@PROPERTY
@given(data=st.data(), both=_answers_by_parent())
def test_raising_any_answer_never_lowers_the_level(
    data: st.DataObject, both: dict[str, dict[str, str]]
) -> None:
    """Monotone (product requirement): one step toward more conflict or risk never lowers the
    level, the score, or drops a safety flag (domain brief; meklingsforskriften § 7)."""
    role = data.draw(st.sampled_from(sorted(both)))
    item = data.draw(st.sampled_from(CHOICE_ITEMS))
    values = [c.value for c in item.choices]
    position = values.index(both[role][item.id])
    if position == len(values) - 1:
        return
    raised = {**both, role: {**both[role], item.id: values[position + 1]}}
    before, after = classify(Q, both), classify(Q, raised)
    assert LEVELS.index(after.level) >= LEVELS.index(before.level)
    assert after.score >= before.score
    assert set(before.safety_flags) <= set(after.safety_flags)
    assert after.separate_meetings_recommended >= before.separate_meetings_recommended


@PROPERTY
@given(both=_answers_by_parent(min_parents=2))
def test_classification_does_not_depend_on_who_requested(
    both: dict[str, dict[str, str]],
) -> None:
    """The rules look at "one parent" and "the other", never at who asked for mediation."""
    swapped = {"requester": both["other"], "other": both["requester"]}
    one, two = classify(Q, both), classify(Q, swapped)
    assert (one.level, one.score, one.safety_flags, one.rules_applied) == (
        two.level,
        two.score,
        two.safety_flags,
        two.rules_applied,
    )
    assert one.separate_meetings_recommended == two.separate_meetings_recommended
    flip = {"requester": "other", "other": "requester"}
    assert sorted((r.item_id, flip[r.parent], r.choice) for r in one.reasons) == sorted(
        (r.item_id, r.parent, r.choice) for r in two.reasons
    )


@PROPERTY
@given(both=_answers_by_parent())
def test_level_is_known_and_provisional_until_both_parents_answered(
    both: dict[str, dict[str, str]],
) -> None:
    result = classify(Q, both)
    assert result.level in LEVELS
    assert result.provisional is (len(both) < 2)
    assert result.separate_meetings_recommended is bool(result.safety_flags)
    assert 0.0 <= result.score <= 1.0


@PROPERTY
@given(both=_answers_by_parent(), text=st.text(max_size=200))
def test_free_text_never_changes_the_classification(
    both: dict[str, dict[str, str]], text: str
) -> None:
    with_text = {role: {**values, "anything_else": text} for role, values in both.items()}
    assert classify(Q, with_text) == classify(Q, both)


# --- the questionnaire file ----------------------------------------------------------------


def test_shipped_questionnaire_covers_every_required_domain() -> None:
    assert {item.domain for item in Q.items} >= set(REQUIRED_DOMAINS)
    assert 14 <= len(Q.items) <= 20
    assert {s.id for s in Q.sources} >= {"bufetat_000_4_2", "masic_s", "family_doors"}
    assert {d for s in Q.sources for d in s.domains} >= set(REQUIRED_DOMAINS)


def test_every_item_speaks_bokmal_and_english() -> None:
    for item in Q.items:
        assert item.text.nb.strip() and item.text.en.strip(), item.id
        assert all(c.text.nb.strip() and c.text.en.strip() for c in item.choices), item.id


def test_safety_items_start_with_no_risk_and_promise_privacy() -> None:
    """Domain brief: ask in private and never show one parent the other's answers."""
    flags = {item.flag for item in SAFETY_ITEMS}
    assert flags >= {"violence", "fear", "threats", "abduction", "substance_abuse"}
    for item in SAFETY_ITEMS:
        assert item.choices[0].value == "no", item.id
        assert item.help is not None and "aldri" in item.help.nb, item.id


def test_the_only_free_text_item_is_optional() -> None:
    free_text = [item for item in Q.items if not item.is_choice]
    assert [(item.id, item.required) for item in free_text] == [("anything_else", False)]


def test_questionnaire_is_cached_per_version() -> None:
    assert load_questionnaire("v1") is Q
    assert load_questionnaire("2026.1") is Q
    assert load_questionnaire(SHIPPED) is Q


def _shipped() -> dict[str, Any]:
    return json.loads(SHIPPED.read_text(encoding="utf-8"))


def _items(raw: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = raw["items"]
    return items


def _duplicate_id(raw: dict[str, Any]) -> None:
    _items(raw)[1]["id"] = _items(raw)[0]["id"]


def _no_choices(raw: dict[str, Any]) -> None:
    del _items(raw)[0]["choices"]


def _risk_first(raw: dict[str, Any]) -> None:
    safety = next(i for i in _items(raw) if i["domain"] == "safety")
    safety["choices"].reverse()


def _no_english(raw: dict[str, Any]) -> None:
    del _items(raw)[0]["text"]["en"]


def _no_trust_items(raw: dict[str, Any]) -> None:
    raw["items"] = [i for i in _items(raw) if i["domain"] != "trust"]


def _unknown_flag(raw: dict[str, Any]) -> None:
    next(i for i in _items(raw) if i["domain"] == "safety")["flag"] = "weather"


def _no_sources(raw: dict[str, Any]) -> None:
    del raw["sources"]


@pytest.mark.parametrize(
    "break_it",
    [
        _duplicate_id,
        _no_choices,
        _risk_first,
        _no_english,
        _no_trust_items,
        _unknown_flag,
        _no_sources,
    ],
)
def test_load_refuses_a_broken_questionnaire(break_it: Any) -> None:
    raw = _shipped()
    break_it(raw)
    with pytest.raises(ValueError):
        parse_questionnaire(raw)


# --- the rules table -----------------------------------------------------------------------


def test_every_rule_has_a_source_and_a_reason_and_is_documented() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for name, rule in RULES.items():
        assert rule.source and rule.why, name
        assert f"`{name}`" in docs, name
