"""Reads about offices and their catchment."""

from mediators.models import OSLO_MUNICIPALITY, Catchment, District, Municipality, Office


class CatchmentError(LookupError):
    pass


def catchment_office_for(*, municipality: Municipality, district: District | None) -> Office:
    """The office serving a municipality, or in Oslo the city district (002 §4.1.1)."""
    if municipality.number == OSLO_MUNICIPALITY:
        if district is None:
            raise CatchmentError("An Oslo address needs a city district (bydel).")
        rows = Catchment.objects.filter(district=district)
    else:
        rows = Catchment.objects.filter(municipality=municipality, district__isnull=True)
    catchment = rows.select_related("office").first()
    if catchment is None:
        raise CatchmentError(f"No office serves municipality {municipality.number}.")
    return catchment.office


def oslo_district_map() -> dict[str, str]:
    """Oslo city district name → the code of its catchment office."""
    rows = Catchment.objects.filter(municipality_id=OSLO_MUNICIPALITY, district__isnull=False)
    return dict(rows.values_list("district__name", "office__code"))
