"""Reference data every installation needs: municipalities, Oslo's city districts, languages.

Synced after every `migrate` (and after test flushes) by an idempotent upsert, so a corrected
data file reaches every database without a hand-written migration.
"""

import csv
from pathlib import Path
from typing import Any

from django.db import transaction

from mediators.models import OSLO_MUNICIPALITY, District, Language, Municipality

DATA_DIR = Path(__file__).resolve().parent / "data"

# The 15 city districts (bydeler) of Oslo, as divided between the offices in 002 §4.1.1.
OSLO_DISTRICTS = (
    "Alna",
    "Bjerke",
    "Frogner",
    "Gamle Oslo",
    "Grorud",
    "Grünerløkka",
    "Nordre Aker",
    "Nordstrand",
    "Sagene",
    "St. Hanshaugen",
    "Stovner",
    "Søndre Nordstrand",
    "Ullern",
    "Vestre Aker",
    "Østensjø",
)


def _rows(filename: str) -> list[dict[str, str]]:
    with (DATA_DIR / filename).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def reference_data_sync() -> None:
    Municipality.objects.bulk_create(
        [
            Municipality(
                number=row["number"],
                name=row["name"],
                county=row["county"],
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
            )
            for row in _rows("municipalities.csv")
        ],
        update_conflicts=True,
        unique_fields=["number"],
        update_fields=["name", "county", "latitude", "longitude"],
    )
    Language.objects.bulk_create(
        [Language(**row) for row in _rows("languages.csv")],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name_nb", "name_en"],
    )
    for name in OSLO_DISTRICTS:
        District.objects.get_or_create(municipality_id=OSLO_MUNICIPALITY, name=name)


def sync_after_migrate(sender: Any, **kwargs: Any) -> None:
    reference_data_sync()
