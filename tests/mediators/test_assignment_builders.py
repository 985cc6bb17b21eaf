"""Builders shared by the assignment tests: one eligible base case and mediator, and random
small instances for the property tests. Pure: no Django, no database.

The base pair is eligible on purpose; each rule test changes one field and expects exactly that
rule's exclusion.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import strategies as st

from mediators.assignment import (
    CaseNeed,
    LocationRef,
    MediatorSlot,
    Place,
    exclusions,
    is_eligible,
    party_keys,
)

TODAY = date(2026, 3, 2)
OSLO = Place(59.9139, 10.7522)
DRAMMEN = Place(59.7439, 10.2045)  # about 45 min from Oslo
LILLEHAMMER = Place(61.1153, 10.4662)  # about 3 hours from Oslo
TROMSO = Place(69.6492, 18.9553)
KARI = party_keys(
    national_id_digest="a" * 64,
    given_name="Kari",
    family_name="Nordmann",
    birth_date=date(1985, 4, 1),
)


def location(
    location_id: int = 1, office_id: int = 1, place: Place = OSLO, name: str = "Oslo"
) -> LocationRef:
    return LocationRef(location_id=location_id, office_id=office_id, name=name, place=place)


def case(**changes: Any) -> CaseNeed:
    base = CaseNeed(
        case_id=1,
        reference="MEK-2026-00001",
        office_id=1,
        home=OSLO,
        case_type="separation",
        level="medium",
        safety=False,
        languages=frozenset({"nb"}),
        interpreter=False,
        parties=KARI,
        requested_on=TODAY - timedelta(days=5),
        move_date=None,
        court_deadline=None,
        previous_mediator_id=None,
        remote_ok=False,
    )
    return replace(base, **changes)


def mediator(**changes: Any) -> MediatorSlot:
    base = MediatorSlot(
        mediator_id=10,
        name="Ola Hansen",
        kind="office",
        office_id=1,
        locations=(location(),),
        high_conflict=True,
        child_talk=True,
        court_referral=True,
        separate_meetings=True,
        languages=frozenset({"nb", "en"}),
        capacity_hours=10.0,
        load_hours=0.0,
        active=True,
        approved_until=None,
        declared_parties=frozenset(),
        last_assigned_at=None,
    )
    return replace(base, **changes)


def external(**changes: Any) -> MediatorSlot:
    defaults: dict[str, Any] = {
        "mediator_id": 50,
        "name": "Ekstern Mekler",
        "kind": "external",
        "office_id": 2,
        "locations": (location(9, 2, DRAMMEN, "Drammen"),),
        "approved_until": TODAY + timedelta(days=365),
    }
    return mediator(**{**defaults, **changes})


# --- Random small instances (hypothesis) ---

PLACES = (OSLO, DRAMMEN, LILLEHAMMER, Place(60.7945, 11.0680), Place(59.2675, 10.4076))
CASE_TYPES = ("separation", "cohabitation_breakup", "court", "relocation", "court_referral")


@st.composite
def mediators_strategy(draw: st.DrawFn, count: int) -> list[MediatorSlot]:
    found = []
    for index in range(count):
        kind = draw(st.sampled_from(("office", "office", "external")))
        place = draw(st.sampled_from(PLACES))
        capacity = float(draw(st.integers(min_value=0, max_value=6)))
        load = draw(st.integers(min_value=0, max_value=12)) / 2
        approved = None
        if kind == "external":
            approved = TODAY + timedelta(days=draw(st.integers(min_value=-3, max_value=300)))
        found.append(
            mediator(
                mediator_id=100 + index,
                kind=kind,
                office_id=draw(st.integers(min_value=1, max_value=2)),
                locations=(location(index + 1, 1, place, f"L{index}"),),
                high_conflict=draw(st.booleans()),
                court_referral=draw(st.booleans()),
                separate_meetings=draw(st.booleans()),
                languages=frozenset({"nb"}) | draw(st.sets(st.sampled_from(("en", "pl")))),
                capacity_hours=capacity,
                load_hours=min(load, capacity),
                active=draw(st.booleans()) or draw(st.booleans()),
                approved_until=approved,
                last_assigned_at=datetime(2026, 2, 1, tzinfo=UTC)
                + timedelta(hours=draw(st.integers(min_value=0, max_value=500))),
            )
        )
    return found


@st.composite
def cases_strategy(draw: st.DrawFn, count: int, mediator_ids: list[int]) -> list[CaseNeed]:
    found = []
    for index in range(count):
        case_type = draw(st.sampled_from(CASE_TYPES))
        days_to = draw(st.integers(min_value=-2, max_value=120))
        found.append(
            case(
                case_id=1 + index,
                reference=f"MEK-2026-{1 + index:05d}",
                office_id=draw(st.integers(min_value=1, max_value=2)),
                home=draw(st.sampled_from(PLACES)),
                case_type=case_type,
                level=draw(st.sampled_from(("low", "medium", "high"))),
                safety=draw(st.booleans()) and draw(st.booleans()),
                languages=frozenset({"nb"}) | draw(st.sets(st.sampled_from(("en", "pl")))),
                interpreter=draw(st.booleans()),
                parties=frozenset({f"id:{index}"}),
                requested_on=TODAY - timedelta(days=draw(st.integers(min_value=0, max_value=40))),
                move_date=TODAY + timedelta(days=days_to) if case_type == "relocation" else None,
                court_deadline=(
                    TODAY + timedelta(days=days_to) if case_type == "court_referral" else None
                ),
                previous_mediator_id=draw(st.sampled_from([None, *mediator_ids])),
                remote_ok=draw(st.booleans()),
            )
        )
    return found


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[CaseNeed], list[MediatorSlot]]:
    """2–7 mediators and 1–10 cases around Oslo, with random competence, load and needs."""
    slots = draw(mediators_strategy(draw(st.integers(min_value=2, max_value=7))))
    # A few conflict-of-interest declarations against random case ids.
    declared = draw(st.sets(st.integers(min_value=0, max_value=9), max_size=2))
    if declared:
        slots[0] = replace(slots[0], declared_parties=frozenset(f"id:{i}" for i in declared))
    ids = [m.mediator_id for m in slots]
    needs = draw(cases_strategy(draw(st.integers(min_value=1, max_value=10)), ids))
    return needs, slots


def test_base_pair_is_eligible() -> None:
    assert exclusions(case=case(), mediator=mediator(), today=TODAY) == []
    assert is_eligible(case=case(), mediator=mediator(), today=TODAY)


def test_base_external_is_eligible_within_the_journey_limit() -> None:
    assert exclusions(case=case(), mediator=external(), today=TODAY) == []


def test_unknown_case_type_level_or_kind_is_refused():
    for bad in ({"case_type": "divorce"}, {"level": "extreme"}):
        with pytest.raises(ValueError, match="Unknown"):
            case(**bad)
    with pytest.raises(ValueError, match="Unknown mediator kind"):
        mediator(kind="volunteer")
