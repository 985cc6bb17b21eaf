"""The Oslo city-district map (002 §4.1.1) and national catchment coverage."""

import pytest

from mediators.models import OSLO_MUNICIPALITY, Catchment, District, Municipality, Office
from mediators.reference_data import OSLO_DISTRICTS
from mediators.selectors import CatchmentError, catchment_office_for, oslo_district_map

pytestmark = pytest.mark.django_db

# Copied by hand from 002 §4.1.1 (Oslo cooperation agreement), not from the data file.
OSLO_MAP_002 = {
    "Søndre Nordstrand": "christiania",
    "Nordstrand": "christiania",
    "Grünerløkka": "christiania",
    "Frogner": "christiania",
    "Alna": "enerhaugen",
    "Gamle Oslo": "enerhaugen",
    "Østensjø": "enerhaugen",
    "Nordre Aker": "enerhaugen",
    "St. Hanshaugen": "homansbyen",
    "Ullern": "homansbyen",
    "Sagene": "homansbyen",
    "Vestre Aker": "homansbyen",
    "Bjerke": "oslo-nord",
    "Grorud": "oslo-nord",
    "Stovner": "oslo-nord",
}


def test_oslo_has_the_15_city_districts_of_002() -> None:
    names = set(
        District.objects.filter(municipality_id=OSLO_MUNICIPALITY).values_list("name", flat=True)
    )
    assert names == set(OSLO_MAP_002) == set(OSLO_DISTRICTS)
    assert len(names) == 15


def test_oslo_district_to_office_map_is_exactly_002(national_offices: None) -> None:
    assert oslo_district_map() == OSLO_MAP_002


@pytest.mark.parametrize(("district", "office_code"), sorted(OSLO_MAP_002.items()))
def test_each_oslo_district_resolves_to_its_office(
    national_offices: None, district: str, office_code: str
) -> None:
    oslo = Municipality.objects.get(number=OSLO_MUNICIPALITY)
    office = catchment_office_for(municipality=oslo, district=District.objects.get(name=district))
    assert office.code == office_code


def test_oslo_without_district_is_refused(national_offices: None) -> None:
    oslo = Municipality.objects.get(number=OSLO_MUNICIPALITY)
    with pytest.raises(CatchmentError):
        catchment_office_for(municipality=oslo, district=None)


def test_every_municipality_outside_oslo_has_exactly_one_office(national_offices: None) -> None:
    municipalities = Municipality.objects.exclude(number=OSLO_MUNICIPALITY)
    covered = Catchment.objects.filter(district__isnull=True).values_list(
        "municipality_id", flat=True
    )
    assert sorted(covered) == sorted(municipalities.values_list("number", flat=True))


def test_national_set_has_41_offices_24_state_17_church_at_about_90_locations(
    national_offices: None,
) -> None:
    assert Office.objects.count() == 41
    assert Office.objects.filter(kind="state").count() == 24
    assert Office.objects.filter(kind="church").count() == 17
    locations = sum(office.locations.count() for office in Office.objects.all())
    assert 85 <= locations <= 95


def test_municipality_reference_data_is_the_2024_list() -> None:
    assert Municipality.objects.count() == 357
    assert Municipality.objects.get(number="0301").name == "Oslo"
    assert Municipality.objects.get(number="4601").name == "Bergen"
