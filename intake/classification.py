"""Conflict level from the pre-mediation questionnaire (konfliktnivå, seed 000 §4.2).

Pure and standard-library only, so it can be tested without Django and shown to staff as a
table (docs/classification-rules.md). Nothing here logs, prints or stores answers, and no
error message quotes an answer value: the answers are the most sensitive data in the service.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal

Level = Literal["low", "medium", "high"]
LEVELS: Final[tuple[Level, ...]] = ("low", "medium", "high")
PARENT_ROLES: Final = ("requester", "other")

SCORED_DOMAINS: Final = (
    "agreement",
    "communication",
    "trust",
    "cooperation",
    "motivation",
    "recency",
    "child_worry",
)
SAFETY_DOMAIN: Final = "safety"
FREE_TEXT_DOMAIN: Final = "other"
REQUIRED_DOMAINS: Final = (*SCORED_DOMAINS, SAFETY_DOMAIN)
DOMAINS: Final = (*REQUIRED_DOMAINS, FREE_TEXT_DOMAIN)
SAFETY_FLAGS: Final = (
    "abduction",
    "coercive_control",
    "fear",
    "substance_abuse",
    "threats",
    "violence",
)
SINGLE_CHOICE: Final = "single_choice"
FREE_TEXT: Final = "multi_line_text"
# A safety item's first choice must literally be "no", so a reordered file cannot turn
# "no risk" into a risk (or the reverse) without failing validation.
NO_RISK_VALUE: Final = "no"

QUESTIONNAIRE_DIR: Final = Path(__file__).resolve().parent / "questionnaires"
DEFAULT_QUESTIONNAIRE: Final = "v1"
RULES_VERSION: Final = "2026.1"

_ID_PATTERN: Final = re.compile(r"^[a-z][a-z0-9_]*$")
_VALUE_PATTERN: Final = re.compile(r"^[a-z0-9][a-z0-9_]*$")


@dataclass(frozen=True)
class Text:
    nb: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"nb": self.nb, "en": self.en}


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
class Choice:
    value: str
    text: Text


@dataclass(frozen=True)
class Item:
    id: str
    domain: str
    kind: str
    required: bool
    text: Text
    choices: tuple[Choice, ...] = ()
    help: Text | None = None
    staff_label: Text | None = None
    flag: str | None = None

    @property
    def is_choice(self) -> bool:
        return self.kind == SINGLE_CHOICE

    def choice(self, value: str) -> Choice:
        for choice in self.choices:
            if choice.value == value:
                return choice
        raise ValueError(f"item {self.id!r}: unknown choice value")

    def rank(self, value: str) -> float:
        """The choice's position from least (0.0) to most (1.0) conflict or risk."""
        return self.choices.index(self.choice(value)) / (len(self.choices) - 1)


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    domains: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Questionnaire:
    version: str
    title: Text
    items: tuple[Item, ...]
    sources: tuple[Source, ...]

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise ValueError(f"unknown item id {item_id!r}")

    def in_domain(self, domain: str) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.domain == domain and item.is_choice)


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


# --- loading -------------------------------------------------------------------------------


@cache
def load_questionnaire(path_or_version: str | Path = DEFAULT_QUESTIONNAIRE) -> Questionnaire:
    """Load and validate a questionnaire: a path, a file stem ("v1") or a version ("2026.1")."""
    return _load_file(_resolve(path_or_version))


def _resolve(path_or_version: str | Path) -> Path:
    if isinstance(path_or_version, Path) or path_or_version.endswith(".json"):
        return Path(path_or_version).resolve()
    named = QUESTIONNAIRE_DIR / f"{path_or_version}.json"
    if named.is_file():
        return named
    for candidate in sorted(QUESTIONNAIRE_DIR.glob("*.json")):
        if _read_json(candidate).get("version") == path_or_version:
            return candidate
    raise ValueError(f"no questionnaire with version {path_or_version!r}")


@cache
def _load_file(path: Path) -> Questionnaire:
    return parse_questionnaire(_read_json(path))


