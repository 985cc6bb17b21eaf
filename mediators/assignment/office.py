"""Which office holds a case: the parents' free choice, else the catchment office.

Catchment is by municipality, and in Oslo by city district (bydel) exactly as in 002 §4.1.1;
parents may choose another office freely (002 §4.2). In relocation cases the municipality is
where the child lives (barneloven § 42a: mediation where the child lives). The service layer
reads the catchment rows; this is the pure rule, so it can be tested and benchmarked.
"""

from __future__ import annotations

from collections.abc import Mapping

OSLO_MUNICIPALITY = "0301"


class OfficeResolutionError(LookupError):
    pass


def resolve_office(
    *,
    catchment: Mapping[tuple[str, str | None], int],
    municipality: str,
    district: str | None,
    chosen_office_id: int | None,
) -> int:
    """The office id holding the case.

    `catchment` maps (municipality number, None) to an office id outside Oslo and
    ("0301", district name) to an office id in Oslo.
    """
    if chosen_office_id is not None:
        return chosen_office_id
    if municipality == OSLO_MUNICIPALITY:
        if district is None:
            raise OfficeResolutionError("An Oslo address needs a city district (bydel).")
        key: tuple[str, str | None] = (municipality, district)
    else:
        key = (municipality, None)
    try:
        return catchment[key]
    except KeyError:
        raise OfficeResolutionError(f"No office serves {key}.") from None
