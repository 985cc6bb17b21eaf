"""The desk's "Due for deletion" page (meklingsforskriften § 9): what retention deletes in the
next 30 days, with dates, for the user's own office only; accessible (axe, desktop)."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from intake.models import Case
from intake.services import case_close
from tests.factories import OfficeFactory, ParentFactory, UserFactory


def _closed(days_ago: int, **case: Any) -> Case:
    closed = case_close(case=ParentFactory.create(**case).case)
    Case.objects.filter(pk=closed.pk).update(closed_at=timezone.now() - timedelta(days=days_ago))
    closed.refresh_from_db()
    return closed


def _world() -> tuple[Any, Case, Case, Case]:
    office = OfficeFactory.create()
    answers_soon = _closed(20, case__catchment_office=office)  # answers go in 10 days
    protocol_soon = _closed(3 * 365 - 5, case__catchment_office=office)
    other_office = _closed(20)  # another office: never listed
    return UserFactory.create(office=office), answers_soon, protocol_soon, other_office


@pytest.mark.django_db
def test_the_page_lists_what_is_due_in_the_users_office_with_dates(
    client: Client, national_offices: None, settings: Any
) -> None:
    settings.MEKLING_REQUIRE_2FA = False
    user, answers_soon, protocol_soon, other_office = _world()
    _closed(1, case__catchment_office=user.office)  # due in 29 days: listed
    ParentFactory.create(case__catchment_office=user.office)  # open: never listed
    client.force_login(user)
    response = client.get("/desk/retention/")
    assert response.status_code == 200
    rows = [(row.case.reference, row.what) for row in response.context["rows"]]
    assert (protocol_soon.reference, "protocol") in rows
    assert (answers_soon.reference, "answers") in rows
    assert other_office.reference not in str(rows)
    assert len(rows) == 4  # the protocol case's answers are overdue, also listed
    assert answers_soon.closed_at is not None
    due = timezone.localdate(answers_soon.closed_at + timedelta(days=30))
    assert due.isoformat() in response.content.decode()
    client.logout()
    assert client.get("/desk/retention/").status_code == 302  # anonymous: to the login


@pytest.mark.django_db(transaction=True)
def test_the_page_is_accessible(
    desktop: Any, pages_site: str, national_offices: None, settings: Any, assert_accessible: Any
) -> None:
    settings.MEKLING_REQUIRE_2FA = False
    user, answers_soon, _, _ = _world()
    client = Client()
    client.force_login(user)
    desktop.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": pages_site}]
    )
    desktop.goto("/desk/retention/")
    assert desktop.get_by_role("heading", level=1).inner_text() == "Til sletting"
    assert answers_soon.reference in desktop.locator("table").inner_text()
    assert_accessible(desktop)
