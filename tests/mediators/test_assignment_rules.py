"""The assignment rules table: documented, sourced, and tied to the legal table."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.legal import rule_value
from mediators.assignment import RULES
from mediators.assignment.rules import number

DOCS = Path(__file__).resolve().parents[2] / "docs" / "assignment-rules.md"


@pytest.mark.parametrize("key", sorted(RULES))
def test_every_rule_is_in_the_docs_with_a_source(key: str):
    assert f"`{key}`" in DOCS.read_text(encoding="utf-8")
    assert RULES[key].source and RULES[key].summary


def test_guidance_numbers_come_from_the_legal_table():
    assert number("travel.max_journey") == rule_value("max_journey_minutes")
    assert number("urgency.waiting_guidance_days") == rule_value("offer_within_weeks") * 7
    assert number("urgency.court_horizon_days") == rule_value("offer_within_weeks") * 7
    assert number("urgency.relocation_horizon_days") == rule_value("relocation_notice_months") * 30


def test_rule_without_a_number_is_an_error():
    with pytest.raises(KeyError):
        number("office.own_office")


def test_unassigned_base_exceeds_the_costliest_eligible_pair():
    # Journey at the limit, a full week's wait at the highest urgency, full utilisation,
    # external: still below leaving the calmest case unassigned.
    worst = (
        number("travel.max_journey") * number("cost.journey")
        + number("cost.wait") * number("wait.week_days") * 4
        + number("cost.balance")
        + number("cost.external")
    )
    assert worst < number("cost.unassigned_base")
