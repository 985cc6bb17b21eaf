"""The pre-mediation questionnaire as versioned data: load, validate, and look up items.

Standard library only. Validation errors name items, never answers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

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

_ID_PATTERN: Final = re.compile(r"^[a-z][a-z0-9_]*$")
_VALUE_PATTERN: Final = re.compile(r"^[a-z0-9][a-z0-9_]*$")


@dataclass(frozen=True)
class Text:
    """A text in bokmål and English, and optionally nynorsk (empty: shown in bokmål)."""

    nb: str
    en: str
    nn: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"nb": self.nb, "en": self.en, **({"nn": self.nn} if self.nn else {})}

    def in_language(self, language: str) -> str:
        """The text in `language` (nb, nn or en); nynorsk falls back to bokmål."""
        if language == "en":
            return self.en
        if language == "nn" and self.nn:
            return self.nn
        return self.nb


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
    intro: Text | None = None

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise ValueError(f"unknown item id {item_id!r}")

    def in_domain(self, domain: str) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.domain == domain and item.is_choice)


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
    title = _text(raw.get("title"), "title")
    return Questionnaire(version, title, items, sources, _optional_text(raw.get("intro"), "intro"))


def _mapping(raw: object, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected an object")
    return raw


def _text(raw: object, where: str) -> Text:
    """Bokmål and English are required; nynorsk is optional (older versions have none)."""
    entry = _mapping(raw, where)
    nb, en, nn = entry.get("nb"), entry.get("en"), entry.get("nn", "")
    if not (isinstance(nb, str) and nb.strip() and isinstance(en, str) and en.strip()):
        raise ValueError(f"{where}: needs non-empty 'nb' and 'en' text")
    if not isinstance(nn, str) or ("nn" in entry and not nn.strip()):
        raise ValueError(f"{where}: 'nn' text, when given, must be non-empty")
    return Text(nb, en, nn)


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
