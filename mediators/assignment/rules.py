"""The assignment rules table: every rule, number and weight with its source, in one place.

Legal periods and guidance numbers come from `config.legal` (change them there); the numbers
that are ours (the journey model, case hours, cost weights) are defined here with the reason.
`docs/assignment-rules.md` explains each row; a test checks every key appears there.
"""

from __future__ import annotations

from dataclasses import dataclass

from config.legal import rule_source, rule_value

RULES_VERSION = "2026.1"


@dataclass(frozen=True)
class AssignmentRule:
    key: str
    value: float | None
    unit: str
    source: str
    summary: str


_MAX_JOURNEY = "max_journey_minutes"
_OFFER_WEEKS = "offer_within_weeks"
_RELOCATION_MONTHS = "relocation_notice_months"

_RULES = (
    # --- Eligibility: each of these can exclude a mediator (an Exclusion's `rule`) ---
    AssignmentRule(
        "office.own_office",
        None,
        "",
        "002 §4.1.1 (catchment, Oslo by district), 002 §4.2 (free choice)",
        "An office mediator takes only the cases held by their own office; the case's office is "
        "the parents' choice, else the catchment office (for relocation: where the child lives).",
    ),
    AssignmentRule(
        "mediator.active",
        None,
        "",
        "product requirement",
        "Only active mediators are suggested.",
    ),
    AssignmentRule(
        "mediator.approval",
        None,
        "",
        "Bufetat approval of external mediators (domain brief)",
        "An external mediator needs an approval valid on the day (approved_until inclusive).",
    ),
    AssignmentRule(
        "location.none",
        None,
        "",
        "000 §2.3 (not all services at all locations)",
        "A mediator with no meeting location serves nowhere.",
    ),
    AssignmentRule(
        "travel.max_journey",
        rule_value(_MAX_JOURNEY),
        "minutes",
        rule_source(_MAX_JOURNEY),
        "The estimated journey to the mediator's nearest location is at most about 2 hours "
        "each way (guidance); an external mediator may take any office's case within it.",
    ),
    AssignmentRule(
        "travel.remote",
        None,
        "",
        "domain brief (safety: telephone or video mediation where travel is very long)",
        "Beyond the journey limit, video/phone is allowed only if the parents accept it and the "
        "mediator belongs to the case's office (employee or supervised external); also for "
        "safety cases, which still need the competence below.",
    ),
    AssignmentRule(
        "competence.high_conflict",
        None,
        "",
        "000 §4.2 (conflict levels); domain brief (differentiated mediation)",
        "High conflict or any safety flag needs a mediator with high-conflict competence.",
    ),
    AssignmentRule(
        "competence.separate_meetings",
        None,
        "",
        "meklingsforskriften § 7 (separate meetings for strong reasons)",
        "High conflict or any safety flag: never a mediator who cannot hold separate meetings.",
    ),
    AssignmentRule(
        "competence.court_referral",
        None,
        "",
        "barneloven § 61 første ledd nr. 2, § 65a",
        "Court referral and enforcement cases need court-referral competence.",
    ),
    AssignmentRule(
        "language.shared",
        None,
        "",
        "tolkeloven § 4 (never a child as interpreter), § 6 (qualified interpreter)",
        "The mediator speaks every parent's language for which no interpreter is booked; with "
        "interpreters for both parents the mediator must speak Norwegian (nb). A gap is never "
        "bridged by a family member or a child.",
    ),
    AssignmentRule(
        "conflict_of_interest",
        None,
        "",
        "forvaltningsloven § 6 (inhabilitet); product requirement",
        "A mediator who declared a party (national id digest, or name and birth date) is never "
        "suggested for that party's case.",
    ),
    AssignmentRule(
        "capacity.full",
        None,
        "hours",
        "product requirement",
        "The case's weekly hours must fit in capacity minus committed load; no one above capacity.",
    ),
    # --- Weekly hours an open case takes ---
    AssignmentRule(
        "hours.standard",
        1.0,
        "hours/week",
        "meklingsforskriften § 1 (1 compulsory hour, at most 7)",
        "An open case takes about one hour of the mediator's week.",
    ),
    AssignmentRule(
        "hours.high_conflict",
        1.5,
        "hours/week",
        "000 §4.2; domain brief (differentiated mediation)",
        "High conflict takes longer meetings and more preparation.",
    ),
    AssignmentRule(
        "hours.safety",
        2.0,
        "hours/week",
        "meklingsforskriften § 7",
        "A safety flag means separate meetings, which double the hours.",
    ),
    # --- Journey model ---
    AssignmentRule(
        "journey.road_factor",
        1.35,
        "×",
        "our estimate: road distance / great-circle distance, typically 1.3–1.4 (fjords)",
        "Great-circle (haversine) kilometres times this factor estimate road kilometres.",
    ),
    AssignmentRule(
        "journey.speed_kmh",
        65.0,
        "km/h",
        "our estimate: Norwegian rural main roads 60–80 km/h, towns slower",
        "Average door-to-door speed on the road.",
    ),
    AssignmentRule(
        "journey.overhead_minutes",
        10.0,
        "minutes",
        "our estimate",
        "Fixed overhead: parking, walking, finding the office.",
    ),
    # --- Expected wait ---
    AssignmentRule(
        "wait.lead_days",
        1.0,
        "days",
        "our estimate",
        "The earliest first meeting is the next day.",
    ),
    AssignmentRule(
        "wait.week_days",
        7.0,
        "days",
        "our model",
        "Committed hours fill the calendar evenly: earliest free = today + "
        "max(lead, ceil(7 × load / capacity)) days. Used only for a mediator without a "
        "calendar (no opening hours entered).",
    ),
    AssignmentRule(
        "wait.calendar_days",
        30.0,
        "days",
        "our choice (covers the 3-week offer guidance)",
        "With a calendar, the earliest free day is the first day from tomorrow with a free "
        "opening long enough for the first meeting, looked up this many days ahead.",
    ),
    AssignmentRule(
        "wait.meeting_hours",
        1.0,
        "hours",
        "meklingsforskriften § 1 (the compulsory hour)",
        "Free opening time a joint first meeting needs.",
    ),
    AssignmentRule(
        "wait.separate_meeting_hours",
        2.25,
        "hours",
        "meklingsforskriften § 7; scheduling/slots.py (two meetings, 15 minutes apart)",
        "Free opening time separate first meetings need: one hour per parent and the gap.",
    ),
    # --- Urgency ---
    AssignmentRule(
        "urgency.relocation_horizon_days",
        float(rule_value(_RELOCATION_MONTHS) * 30),
        "days",
        rule_source(_RELOCATION_MONTHS),
        "A move closer than the 3-month notice period raises urgency up to the move date.",
    ),
    AssignmentRule(
        "urgency.court_horizon_days",
        float(rule_value(_OFFER_WEEKS) * 7),
        "days",
        "barneloven § 61, § 65a; domain brief (court period normally at most 2 weeks)",
        "A court deadline closer than the 3-week offer guidance raises urgency.",
    ),
    AssignmentRule(
        "urgency.waiting_guidance_days",
        float(rule_value(_OFFER_WEEKS) * 7),
        "days",
        rule_source(_OFFER_WEEKS),
        "Waiting time counts against the 3-week guidance (capped at twice it).",
    ),
    # --- Cost weights (cost points; 1 point ≈ 1 minute of one-way journey) ---
    AssignmentRule(
        "cost.journey",
        1.0,
        "points/minute",
        "domain brief (journey guidance)",
        "Each minute of the parents' one-way journey.",
    ),
    AssignmentRule(
        "cost.remote",
        60.0,
        "points",
        "domain brief (video where travel is very long)",
        "Video/phone is a fallback: about an hour of journey's worth.",
    ),
    AssignmentRule(
        "cost.wait",
        # The whole journey allowance (about 2 hours each way) is worth the working days of
        # the waiting allowance (an offer within 3 weeks: 15), so 8 points a day. The
        # planners' goal for the national simulation (a mean wait within 10% of the
        # hindsight bound) sets how much journey a day of waiting may buy: over a year, 5.7
        # (120 / 21 days) gave 1.106 x, 8 gave 1.09 x at 1.3 minutes more travel each way, 12
        # gave 1.07 x at 3.9 more (docs/assignment-rules.md).
        rule_value(_MAX_JOURNEY) / (rule_value(_OFFER_WEEKS) * 5),
        "points/day × (1 + urgency)",
        f"{rule_source(_MAX_JOURNEY)}: journey and offer guidance; the planners' wait goal",
        "Each day until the mediator's earliest free hour, weighted by the case's urgency: the "
        "journey guidance in minutes over the working days of the offer guidance (120 / 15).",
    ),
    AssignmentRule(
        "cost.balance",
        40.0,
        "points × utilisation²",
        "product requirement (load balance)",
        "Utilisation after adding the case, squared: spreading load keeps calendars open.",
    ),
    AssignmentRule(
        "cost.continuity",
        -60.0,
        "points",
        "product requirement (continuity)",
        "Bonus when the family met this mediator before.",
    ),
    AssignmentRule(
        "cost.external",
        10.0,
        "points",
        "our model; domain brief (18–21% of mediations by externals)",
        "A small preference for the office's own employees; externals still take a fair share.",
    ),
    AssignmentRule(
        "batch.congestion",
        None,
        "points",
        "our model (from cost.wait and cost.balance)",
        "In a batch, the k-th hour a mediator receives costs cost.wait × 7 × k / capacity (later "
        "cases wait longer) + 40 × (((load + k + 1) / capacity)² − ((load + 1) / capacity)²): "
        "convex, so the optimiser spreads cases instead of piling them on the nearest mediator.",
    ),
    AssignmentRule(
        "cost.unassigned_base",
        400.0,
        "points",
        "our model",
        "Leaving a case unassigned this round; above any eligible pair's cost, so every case "
        "that can be placed is placed.",
    ),
    AssignmentRule(
        "cost.unassigned_urgency",
        300.0,
        "points/urgency",
        "our model",
        "Added per unit of urgency, so urgent cases win scarce capacity.",
    ),
    AssignmentRule(
        "cost.ineligible",
        100.0,
        "points",
        "our model (metrics only)",
        "An ineligible pair chosen by a baseline costs its raw cost + the case's unassigned "
        "cost (it must be redone) + this.",
    ),
    AssignmentRule(
        "score.scale",
        4.0,
        "points/score point",
        "our model",
        "score = clamp(100 − cost / 4, 0, 100): higher is better.",
    ),
)

RULES: dict[str, AssignmentRule] = {rule.key: rule for rule in _RULES}


def number(key: str) -> float:
    """The number of a rule; a rule without a number is an error."""
    value = RULES[key].value
    if value is None:
        raise KeyError(f"Assignment rule {key} has no number.")
    return value
