"""Ranked suggestions for one case, and the explained exclusions staff can ask for."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from mediators.assignment import RULES, suggest
from tests.mediators.test_assignment_builders import (
    DRAMMEN,
    LILLEHAMMER,
    TODAY,
    case,
    cases_strategy,
    external,
    location,
    mediator,
    mediators_strategy,
)


def pool():
    return [
        mediator(mediator_id=1, load_hours=8.0),
        mediator(mediator_id=2, load_hours=1.0),
        mediator(mediator_id=3, high_conflict=False),
        mediator(mediator_id=4, active=False),
        mediator(mediator_id=5, office_id=9),
        external(mediator_id=6),
        external(mediator_id=7, approved_until=TODAY - timedelta(days=1)),
        external(mediator_id=8, locations=(location(8, 2, LILLEHAMMER, "Lillehammer"),)),
    ]


def test_ranked_suggestions_are_eligible_sorted_and_carry_reasons():
    result = suggest(case=case(level="high"), mediators=pool(), today=TODAY)
    ids = [s.mediator_id for s in result.ranked]
    assert set(ids) == {1, 2, 6}
    assert [s.cost for s in result.ranked] == sorted(s.cost for s in result.ranked)
    assert [s.score for s in result.ranked] == sorted(
        (s.score for s in result.ranked), reverse=True
    )
    assert ids[0] == 2  # same journey as 1, but an open calendar
    for s in result.ranked:
        assert s.reasons and all(r.rule in RULES and r.text["nb"] for r in s.reasons)
        assert s.earliest_free > TODAY and s.location_id is not None and s.location_name
    external_row = next(s for s in result.ranked if s.mediator_id == 6)
    assert (external_row.kind, external_row.office_id, external_row.location_id) == (
        "external",
        2,
        9,
    )
    assert external_row.location_name == "Drammen"
    assert result.excluded == []  # only when staff ask


def test_explain_lists_every_excluded_mediator_with_its_reasons():
    result = suggest(case=case(level="high"), mediators=pool(), today=TODAY, explain=True)
    excluded = dict(result.excluded)
    assert set(excluded) == {3, 4, 5, 7, 8}
    assert [e.rule for e in excluded[3]] == ["competence.high_conflict"]
    assert [e.rule for e in excluded[4]] == ["mediator.active"]
    assert [e.rule for e in excluded[5]] == ["office.own_office"]
    assert [e.rule for e in excluded[7]] == ["mediator.approval"]
    assert [e.rule for e in excluded[8]] == ["travel.max_journey"]


def test_limit_cuts_the_ranking():
    result = suggest(case=case(), mediators=pool(), today=TODAY, limit=2)
    assert len(result.ranked) == 2


def test_the_family_sees_their_earlier_mediator_first():
    """Continuity (`cost.continuity`, 60 points: about 7.5 days of waiting at `cost.wait`) beats
    a busier calendar: mediator 1 is at 60% of the week and 4 days later than the others."""
    busier = [mediator(mediator_id=1, load_hours=6.0), *pool()[1:]]
    result = suggest(case=case(previous_mediator_id=1), mediators=busier, today=TODAY)
    assert result.ranked[0].mediator_id == 1
    assert suggest(case=case(), mediators=busier, today=TODAY).ranked[0].mediator_id != 1


def test_a_nearer_external_beats_a_far_one():
    near = external(mediator_id=20, locations=(location(20, 2, DRAMMEN, "Drammen"),))
    far = external(mediator_id=21, locations=(location(21, 2, LILLEHAMMER, "Lillehammer"),))
    result = suggest(case=case(home=DRAMMEN), mediators=[far, near], today=TODAY)
    assert [s.mediator_id for s in result.ranked] == [20]


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_every_mediator_is_either_ranked_or_explained(data: st.DataObject):
    slots = data.draw(mediators_strategy(data.draw(st.integers(min_value=1, max_value=8))))
    need = data.draw(cases_strategy(1, [m.mediator_id for m in slots]))[0]
    result = suggest(case=need, mediators=slots, today=TODAY, limit=100, explain=True)
    ranked = {s.mediator_id for s in result.ranked}
    excluded = {mid for mid, _ in result.excluded}
    assert ranked | excluded == {m.mediator_id for m in slots}
    assert not ranked & excluded
    assert all(reasons for _, reasons in result.excluded)
    assert [s.cost for s in result.ranked] == sorted(s.cost for s in result.ranked)
