"""Conflict level from the pre-mediation questionnaire (konfliktnivå, seed 000 §4.2).

Pure and standard-library only (the questionnaire itself is intake/questionnaire.py), so it
can be tested without Django and shown to staff as a table (docs/classification-rules.md).
Nothing here logs, prints or stores answers, and no error message quotes an answer value: the
answers are the most sensitive data in the service.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, Literal

from intake.questionnaire import SAFETY_DOMAIN, SCORED_DOMAINS, Item, Questionnaire, Text

Level = Literal["low", "medium", "high"]
LEVELS: Final[tuple[Level, ...]] = ("low", "medium", "high")
PARENT_ROLES: Final = ("requester", "other")

RULES_VERSION: Final = "2026.1"


@dataclass(frozen=True)
class Rule:
    """One row of the rules table: a number, where it comes from, and why."""

    value: float
    source: str
    why: str
    # Patterns: these domains, answered at or past `value` by one parent, lift the level.
    domains: tuple[str, ...] = ()
    needs: Literal["all", "any"] = "all"
    floor: Level | None = None
    text: Text | None = None


_SIGNAL: Final = 2 / 3  # third of four steps ("Lite", "Ofte"); the same float as rank 2/(4-1)
_BUFDIR: Final = "Bufdir booking questions"

# One row per rule, shown as a table in docs/classification-rules.md; kept unformatted to read
# as a table.
# fmt: off
RULES: Final[Mapping[str, Rule]] = MappingProxyType({
    "weight.agreement": Rule(2.0, f"000 §4.2 (low); {_BUFDIR}",
                             "Low conflict is defined by how much the parents disagree."),
    "weight.communication": Rule(2.0, "000 §4.2 (high)", "Little or negative communication."),
    "weight.trust": Rule(2.0, f"000 §4.2 (high); {_BUFDIR}", "Low trust."),
    "weight.cooperation": Rule(2.0, "000 §4.2 (high)", "Little will to cooperate."),
    "weight.motivation": Rule(1.0, "000 §4.2 (high)",
                              "Different motivation and little hope; weaker on their own."),
    "weight.recency": Rule(1.0, "000 §4.2 (medium)",
                           "A recent break-up means crisis more than conflict."),
    "weight.child_worry": Rule(1.0, "000 §4.2 (medium); Family DOORS",
                               "Worry for the children marks crisis more than conflict."),
    "combine.max_share": Rule(0.7, "product requirement; domain brief (a third under-report)",
                              "The parent reporting more conflict weighs 0.7, the other 0.3."),
    "threshold.medium": Rule(
        0.4, "000 §4.2 (low vs medium); calibrated on the test table",
        "Above 'minor' answers everywhere (0.33), which 000 §4.2 still calls low.",
        text=Text("Samlet poengsum på middels nivå.", "Combined score at medium level.")),
    "threshold.high": Rule(
        0.6, "000 §4.2 (high); calibrated on the test table",
        "Reached when most core domains sit at the worst answers.",
        text=Text("Samlet poengsum på høyt nivå.", "Combined score at high level.")),
    "pattern.not_low": Rule(
        _SIGNAL, "000 §4.2 (low: both report no or only minor disagreements)",
        "More than minor trouble in a core domain from either parent rules out low.",
        domains=("agreement", "communication", "trust", "cooperation"), needs="any",
        floor="medium",
        text=Text("Minst én forelder beskriver mer enn små uenigheter.",
                  "At least one parent describes more than minor disagreements.")),
    "pattern.crisis": Rule(
        _SIGNAL, "000 §4.2 (medium)",
        "A recent break-up together with clear worry for the children.",
        domains=("recency", "child_worry"), floor="medium",
        text=Text("Nylig brudd og tydelig bekymring for barna (typisk middels konflikt).",
                  "Recent break-up and clear worry for the children (typical medium).")),
    "pattern.high_conflict": Rule(
        _SIGNAL, "000 §4.2 (high)",
        "Low trust, little or negative communication and little will to cooperate.",
        domains=("trust", "communication", "cooperation"), floor="high",
        text=Text("Én forelder beskriver lav tillit, lite eller negativ kommunikasjon og "
                  "liten samarbeidsvilje (typisk høy konflikt).",
                  "One parent describes low trust, little or negative communication and "
                  "little will to cooperate (typical high conflict).")),
    "safety.any_risk": Rule(
        0.0, "domain brief; MASIC-S; Family DOORS; meklingsforskriften § 7",
        "Any answer but 'no' to a safety item from either parent: high, and separate "
        "meetings are recommended.",
        floor="high",
        text=Text("Minst én forelder oppgir en sikkerhetsrisiko. Anbefal separate møter.",
                  "At least one parent reports a safety risk. Recommend separate meetings.")),
})
# fmt: on


@dataclass(frozen=True)
class Reason:
    """One answer that moved the level, worded for staff."""

    item_id: str
    domain: str
    parent: str
    choice: str
    severity: float  # the choice's rank, 0..1
    weight: float  # its share of the parent's score; 1.0 for safety, which decides alone
    text: Text

    def as_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "domain": self.domain,
            "parent": self.parent,
            "choice": self.choice,
            "severity": self.severity,
            "weight": self.weight,
            "text": self.text.as_dict(),
        }


@dataclass(frozen=True)
class Classification:
    level: Level
    provisional: bool
    score: float
    # Kept out of repr so an accidental log line or traceback does not carry answers.
    reasons: tuple[Reason, ...] = field(repr=False)
    safety_flags: tuple[str, ...] = field(repr=False)
    separate_meetings_recommended: bool
    rules_applied: tuple[str, ...]
    rules_version: str
    questionnaire_version: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready; as sensitive as the answers, purge it with them."""
        return {
            "level": self.level,
            "provisional": self.provisional,
            "score": round(self.score, 3),
            "reasons": [reason.as_dict() for reason in self.reasons],
            "safety_flags": list(self.safety_flags),
            "separate_meetings_recommended": self.separate_meetings_recommended,
            "rules_applied": [_rule_as_dict(name) for name in self.rules_applied],
            "rules_version": self.rules_version,
            "questionnaire_version": self.questionnaire_version,
        }


