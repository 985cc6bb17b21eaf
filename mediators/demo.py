"""The demo set: the national offices from data/offices.json and synthetic mediators.

Every person here is invented: names are drawn at random from common first names and
surnames, emails use the reserved .example domain, and phone numbers are fake.
"""

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction

from mediators.models import (
    OSLO_MUNICIPALITY,
    Catchment,
    District,
    Language,
    Location,
    Mediator,
    Office,
)

DATA_DIR = Path(__file__).resolve().parent / "data"

GIVEN_NAMES = (
    "Anne",
    "Inger",
    "Kari",
    "Marit",
    "Ingrid",
    "Liv",
    "Eva",
    "Berit",
    "Astrid",
    "Bjørg",
    "Hilde",
    "Randi",
    "Solveig",
    "Nina",
    "Silje",
    "Ida",
    "Nora",
    "Emma",
    "Sara",
    "Maria",
    "Jan",
    "Per",
    "Bjørn",
    "Ole",
    "Lars",
    "Kjell",
    "Knut",
    "Arne",
    "Svein",
    "Hans",
    "Geir",
    "Terje",
    "Trond",
    "Morten",
    "Espen",
    "Anders",
    "Jonas",
    "Magnus",
    "Henrik",
    "Emil",
    "Amina",
    "Fatima",
    "Ali",
    "Omar",
    "Agnieszka",
    "Tomasz",
    "Olena",
    "Dmytro",
    "Leila",
    "Hamid",
)
FAMILY_NAMES = (
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Johnsen",
    "Pettersen",
    "Eriksen",
    "Berg",
    "Haugen",
    "Hagen",
    "Johannessen",
    "Andreassen",
    "Jacobsen",
    "Dahl",
    "Jørgensen",
    "Halvorsen",
    "Henriksen",
    "Lund",
    "Sørensen",
    "Jakobsen",
    "Moen",
    "Gundersen",
    "Iversen",
    "Strand",
    "Solberg",
    "Svendsen",
    "Eide",
    "Knutsen",
    "Martinsen",
    "Paulsen",
    "Bakken",
    "Kristoffersen",
    "Mathisen",
    "Lie",
    "Amundsen",
    "Nguyen",
    "Rasmussen",
    "Ali",
    "Lunde",
    "Solheim",
    "Berge",
    "Moe",
    "Nygård",
    "Bakke",
    "Kowalski",
    "Ahmadi",
    "Haugland",
    "Aasen",
    "Myhre",
)
# (language code, share of mediators speaking it besides Norwegian)
EXTRA_LANGUAGES = (
    ("en", 0.75),
    ("sv", 0.15),
    ("de", 0.06),
    ("pl", 0.04),
    ("ar", 0.04),
    ("so", 0.03),
    ("fa", 0.03),
    ("uk", 0.03),
    ("es", 0.03),
    ("se", 0.02),
    ("ur", 0.02),
    ("ti", 0.02),
)
OFFICE_MEDIATORS = 300
EXTERNAL_MEDIATORS = 65


@dataclass(frozen=True)
class DemoCounts:
    offices: int
    locations: int
    office_mediators: int
    external_mediators: int


def _offices_json() -> list[dict[str, Any]]:
    with (DATA_DIR / "offices.json").open(encoding="utf-8") as handle:
        offices: list[dict[str, Any]] = json.load(handle)
    return offices


@transaction.atomic
def demo_offices_load() -> tuple[int, int]:
    """Upsert the national offices, their locations and catchment; returns the counts."""
    districts = {d.name: d for d in District.objects.filter(municipality_id=OSLO_MUNICIPALITY)}
    location_count = 0
    for entry in _offices_json():
        office, _ = Office.objects.update_or_create(
            code=entry["code"],
            defaults={key: entry[key] for key in ("name", "kind", "region", "email", "phone")},
        )
        for loc in entry["locations"]:
            Location.objects.update_or_create(
                code=loc["code"],
                defaults={
                    "office": office,
                    "municipality_id": loc["municipality"],
                    **{
                        key: loc[key]
                        for key in (
                            "name",
                            "street",
                            "postal_code",
                            "town",
                            "latitude",
                            "longitude",
                            "satellite",
                        )
                    },
                },
            )
            location_count += 1
        for number in entry["catchment"]:
            Catchment.objects.update_or_create(
                municipality_id=number, district=None, defaults={"office": office}
            )
        for name in entry.get("districts", []):
            Catchment.objects.update_or_create(
                district=districts[name],
                defaults={"office": office, "municipality_id": OSLO_MUNICIPALITY},
            )
    return Office.objects.count(), location_count


