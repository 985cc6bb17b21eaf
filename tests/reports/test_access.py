"""Who reads which report: office staff their own office exactly, nobody else's; coordinators
their region; the directorate the country; the API always suppressed; another office's report
is denied exactly like one that does not exist."""

import csv
import io
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import MediatorFactory, UserFactory
from tests.pages.auth import verified_login
from tests.reports.world import World, october_build

pytestmark = pytest.mark.django_db
API = "/api/v1/reports/"
PAGE = "/desk/reports/"


@pytest.fixture
def world(national_offices: None) -> World:
    return october_build()


def _api(user: Any) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _page(user: Any) -> Client:
    return verified_login(Client(), user)


def _body(response: Any) -> bytes:
    return re.sub(
        rb'(name="csrfmiddlewaretoken" value=")[^"]*|(nonce=")[^"]*', rb"\1\2", response.content
    )


def test_office_staff_see_their_own_office_exactly(world: World) -> None:
    response = _page(world.staff_a).get(PAGE, {"period": "2026-10"})
    assert response.status_code == 200
    report = response.context["report"]
    assert not report.suppressed
    assert report.total("requests.total").text == "10"
    assert report.total("held.p90_days").text == "22.8"
    assert [c.name for c in report.columns] == [world.office_a.name]


@pytest.mark.parametrize("scope", ["office:enerhaugen", "region:ost", "country"])
def test_office_staff_cannot_read_another_scope(world: World, scope: str) -> None:
    client = _page(world.staff_a)
    denied = client.get(PAGE, {"period": "2026-10", "scope": scope})
    missing = client.get(PAGE, {"period": "2026-10", "scope": "office:no-such-office"})
    assert denied.status_code == missing.status_code == 404
    assert _body(denied) == _body(missing)
    assert world.office_b.name.encode() not in denied.content
    csv_denied = client.get(f"{PAGE}export.csv", {"period": "2026-10", "scope": scope})
    assert csv_denied.status_code == 404


def test_the_api_denies_another_office_as_if_it_did_not_exist(world: World) -> None:
    client = _api(world.staff_a)
    denied = client.get(API, {"period": "2026-10", "scope": "office", "code": "enerhaugen"})
    missing = client.get(API, {"period": "2026-10", "scope": "office", "code": "nope"})
    assert denied.status_code == missing.status_code == 404
    assert denied.content == missing.content


def test_the_api_is_suppressed_even_for_the_own_office(world: World) -> None:
    body = _api(world.staff_a).get(API, {"period": "2026-10"}).json()
    assert body["suppressed"] is True and body["threshold"] == 5
    figures = body["units"][0]["figures"]
    assert figures["hours.2-4"] is None  # a count of 1
    assert "hours.2-4" in body["suppressed_keys"]["christiania"]
    assert figures["held.total"] == 8


def test_the_directorate_reads_the_country_by_token(world: World) -> None:
    bufdir = UserFactory.create(role="directorate", office=None)
    response = _api(bufdir).get(API, {"period": "2026-10", "scope": "country"})
    assert response.status_code == 200, response.content
    units = {u["code"] or u["level"]: u["figures"] for u in response.json()["units"]}
    assert set(units) == {"ost", "sor", "vest", "midt", "nord", "country"}
    assert units["country"]["requests.total"] == 13
    assert units["country"]["requests.separation"] == 8
    assert units["sor"]["requests.total"] == 0
    region = _api(bufdir).get(API, {"period": "2026-10", "scope": "region", "code": "ost"})
    offices = {u["code"]: u["figures"] for u in region.json()["units"]}
    assert offices["enerhaugen"]["requests.total"] is None  # 3
    assert offices["christiania"]["requests.total"] is None  # 13 − 3 would give it back
    assert offices["ost"]["requests.total"] == 13


def test_the_directorate_has_no_case_desk(world: World) -> None:
    bufdir = UserFactory.create(role="directorate", office=None)
    client = _page(bufdir)
    assert client.get("/desk/").status_code == 403
    assert client.get("/home/")["Location"].endswith("/desk/reports/")
    assert _api(bufdir).get("/api/v1/cases/").status_code == 403


def test_a_coordinator_reads_the_region_not_the_country(world: World) -> None:
    coordinator = UserFactory.create(role="coordinator", office=None, region="ost")
    client = _api(coordinator)
    assert (
        client.get(API, {"period": "2026-10", "scope": "region", "code": "ost"}).status_code == 200
    )
    for params in ({"scope": "country"}, {"scope": "region", "code": "vest"}):
        assert client.get(API, {"period": "2026-10", **params}).status_code == 404
    page = _page(coordinator).get(PAGE, {"period": "2026-10", "scope": "office:christiania"})
    assert page.status_code == 200 and page.context["report"].suppressed


def test_mediators_and_strangers_get_nothing(world: World) -> None:
    mediator_user = UserFactory.create(role="external_mediator", office=None)
    MediatorFactory.create(
        kind="external", user=mediator_user, approved_from="2025-01-01", approved_until="2028-01-01"
    )
    assert _api(mediator_user).get(API, {"period": "2026-10"}).status_code == 403
    assert APIClient().get(API, {"period": "2026-10"}).status_code in (401, 403)
    assert _page(mediator_user).get(PAGE).status_code == 403


@pytest.mark.parametrize("period", ["2026-13", "26-10", "", "2026-10-01"])
def test_a_bad_period_names_the_field(world: World, period: str) -> None:
    response = _api(world.staff_a).get(API, {"period": period})
    assert response.status_code == 400
    assert "period" in response.json()["error"]["fields"]
    page = _page(world.staff_a).get(PAGE, {"period": period or "x"})
    assert page.status_code == 400
    assert 'aria-invalid="true"' in page.content.decode()  # the period field, with its message


def test_csv_and_xlsx_hold_what_the_page_shows(world: World) -> None:
    own = _page(world.staff_a)
    response = own.get(f"{PAGE}export.csv", {"period": "2026-10"})
    assert response["Content-Type"].startswith("text/csv")
    rows = {
        row[1]: row[2:]
        for row in csv.reader(io.StringIO(response.content.decode()))
        if len(row) > 2
    }
    assert rows["requests.total"] == ["10"]
    assert rows["held.median_days"] == ["15"]
    assert rows["offered.p90_days"] == ["19.8"]

    book = load_workbook(io.BytesIO(own.get(f"{PAGE}export.xlsx", {"period": "2026-10"}).content))
    sheet = book.active
    assert sheet is not None and sheet.title == "2026-10"
    cells = {row[1]: row[2:] for row in sheet.iter_rows(min_row=5, values_only=True)}
    assert cells["requests.total"] == (10,)
    assert cells["share.external"] == (25.0,)

    coordinator = _page(UserFactory.create(role="coordinator", office=None, region="ost"))
    region_csv = coordinator.get(f"{PAGE}export.csv", {"period": "2026-10", "scope": "region:ost"})
    table = list(csv.reader(io.StringIO(region_csv.content.decode())))
    header = table[2]
    by_key = {row[1]: row for row in table[3:]}
    a = header.index(world.office_a.name)
    assert by_key["requests.total"][a] == "–"
    assert by_key["requests.total"][-1] == "13"
    assert "skjult" in table[1][0]  # the note on suppression, in bokmål


def test_a_month_not_over_yet_is_refused(world: World) -> None:
    this_month = timezone.localdate().strftime("%Y-%m")
    response = _api(world.staff_a).get(API, {"period": this_month})
    assert response.status_code == 400
    assert "period" in response.json()["error"]["fields"]
