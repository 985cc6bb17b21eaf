"""One set of words for appointment kinds, modes and statuses, leave kinds and weekdays.

The model choices' labels are translatable and are the only wording: the desk, the inbox and the
parents' pages all read them through scheduling/labels.py, in nb, nn and English.
"""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from mediators.templatetags.desk import label as desk_label
from scheduling import labels
from scheduling.models import Appointment, AppointmentStatus, Leave
from scheduling.pages.present import meeting_row
from tests.scheduling.scheduling_setup import assigned_case


@pytest.mark.parametrize(
    ("language", "kind", "mode", "status", "leave", "weekday"),
    [
        ("nb", "Separat møte", "Oppmøte", "Ingen møtte", "Syk", "tirsdag"),
        ("nn", "Separat møte", "Oppmøte", "Ingen møtte", "Sjuk", "tysdag"),
        ("en", "Separate meeting", "In person", "No-show", "Sick", "Tuesday"),
    ],
)
def test_the_labels_read_in_the_page_language(
    language: str, kind: str, mode: str, status: str, leave: str, weekday: str
) -> None:
    with translation.override(language):
        assert labels.label(labels.APPOINTMENT_KINDS, Appointment.Kind.SEPARATE) == kind
        assert labels.label(labels.APPOINTMENT_MODES, Appointment.Mode.IN_PERSON) == mode
        assert labels.label(labels.APPOINTMENT_STATUSES, AppointmentStatus.NO_SHOW) == status
        assert labels.label(labels.LEAVE_KINDS, Leave.Kind.SICK) == leave
        assert str(labels.WEEKDAYS[1]) == weekday


def test_an_unknown_code_is_shown_as_itself() -> None:
    assert labels.label(labels.APPOINTMENT_KINDS, "retired_kind") == "retired_kind"


@pytest.mark.django_db
def test_the_desk_and_the_inbox_use_the_same_words() -> None:
    world = assigned_case()
    starts = timezone.now() - timedelta(days=1)
    meeting = Appointment.objects.create(
        case=world.case,
        mediator=world.mediator,
        location=None,
        mode=Appointment.Mode.VIDEO,
        kind=Appointment.Kind.SEPARATE,
        parent_role=Appointment.ParentRole.OTHER,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        status=AppointmentStatus.NO_SHOW,
        hours=Decimal("1.00"),
        link_salt="test-salt",
    )
    for language in ("nb", "en"):
        with translation.override(language):
            row = meeting_row(meeting)
            assert row.kind.startswith(desk_label(meeting.kind, "kind"))
            assert row.mode == desk_label(meeting.mode, "mode")
            assert row.status_label == desk_label(meeting.status, "appointment_status")


@pytest.mark.django_db
def test_translatable_labels_need_no_migration() -> None:
    out = StringIO()
    call_command("makemigrations", "scheduling", check=True, dry_run=True, stdout=out)
    assert "No changes detected" in out.getvalue()
