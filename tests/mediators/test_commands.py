"""Management commands: the demo set and staff accounts from the command line."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from intake.models import Case
from mediators.models import Mediator, Office, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_set_has_the_national_shape_and_loads_once() -> None:
    out = StringIO()
    call_command("load_demo_data", "--if-empty", "--no-history", stdout=out)
    assert Office.objects.count() == 41
    assert Mediator.objects.filter(kind="office").count() == 300
    externals = Mediator.objects.filter(kind="external")
    assert externals.count() == 65
    assert externals.filter(high_conflict=True).exists()
    assert externals.filter(languages__code="en").exists()
    assert not externals.filter(approved_until__isnull=True).exists()
    assert Case.objects.count() == 6
    assert all(case.parents.count() == 2 for case in Case.objects.all())
    assert User.objects.filter(username="staff-christiania", office__code="christiania").exists()

    again = StringIO()
    call_command("load_demo_data", "--if-empty", stdout=again)
    assert "already loaded" in again.getvalue()
    assert Mediator.objects.count() == 365


def test_demo_people_are_synthetic() -> None:
    call_command("load_demo_data", "--no-history", stdout=StringIO())
    emails = Mediator.objects.values_list("email", flat=True)
    assert all(email.endswith(".example") for email in emails)


def test_create_staff_makes_an_office_account_with_a_token(
    national_offices: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEW_STAFF_PASSWORD", "a-long-synthetic-passphrase")
    out = StringIO()
    call_command(
        "create_staff",
        "kari-test",
        "--email",
        "kari@test.example",
        "--role",
        "office_staff",
        "--office",
        "christiania",
        "--password-env",
        "NEW_STAFF_PASSWORD",
        stdout=out,
    )
    user = User.objects.get(username="kari-test")
    assert user.office is not None and user.office.code == "christiania"
    assert user.check_password("a-long-synthetic-passphrase")
    token = Token.objects.get(user=user).key
    assert token in out.getvalue()

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/cases/").status_code == 200


def test_create_staff_refuses_office_staff_without_an_office(
    national_offices: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EMPTY", "")
    with pytest.raises(CommandError, match="office"):
        call_command(
            "create_staff",
            "nobody",
            "--email",
            "n@test.example",
            "--role",
            "office_staff",
            "--password-env",
            "EMPTY",
            stdout=StringIO(),
        )
    assert not User.objects.filter(username="nobody").exists()


def test_coordinator_sees_the_region_and_office_staff_only_their_office(
    national_offices: None,
) -> None:
    call_command("load_demo_data", "--no-history", stdout=StringIO())
    coordinator = User.objects.get(username="koordinator-ost")
    staff = User.objects.get(username="staff-oslo-nord")
    client = APIClient()
    client.force_authenticate(coordinator)
    region_refs = {case["reference"] for case in client.get("/api/v1/cases/").json()}
    client.force_authenticate(staff)
    office_refs = {case["reference"] for case in client.get("/api/v1/cases/").json()}
    oslo_nord = {c.reference for c in Case.objects.filter(catchment_office__code="oslo-nord")}
    east = {c.reference for c in Case.objects.filter(catchment_office__region="ost")}
    assert office_refs == oslo_nord and len(oslo_nord) == 1
    assert region_refs == east

    west_coordinator = UserFactory.create(role="coordinator", office=None, region="vest")
    client.force_authenticate(west_coordinator)
    west_refs = {case["reference"] for case in client.get("/api/v1/cases/").json()}
    west = {c.reference for c in Case.objects.filter(catchment_office__region="vest")}
    assert west_refs == west and west and not west & east