def _rule_as_dict(name: str) -> dict[str, Any]:
    text = RULES[name].text
    return {"rule": name, "text": text.as_dict() if text else None}


def classify(
    questionnaire: Questionnaire, answers_by_parent: Mapping[str, Mapping[str, str]]
) -> Classification:
    """Classify both parents' answers (role -> item id -> choice value); absent parent = absent.

    Raises ValueError for an unknown role, item id or choice value, or a missing required item:
    callers validate first, so this is a programming error, never a silent "no risk".
    """
    if not answers_by_parent:
        raise ValueError("classify needs the answers of at least one parent")
    values = {
        role: _complete(questionnaire, role, answers)
        for role, answers in sorted(answers_by_parent.items())
    }
    weights = _item_weights(questionnaire)
    score = _combine([_parent_score(weights, questionnaire, v) for v in values.values()])
    applied = _rules_applied(questionnaire, values, score)
    reasons = [r for role, v in values.items() for r in _reasons(questionnaire, weights, role, v)]
    flags = tuple(sorted(_risk_flags(questionnaire, values)))
    return Classification(
        level=_highest([_floor(name, score) for name in applied]),
        provisional=len(values) < len(PARENT_ROLES),
        score=score,
        reasons=tuple(sorted(reasons, key=_reason_order(questionnaire))),
        safety_flags=flags,
        separate_meetings_recommended=bool(flags),
        rules_applied=applied,
        rules_version=RULES_VERSION,
        questionnaire_version=questionnaire.version,
    )


def level_for_score(score: float) -> Level:
    if score >= RULES["threshold.high"].value:
        return "high"
    if score >= RULES["threshold.medium"].value:
        return "medium"
    return "low"


def _complete(
    questionnaire: Questionnaire, role: str, answers: Mapping[str, str]
) -> dict[str, str]:
    """Every choice item's value for one parent; a skipped optional item is least conflict."""
    if role not in PARENT_ROLES:
        raise ValueError(f"unknown parent role {role!r}")
    for item_id, value in answers.items():
        item = questionnaire.item(item_id)
        if item.is_choice:
            item.choice(value)
        elif not isinstance(value, str):
            raise ValueError(f"item {item_id!r}: free text must be a string")
    values: dict[str, str] = {}
    for item in questionnaire.items:
        if not item.is_choice:
            continue
        if item.id not in answers and item.required:
            raise ValueError(f"{role}: required item {item.id!r} is missing")
        values[item.id] = answers.get(item.id, item.choices[0].value)
    return values


