"""Who must mediate: the duty outcome of a request, with the legal reason for each part.

Pure functions over plain values; the periods and paragraphs come from config.legal.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta

from config.legal import rule_source, rule_value
from intake.models import CaseType

# Case type → the rule that sets its child age limit (the basis is the rule `basis_<type>`).
AGE_LIMIT_RULE = {
    CaseType.SEPARATION: "duty_child_age_limit",
    CaseType.COHABITATION_BREAKUP: "duty_child_age_limit",
    CaseType.COURT: "court_child_age_limit",
    CaseType.RELOCATION: "court_child_age_limit",
    CaseType.COURT_REFERRAL: "court_child_age_limit",
    CaseType.ENFORCEMENT: "court_child_age_limit",
}


@dataclass(frozen=True)
class DutyReason:
    code: str
    source: str
    nb: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "source": self.source, "text_nb": self.nb, "text_en": self.en}


@dataclass(frozen=True)
class DutyOutcome:
    required: bool
    reasons: tuple[DutyReason, ...]
    flags: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        return {
            "required": self.required,
            "reasons": [reason.as_dict() for reason in self.reasons],
            "flags": list(self.flags),
        }


def age_on(birth_date: date, day: date) -> int:
    return relativedelta(day, birth_date).years


def _children_reason(case_type: str, youngest_age: int, limit: int) -> DutyReason:
    source = rule_source(f"basis_{case_type}")
    if youngest_age < limit:
        return DutyReason(
            "child_under_limit",
            source,
            f"Dere har felles barn under {limit} år: mekling er påkrevd.",
            f"You have a common child under {limit}: mediation is required.",
        )
    return DutyReason(
        "no_child_under_limit",
        source,
        f"Ingen felles barn under {limit} år: mekling er frivillig.",
        f"No common child under {limit}: mediation is voluntary.",
    )


def _move_notice_reason(planned_move: date, notice_given: date) -> DutyReason | None:
    months = rule_value("relocation_notice_months")
    if notice_given + relativedelta(months=months) <= planned_move:
        return None
    return DutyReason(
        "short_move_notice",
        rule_source("relocation_notice_months"),
        f"Flyttingen ble varslet mindre enn {months} måneder før planlagt flyttedato.",
        f"The move was notified less than {months} months before the planned date.",
    )


def duty_outcome(
    *,
    case_type: str,
    children_birth_dates: Sequence[date],
    today: date,
    requester_abroad: bool = False,
    other_abroad: bool = False,
    planned_move_date: date | None = None,
    notice_given_on: date | None = None,
) -> DutyOutcome:
    """Whether mediation is compulsory for this request, why, and what staff should notice."""
    limit = rule_value(AGE_LIMIT_RULE[CaseType(case_type)])
    youngest = min(age_on(born, today) for born in children_birth_dates)
    reasons = [_children_reason(case_type, youngest, limit)]
    required = youngest < limit
    flags: list[str] = []

    if case_type == CaseType.COHABITATION_BREAKUP and (requester_abroad or other_abroad):
        required = False
        reasons.append(
            DutyReason(
                "cohabitant_abroad",
                rule_source("exemption_cohabitants_abroad"),
                "Samboere der én eller begge bor i utlandet har ikke plikt til å mekle.",
                "Cohabitants where one or both live abroad have no duty to mediate.",
            )
        )
    elif other_abroad:
        flags.append("other_parent_need_not_attend")
        reasons.append(
            DutyReason(
                "other_parent_abroad",
                rule_source("exemption_other_parent_abroad"),
                "Den andre forelderen bor i utlandet og har ikke plikt til å møte.",
                "The other parent lives abroad and need not attend.",
            )
        )

    if case_type == CaseType.RELOCATION and planned_move_date and notice_given_on:
        notice = _move_notice_reason(planned_move_date, notice_given_on)
        if notice is not None:
            flags.append("short_move_notice")
            reasons.append(notice)
    return DutyOutcome(required=required, reasons=tuple(reasons), flags=tuple(flags))