def _person(rng: random.Random, serial: int, domain: str) -> dict[str, str]:
    given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
    local = f"{given}.{family}.{serial}".lower()
    for char, plain in (("ø", "o"), ("å", "a"), ("æ", "ae")):
        local = local.replace(char, plain)
    return {
        "given_name": given,
        "family_name": family,
        "email": f"{local}@{domain}",
        "phone": f"+47 4{rng.randint(0, 9999999):07d}",
    }


def _languages_for(rng: random.Random, languages: dict[str, Language]) -> list[Language]:
    chosen = [languages["nb"]]
    chosen += [languages[code] for code, share in EXTRA_LANGUAGES if rng.random() < share]
    return chosen


def _split_evenly(total: int, weights: list[int]) -> list[int]:
    """Whole numbers proportional to weights that add up to total (largest remainder)."""
    whole = sum(weights)
    raw = [total * weight / whole for weight in weights]
    counts = [int(value) for value in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return counts


@transaction.atomic
def demo_mediators_create(*, seed: int = 2026, today: date | None = None) -> tuple[int, int]:
    """~300 office mediators spread by office size and 65 external mediators, reproducibly."""
    rng = random.Random(seed)  # demo data, reproducible by seed: # nosec B311
    today = today or date(2026, 1, 1)
    languages = {language.code: language for language in Language.objects.all()}
    offices = list(Office.objects.prefetch_related("locations").order_by("code"))
    sizes = _split_evenly(OFFICE_MEDIATORS, [1 + len(o.locations.all()) for o in offices])
    serial = 0
    for office, size in zip(offices, sizes, strict=True):
        office_locations = list(office.locations.all())
        for _ in range(size):
            serial += 1
            mediator = Mediator.objects.create(
                kind=Mediator.Kind.OFFICE,
                office=office,
                high_conflict=rng.random() < 0.45,
                child_talk=rng.random() < 0.6,
                court_referral=rng.random() < 0.35,
                weekly_capacity_hours=rng.choice((8, 10, 12, 15, 18, 20)),
                **_person(rng, serial, f"{office.code}.familievern.example"),
            )
            mediator.locations.set(office_locations)
            mediator.languages.set(_languages_for(rng, languages))
    all_locations = [loc for office in offices for loc in office.locations.all()]
    for _ in range(EXTERNAL_MEDIATORS):
        serial += 1
        home = rng.choice(all_locations)
        approved_from = today - timedelta(days=rng.randint(30, 4 * 365))
        # A few approvals have lapsed, as they do in real life, so eligibility has work to do.
        approved_until = approved_from + timedelta(
            days=rng.choice((365, 3 * 365, 4 * 365, 5 * 365))
        )
        mediator = Mediator.objects.create(
            kind=Mediator.Kind.EXTERNAL,
            office=home.office,
            approved_from=approved_from,
            approved_until=approved_until,
            high_conflict=rng.random() < 0.3,
            child_talk=rng.random() < 0.4,
            court_referral=rng.random() < 0.25,
            separate_meetings=rng.random() < 0.9,
            weekly_capacity_hours=rng.choice((2, 3, 4, 5, 6)),
            **_person(rng, serial, "ekstern-mekler.example"),
        )
        mediator.locations.set([home])
        mediator.languages.set(_languages_for(rng, languages))
    return OFFICE_MEDIATORS, EXTERNAL_MEDIATORS