def _read_json(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    return _mapping(data, str(path))


def parse_questionnaire(raw: Mapping[str, Any]) -> Questionnaire:
    """Build a Questionnaire from decoded JSON, or raise ValueError saying what is wrong."""
    version = raw.get("version")
    if not isinstance(version, str) or not version:
        raise ValueError("questionnaire: version must be a non-empty string")
    raw_items = raw.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise ValueError("questionnaire: items must be a non-empty list")
    items = tuple(_item(_mapping(entry, "item")) for entry in raw_items)
    _check_items(items)
    sources = tuple(_source(_mapping(entry, "source")) for entry in raw.get("sources") or [])
    if not sources:
        raise ValueError("questionnaire: sources must name what the items are grounded in")
    return Questionnaire(version, _text(raw.get("title"), "title"), items, sources)


def _mapping(raw: object, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected an object")
    return raw


def _text(raw: object, where: str) -> Text:
    entry = _mapping(raw, where)
    nb, en = entry.get("nb"), entry.get("en")
    if not (isinstance(nb, str) and nb.strip() and isinstance(en, str) and en.strip()):
        raise ValueError(f"{where}: needs non-empty 'nb' and 'en' text")
    return Text(nb, en)


def _optional_text(raw: object, where: str) -> Text | None:
    return None if raw is None else _text(raw, where)


def _item(raw: Mapping[str, Any]) -> Item:
    item_id = raw.get("id")
    if not isinstance(item_id, str) or not _ID_PATTERN.match(item_id):
        raise ValueError("item: id must be snake_case")
    if raw.get("domain") not in DOMAINS:
        raise ValueError(f"item {item_id!r}: unknown domain")
    if raw.get("kind") not in (SINGLE_CHOICE, FREE_TEXT):
        raise ValueError(f"item {item_id!r}: unknown kind")
    if not isinstance(raw.get("required"), bool):
        raise ValueError(f"item {item_id!r}: required must be true or false")
    item = Item(
        id=item_id,
        domain=raw["domain"],
        kind=raw["kind"],
        required=raw["required"],
        text=_text(raw.get("text"), f"item {item_id!r} text"),
        choices=tuple(_choice(_mapping(c, item_id), item_id) for c in raw.get("choices", [])),
        help=_optional_text(raw.get("help"), f"item {item_id!r} help"),
        staff_label=_optional_text(raw.get("staff_label"), f"item {item_id!r} staff_label"),
        flag=raw.get("flag"),
    )
    _check_item(item)
    return item


def _choice(raw: Mapping[str, Any], item_id: str) -> Choice:
    value = raw.get("value")
    if not isinstance(value, str) or not _VALUE_PATTERN.match(value):
        raise ValueError(f"item {item_id!r}: choice values must be snake_case")
    return Choice(value, _text(raw.get("text"), f"item {item_id!r} choice {value!r}"))


def _check_item(item: Item) -> None:
    where = f"item {item.id!r}"
    if not item.is_choice:
        if item.choices or item.domain != FREE_TEXT_DOMAIN:
            raise ValueError(f"{where}: free text has no choices and is never classified")
        return
    if item.domain == FREE_TEXT_DOMAIN:
        raise ValueError(f"{where}: choice items must belong to a classified domain")
    values = [choice.value for choice in item.choices]
    if len(values) < 2 or len(set(values)) != len(values):
        raise ValueError(f"{where}: needs at least two distinct choices")
    if item.staff_label is None:
        raise ValueError(f"{where}: needs a staff_label for the reasons shown to staff")
    if (item.domain == SAFETY_DOMAIN) != (item.flag is not None):
        raise ValueError(f"{where}: safety items, and only they, carry a flag")
    if item.domain == SAFETY_DOMAIN and (
        item.flag not in SAFETY_FLAGS or values[0] != NO_RISK_VALUE
    ):
        raise ValueError(f"{where}: needs a known flag and {NO_RISK_VALUE!r} as first choice")


def _check_items(items: tuple[Item, ...]) -> None:
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise ValueError("questionnaire: item ids must be unique")
    missing = set(REQUIRED_DOMAINS) - {item.domain for item in items}
    if missing:
        raise ValueError(f"questionnaire: no items for domains {sorted(missing)}")


def _source(raw: Mapping[str, Any]) -> Source:
    parts = (raw.get("id"), raw.get("title"), raw.get("note"))
    domains = raw.get("domains")
    if not all(isinstance(part, str) and part for part in parts) or not isinstance(domains, list):
        raise ValueError("source: needs id, title, note and a list of domains")
    if not set(domains) <= set(DOMAINS):
        raise ValueError(f"source {raw['id']!r}: unknown domain")
    return Source(raw["id"], raw["title"], tuple(domains), raw["note"])


# --- classification ------------------------------------------------------------------------


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
