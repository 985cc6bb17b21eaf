"""Who must mediate (domain brief, "Who must mediate"), one row per rule with its paragraph."""

from datetime import date
from typing import Any

import pytest

from intake.duty_rules import duty_outcome

TODAY = date(2026, 11, 23)


def born(years_ago: int, days_later: int = 0) -> date:
    """Birth date `years_ago` years before TODAY, moved `days_later` days towards today."""
    birthday = date(TODAY.year - years_ago, TODAY.month, TODAY.day)
    return date.fromordinal(birthday.toordinal() + days_later)


@pytest.mark.parametrize(
    ("case_type", "children", "kwargs", "required", "codes", "flags"),
    [
        # ekteskapsloven § 26: married parents with a child under 16.
        ("separation", [born(15, 1)], {}, True, ["child_under_limit"], []),
        ("separation", [born(16)], {}, False, ["no_child_under_limit"], []),
        ("separation", [born(17), born(3)], {}, True, ["child_under_limit"], []),
        # barneloven § 51: cohabitants with a child under 16; no duty when one lives abroad.
        ("cohabitation_breakup", [born(10)], {}, True, ["child_under_limit"], []),
        (
            "cohabitation_breakup",
            [born(10)],
            {"other_abroad": True},
            False,
            ["child_under_limit", "cohabitant_abroad"],
            [],
        ),
        (
            "cohabitation_breakup",
            [born(10)],
            {"requester_abroad": True},
            False,
            ["child_under_limit", "cohabitant_abroad"],
            [],
        ),
        # meklingsforskriften § 7: a non-requesting parent abroad need not attend.
        (
            "separation",
            [born(10)],
            {"other_abroad": True},
            True,
            ["child_under_limit", "other_parent_abroad"],
            ["other_parent_need_not_attend"],
        ),
        # barneloven §§ 51, 56: before court, children under 18.
        ("court", [born(17)], {}, True, ["child_under_limit"], []),
        ("court", [born(18)], {}, False, ["no_child_under_limit"], []),
        # barneloven § 61 first paragraph no. 2 and § 65a.
        ("court_referral", [born(12)], {}, True, ["child_under_limit"], []),
        ("enforcement", [born(12)], {}, True, ["child_under_limit"], []),
        # barneloven § 42a: 3 months' notice; shorter notice is accepted but flagged.
        (
            "relocation",
            [born(8)],
            {"planned_move_date": date(2027, 3, 1), "notice_given_on": date(2026, 11, 1)},
            True,
            ["child_under_limit"],
            [],
        ),
        (
            "relocation",
            [born(8)],
            {"planned_move_date": date(2027, 1, 31), "notice_given_on": date(2026, 11, 1)},
            True,
            ["child_under_limit", "short_move_notice"],
            ["short_move_notice"],
        ),
        (
            "relocation",
            [born(8)],
            {"planned_move_date": date(2027, 2, 1), "notice_given_on": date(2026, 11, 1)},
            True,
            ["child_under_limit"],
            [],
        ),
    ],
)
def test_duty_outcome(
    case_type: str,
    children: list[date],
    kwargs: dict[str, Any],
    required: bool,
    codes: list[str],
    flags: list[str],
) -> None:
    outcome = duty_outcome(
        case_type=case_type, children_birth_dates=children, today=TODAY, **kwargs
    )
    assert outcome.required is required
    assert [reason.code for reason in outcome.reasons] == codes
    assert list(outcome.flags) == flags
    assert all(reason.source for reason in outcome.reasons)


def test_every_reason_names_its_paragraph() -> None:
    outcome = duty_outcome(
        case_type="relocation",
        children_birth_dates=[born(5)],
        today=TODAY,
        planned_move_date=date(2027, 1, 1),
        notice_given_on=date(2026, 12, 1),
    )
    sources = [reason.source for reason in outcome.reasons]
    assert sources == ["barneloven § 42a, § 51", "barneloven § 42a"]
