"""The reports page (/desk/reports/) in a browser: the login with its code step, the month's
figures of the staff member's own office with SVG charts beside the table, accessible (axe),
and the coordinator's suppressed region without JavaScript (axe needs script, so it checks
the first page only)."""

from typing import Any

import pytest

from tests.factories import UserFactory
from tests.pages.auth import log_in
from tests.reports.world import october_build

PASSWORD = "a-long-synthetic-passphrase"


@pytest.mark.django_db(transaction=True)
def test_the_reports_page_shows_the_month_with_charts_and_is_accessible(
    desktop: Any, new_page: Any, national_offices: None, assert_accessible: Any, shot: Any
) -> None:
    world = october_build()
    world.staff_a.set_password(PASSWORD)
    world.staff_a.save()
    log_in(desktop, world.staff_a.username, PASSWORD)
    desktop.goto("/desk/reports/?period=2026-10")
    assert desktop.get_by_role("heading", level=1).inner_text() == "Rapporter"
    table = desktop.locator("table.report-table")
    row = table.locator(
        "tr", has=desktop.get_by_role("rowheader", name="Begjæringer, alle sakstyper")
    )
    assert row.locator("td").inner_text() == "10"
    assert desktop.locator("svg.chart[role=img]").count() == 4
    description = desktop.locator("#chart-types-d").text_content() or ""
    assert "Separasjon / skilsmisse: 5" in description
    assert desktop.get_by_role("link", name="Last ned som CSV").is_visible()
    assert_accessible(desktop)
    shot(desktop, "desk-reports-office")

    coordinator = UserFactory.create(
        role="coordinator", office=None, region="ost", username="report-coordinator"
    )
    coordinator.set_password(PASSWORD)
    coordinator.save()
    page = new_page(js=False, phone=False)
    log_in(page, coordinator.username, PASSWORD)
    page.goto("/desk/reports/")
    page.get_by_label("Periode").fill("2026-10")
    page.get_by_label("Vis", exact=True).select_option("region:ost")
    page.get_by_role("button", name="Vis rapporten").click()
    assert "Tall for 2026-10" in page.locator("caption").inner_text()
    region_table = page.locator("table.report-table").inner_text()
    assert "–" in region_table and "13" in region_table
    assert "skjult" in page.locator("#suppression-note").inner_text()
    shot(page, "desk-reports-region-suppressed-no-js")
