"""The district courts (tingretter) and the demo set's invented addresses for them.

The 23 district courts since the court reform of 26 April 2021 (domstol.no, "Nye tingretter
fra 26. april"). Names are institutions; the address on record for notes is entered by an
administrator (admin: Scheduling → Courts). The demo set gives each an invented address.
"""

import re

from django.db import transaction

from scheduling.models import Court

COURT_NAMES = (
    "Agder tingrett",
    "Buskerud tingrett",
    "Follo og Nordre Østfold tingrett",
    "Haugaland og Sunnhordland tingrett",
    "Helgeland tingrett",
    "Hordaland tingrett",
    "Indre og Østre Finnmark tingrett",
    "Midtre Hålogaland tingrett",
    "Møre og Romsdal tingrett",
    "Nord-Troms og Senja tingrett",
    "Oslo tingrett",
    "Ringerike, Asker og Bærum tingrett",
    "Romerike og Glåmdal tingrett",
    "Salten og Lofoten tingrett",
    "Sogn og Fjordane tingrett",
    "Søndre Østfold tingrett",
    "Sør-Rogaland tingrett",
    "Telemark tingrett",
    "Trøndelag tingrett",
    "Vestfold tingrett",
    "Vestre Finnmark tingrett",
    "Vestre Innlandet tingrett",
    "Østre Innlandet tingrett",
)
# The demo cases name this court (intake/demo.py): it is on record in the demo set too.
DEMO_COURT_NAMES = (*COURT_NAMES, "Demo tingrett")
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})


def court_slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().translate(_FOLD)).strip("-")


@transaction.atomic
def demo_courts_create() -> int:
    """Every court with an invented address (.example email, made-up street); idempotent."""
    for number, name in enumerate(DEMO_COURT_NAMES, start=1):
        slug = court_slug(name)
        Court.objects.get_or_create(
            name=name,
            defaults={
                "email": f"postmottak@{slug}.example",
                "street": f"Tinghusgata {number}",
                "postal_code": f"{1000 + number * 37:04d}",
                "town": "Demoby",
            },
        )
    return len(DEMO_COURT_NAMES)