def _item_weights(questionnaire: Questionnaire) -> dict[str, float]:
    """Each scored item's share of a parent's score: its domain weight split over the items."""
    domains = [d for d in SCORED_DOMAINS if questionnaire.in_domain(d)]
    total = sum(RULES[f"weight.{d}"].value for d in domains)
    return {
        item.id: RULES[f"weight.{d}"].value / len(questionnaire.in_domain(d)) / total
        for d in domains
        for item in questionnaire.in_domain(d)
    }


def _parent_score(
    weights: Mapping[str, float], questionnaire: Questionnaire, values: Mapping[str, str]
) -> float:
    return sum(w * questionnaire.item(i).rank(values[i]) for i, w in weights.items())


def _combine(scores: list[float]) -> float:
    share = RULES["combine.max_share"].value
    # Rounded so a score that is exactly on a threshold is not lost to float noise.
    return round(share * max(scores) + (1 - share) * min(scores), 6)


def _rules_applied(
    questionnaire: Questionnaire, values: Mapping[str, Mapping[str, str]], score: float
) -> tuple[str, ...]:
    applied: list[str] = []
    if level_for_score(score) != "low":
        applied.append(f"threshold.{level_for_score(score)}")
    for name, rule in RULES.items():
        if rule.domains and any(_pattern_met(questionnaire, rule, v) for v in values.values()):
            applied.append(name)
    if _risk_flags(questionnaire, values):
        applied.append("safety.any_risk")
    return tuple(applied)


def _pattern_met(questionnaire: Questionnaire, rule: Rule, values: Mapping[str, str]) -> bool:
    """True when one parent's answers reach the rule's signal in all (or any) of its domains."""
    hits = (
        any(item.rank(values[item.id]) >= rule.value for item in questionnaire.in_domain(d))
        for d in rule.domains
    )
    return all(hits) if rule.needs == "all" else any(hits)


def _floor(rule_name: str, score: float) -> Level:
    return RULES[rule_name].floor or level_for_score(score)


def _highest(levels: list[Level]) -> Level:
    return max(levels, key=LEVELS.index, default="low")


def _risk_flags(questionnaire: Questionnaire, values: Mapping[str, Mapping[str, str]]) -> set[str]:
    """Flags of safety items that either parent answered with anything but the first choice."""
    threshold = RULES["safety.any_risk"].value
    return {
        item.flag
        for item in questionnaire.in_domain(SAFETY_DOMAIN)
        for parent_values in values.values()
        if item.flag and item.rank(parent_values[item.id]) > threshold
    }


def _reasons(
    questionnaire: Questionnaire,
    weights: Mapping[str, float],
    role: str,
    values: Mapping[str, str],
) -> Iterator[Reason]:
    for item in questionnaire.items:
        if not item.is_choice or item.rank(values[item.id]) == 0:
            continue
        severity = item.rank(values[item.id])
        weight = 1.0 if item.domain == SAFETY_DOMAIN else weights[item.id] * severity
        yield Reason(
            item.id,
            item.domain,
            role,
            values[item.id],
            round(severity, 4),
            round(weight, 4),
            _reason_text(item, values[item.id]),
        )


def _reason_text(item: Item, value: str) -> Text:
    label = item.staff_label or item.text
    answer = item.choice(value).text
    return Text(
        f"{label.nb}: én forelder svarer «{answer.nb}».",
        f"{label.en}: one parent answers “{answer.en}”.",
    )


_ReasonKey = tuple[float, float, int, str]


def _reason_order(questionnaire: Questionnaire) -> Callable[[Reason], _ReasonKey]:
    positions = {item.id: index for index, item in enumerate(questionnaire.items)}

    def key(reason: Reason) -> _ReasonKey:
        return (-reason.weight, -reason.severity, positions[reason.item_id], reason.parent)

    return key
