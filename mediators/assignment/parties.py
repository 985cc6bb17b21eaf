"""Conflict-of-interest keys (inhabilitet, forvaltningsloven § 6) for parents and declarations.

A party is matched by the keyed digest of the national id ("id:<digest>") or by normalised given
and family name with birth date ("nb:<name>|<YYYY-MM-DD>"), so a declaration made without the
national id still matches. Both the parents' keys (`CaseNeed.parties`) and the mediator's
declarations (`MediatorSlot.declared_parties`) use this format.
"""

from __future__ import annotations

from datetime import date


def normalise_name(given_name: str, family_name: str) -> str:
    """casefold, strip, collapse inner whitespace: "  Kari  NORDMANN " → "kari nordmann"."""
    return " ".join(f"{given_name} {family_name}".casefold().split())


def party_keys(
    *,
    national_id_digest: str = "",
    given_name: str = "",
    family_name: str = "",
    birth_date: date | None = None,
) -> frozenset[str]:
    keys = set()
    if national_id_digest:
        keys.add(f"id:{national_id_digest}")
    name = normalise_name(given_name, family_name)
    if name and birth_date is not None:
        keys.add(f"nb:{name}|{birth_date.isoformat()}")
    return frozenset(keys)
