"""Eligibility: one test (or table row) per rule of the assignment rules table.

Sources: 002 §4.1.1 (catchment; Oslo by district) and §4.2 (free choice), 000 §4.2 (conflict
levels), meklingsforskriften § 7 (separate meetings), barneloven § 61 and § 65a (court referral,
enforcement), tolkeloven § 4 (never a child as interpreter) and § 6, forvaltningsloven § 6
(conflict of interest), the domain brief's guidance (about 2 hours' journey; video where travel
is very long). Pure tests: no Django, no database.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediators.assignment import (
    RULES,
    OfficeResolutionError,
    exclusions,
    is_eligible,
    journey_minutes,
    party_keys,
    resolve_office,
)
from tests.mediators.test_assignment_builders import (
    DRAMMEN,
    LILLEHAMMER,
    OSLO,
    TODAY,
    TROMSO,
    case,
    cases_strategy,
    external,
    location,
    mediator,
    mediators_strategy,
)


def rules_of(case_: Any, mediator_: Any, today: date = TODAY) -> list[str]:
    found = exclusions(case=case_, mediator=mediator_, today=today)
    assert all(e.rule in RULES for e in found)
    assert all(e.text["nb"] and e.text["en"] for e in found)
    return [e.rule for e in found]


# --- Office (002 §4.1.1, §4.2) ---

# Copied by hand from 002 §4.1.1, with office ids 1-4 standing for the four Oslo offices.
CHRISTIANIA, ENERHAUGEN, HOMANSBYEN, OSLO_NORD = 1, 2, 3, 4
OSLO_002 = {
    "Søndre Nordstrand": CHRISTIANIA,
    "Nordstrand": CHRISTIANIA,
    "Grünerløkka": CHRISTIANIA,
    "Frogner": CHRISTIANIA,
    "Alna": ENERHAUGEN,
    "Gamle Oslo": ENERHAUGEN,
    "Østensjø": ENERHAUGEN,
    "Nordre Aker": ENERHAUGEN,
    "St. Hanshaugen": HOMANSBYEN,
    "Ullern": HOMANSBYEN,
    "Sagene": HOMANSBYEN,
    "Vestre Aker": HOMANSBYEN,
    "Bjerke": OSLO_NORD,
    "Grorud": OSLO_NORD,
    "Stovner": OSLO_NORD,
}
CATCHMENT: dict[tuple[str, str | None], int] = {
    **{("0301", district): office for district, office in OSLO_002.items()},
    ("3201", None): 5,  # Bærum → Asker og Bærum
    ("3301", None): 6,  # Drammen → Drammen
}


@pytest.mark.parametrize(("district", "office"), sorted(OSLO_002.items()))
def test_oslo_cases_go_to_the_office_of_their_district_as_in_002(district: str, office: int):
    got = resolve_office(
        catchment=CATCHMENT, municipality="0301", district=district, chosen_office_id=None
    )
    assert got == office


def test_outside_oslo_the_municipality_decides():
    got = resolve_office(
        catchment=CATCHMENT, municipality="3201", district=None, chosen_office_id=None
    )
    assert got == 5


def test_the_parents_free_choice_of_office_wins_over_catchment():
    got = resolve_office(
        catchment=CATCHMENT, municipality="3201", district=None, chosen_office_id=HOMANSBYEN
    )
    assert got == HOMANSBYEN


def test_relocation_uses_the_municipality_where_the_child_lives():
    # The service passes the child's municipality (Drammen), not the moving parent's (Bærum).
    got = resolve_office(
        catchment=CATCHMENT, municipality="3301", district=None, chosen_office_id=None
    )
    assert got == 6


@pytest.mark.parametrize(("municipality", "district"), [("0301", None), ("9999", None)])
def test_unknown_catchment_is_refused(municipality: str, district: str | None):
    with pytest.raises(OfficeResolutionError):
        resolve_office(
            catchment=CATCHMENT,
            municipality=municipality,
            district=district,
            chosen_office_id=None,
        )


def test_office_mediator_only_for_their_own_offices_cases():
    assert rules_of(case(office_id=1), mediator(office_id=1)) == []
    assert rules_of(case(office_id=2), mediator(office_id=1)) == ["office.own_office"]


def test_external_mediator_for_any_offices_case_within_the_journey_limit():
    for office_id in (1, 2, 3):
        assert rules_of(case(office_id=office_id), external(office_id=2)) == []


# --- Mediator status ---


def test_inactive_mediator_is_excluded():
    assert rules_of(case(), mediator(active=False)) == ["mediator.active"]


@pytest.mark.parametrize(
    ("approved_until", "eligible"),
    [
        (TODAY + timedelta(days=30), True),
        (TODAY, True),  # approved until today inclusive
        (TODAY - timedelta(days=1), False),
        (None, False),
    ],
)
def test_external_approval_must_be_valid_today(approved_until: date | None, eligible: bool):
    found = rules_of(case(), external(approved_until=approved_until))
    assert found == ([] if eligible else ["mediator.approval"])


def test_mediator_without_a_location_serves_nowhere():
    assert rules_of(case(), mediator(locations=())) == ["location.none"]


# --- Travel (guidance: about 2 hours each way; video where travel is very long) ---


def test_journey_limit_uses_the_nearest_location():
    far_and_near = (location(1, 1, LILLEHAMMER, "Lillehammer"), location(2, 1, OSLO, "Oslo"))
    assert journey_minutes(OSLO, LILLEHAMMER) > 120
    assert rules_of(case(), mediator(locations=far_and_near)) == []
    assert rules_of(case(), mediator(locations=far_and_near[:1])) == ["travel.max_journey"]


@pytest.mark.parametrize(
    ("remote_ok", "mediator_office", "kind", "safety", "eligible"),
    [
        (False, 1, "office", False, False),  # parents have not accepted video
        (True, 1, "office", False, True),  # video with the case's own office
        (True, 1, "office", True, True),  # a safety case may be remote (separate video)
        (True, 1, "external", False, True),  # external supervised by the case's office
        (True, 2, "external", False, False),  # external of another office: in person only
    ],
)
def test_remote_only_beyond_the_limit_with_consent_and_the_cases_office(
    remote_ok: bool, mediator_office: int, kind: str, safety: bool, eligible: bool
):
    far = (location(7, mediator_office, TROMSO, "Tromsø"),)
    slot = mediator(
        kind=kind,
        office_id=mediator_office,
        locations=far,
        approved_until=TODAY + timedelta(days=9) if kind == "external" else None,
    )
    need = case(remote_ok=remote_ok, safety=safety, level="high" if safety else "medium")
    assert rules_of(need, slot) == ([] if eligible else ["travel.max_journey"])


def test_remote_is_never_used_within_the_limit():
    from mediators.assignment.eligibility import travel

    trip = travel(case=case(remote_ok=True), mediator=mediator())
    assert (trip.remote, trip.allowed) == (False, True)


# --- Competence (000 §4.2; meklingsforskriften § 7; barneloven § 61, § 65a) ---

HIGH_NEEDS = [
    pytest.param({"level": "high"}, id="high-conflict"),
    pytest.param({"level": "medium", "safety": True}, id="safety-flag"),
    pytest.param({"level": "low", "safety": True}, id="safety-flag-low"),
]


@pytest.mark.parametrize("need", HIGH_NEEDS)
@pytest.mark.parametrize(
    ("high_conflict", "separate_meetings", "expected"),
    [
        (True, True, []),
        (False, True, ["competence.high_conflict"]),
        (True, False, ["competence.separate_meetings"]),
        (False, False, ["competence.high_conflict", "competence.separate_meetings"]),
    ],
)
def test_high_conflict_and_safety_need_competence_and_separate_meetings(
    need: dict[str, Any], high_conflict: bool, separate_meetings: bool, expected: list[str]
):
    slot = mediator(high_conflict=high_conflict, separate_meetings=separate_meetings)
    assert rules_of(case(**need), slot) == expected


@pytest.mark.parametrize("level", ["low", "medium"])
def test_low_and_medium_need_no_high_conflict_competence(level: str):
    slot = mediator(high_conflict=False, separate_meetings=False)
    assert rules_of(case(level=level), slot) == []


@pytest.mark.parametrize(
    ("case_type", "needs_competence"),
    [
        ("court_referral", True),
        ("enforcement", True),
        ("court", False),
        ("separation", False),
        ("cohabitation_breakup", False),
        ("relocation", False),
    ],
)
def test_court_referral_and_enforcement_need_court_competence(
    case_type: str, needs_competence: bool
):
    found = rules_of(case(case_type=case_type), mediator(court_referral=False))
    assert found == (["competence.court_referral"] if needs_competence else [])


# --- Language (tolkeloven § 4, § 6) ---


@pytest.mark.parametrize(
    ("languages", "interpreter", "speaks", "eligible"),
    [
        ({"nb"}, False, {"nb"}, True),
        ({"nb", "en"}, False, {"nb"}, False),  # English-speaking parent, no interpreter
        ({"nb", "en"}, False, {"nb", "en"}, True),
        ({"nb"}, True, {"nb"}, True),  # the other parent's interpreter is booked
        (set(), True, {"nb"}, True),  # interpreters for both: the mediator speaks Norwegian
        (set(), True, {"en"}, False),
        ({"pl"}, True, {"nb"}, False),  # a Polish-speaking parent without an interpreter
    ],
)
def test_shared_language_or_a_booked_interpreter(
    languages: set[str], interpreter: bool, speaks: set[str], eligible: bool
):
    need = case(languages=frozenset(languages), interpreter=interpreter)
    found = rules_of(need, mediator(languages=frozenset(speaks)))
    assert found == ([] if eligible else ["language.shared"])


def test_nynorsk_is_served_by_a_norwegian_speaking_mediator():
    need = case(languages=frozenset({"nn", "nb"}))
    assert rules_of(need, mediator(languages=frozenset({"nb"}))) == []
    assert rules_of(need, mediator(languages=frozenset({"en"}))) == ["language.shared"]


def test_language_gap_text_says_a_child_never_interprets():
    found = exclusions(
        case=case(languages=frozenset({"nb", "ar"})), mediator=mediator(), today=TODAY
    )
    assert "barn skal aldri tolke" in found[0].text["nb"]
    assert "child must never interpret" in found[0].text["en"]


# --- Conflict of interest (forvaltningsloven § 6) ---


def test_conflict_of_interest_by_national_id_digest():
    declared = party_keys(national_id_digest="a" * 64)
    assert rules_of(case(), mediator(declared_parties=declared)) == ["conflict_of_interest"]


def test_conflict_of_interest_by_name_and_birth_date_normalised():
    declared = party_keys(
        given_name="  KARI ", family_name="nordmann  ", birth_date=date(1985, 4, 1)
    )
    assert declared == frozenset({"nb:kari nordmann|1985-04-01"})
    assert rules_of(case(), mediator(declared_parties=declared)) == ["conflict_of_interest"]


def test_same_name_other_birth_date_is_no_conflict():
    declared = party_keys(given_name="Kari", family_name="Nordmann", birth_date=date(1986, 4, 1))
    assert rules_of(case(), mediator(declared_parties=declared)) == []


def test_party_keys_need_a_birth_date_for_the_name_key():
    assert party_keys(given_name="Kari", family_name="Nordmann") == frozenset()


# --- Capacity ---


@pytest.mark.parametrize(
    ("level", "safety", "load", "eligible"),
    [
        ("medium", False, 9.0, True),  # 1 h fits exactly
        ("medium", False, 9.5, False),
        ("high", False, 8.5, True),  # 1.5 h
        ("high", False, 9.0, False),
        ("medium", True, 8.0, True),  # 2 h: separate meetings double the hours
        ("medium", True, 8.5, False),
        ("medium", False, 10.0, False),
    ],
)
def test_no_one_above_capacity(level: str, safety: bool, load: float, eligible: bool):
    found = rules_of(case(level=level, safety=safety), mediator(load_hours=load))
    assert found == ([] if eligible else ["capacity.full"])


def test_every_broken_rule_is_listed():
    slot = mediator(
        active=False,
        office_id=2,
        high_conflict=False,
        court_referral=False,
        languages=frozenset({"sv"}),
        load_hours=10.0,
        locations=(location(3, 2, TROMSO, "Tromsø"),),
        declared_parties=party_keys(national_id_digest="a" * 64),
    )
    need = case(case_type="court_referral", level="high", court_deadline=TODAY)
    assert set(rules_of(need, slot)) == {
        "mediator.active",
        "office.own_office",
        "conflict_of_interest",
        "competence.high_conflict",
        "competence.court_referral",
        "language.shared",
        "capacity.full",
        "travel.max_journey",
    }


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_is_eligible_agrees_with_exclusions(data: st.DataObject):
    slots = data.draw(mediators_strategy(3))
    needs = data.draw(cases_strategy(3, [m.mediator_id for m in slots]))
    for need in needs:
        for slot in slots:
            assert is_eligible(case=need, mediator=slot, today=TODAY) == (
                exclusions(case=need, mediator=slot, today=TODAY) == []
            )


def test_drammen_is_within_and_lillehammer_beyond_the_guidance_from_oslo():
    assert journey_minutes(OSLO, DRAMMEN) <= 120 < journey_minutes(OSLO, LILLEHAMMER)
