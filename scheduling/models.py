"""Scheduling: the time-driven engine's duties, heartbeats, availability and appointments."""

from datetime import timedelta
from typing import Any

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.db import connections, models
from django.db.models import Func, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """Last sign of life from a background component, for the health endpoint."""

    class Component(models.TextChoices):
        WORKER = "worker", "Celery worker"
        BEAT = "beat", "Celery beat"

    component = models.CharField(max_length=10, choices=Component.choices, primary_key=True)
    last_seen = models.DateTimeField()
    detail = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.component} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"


class Duty(models.Model):
    """One piece of time-driven work, created with what caused it and swept by beat.

    The unique key makes "never twice" a database fact: creating the same reminder again is a
    no-op, and the status moves pending → claimed → done/skipped/failed/cancelled exactly once.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        CLAIMED = "claimed"
        DONE = "done"
        SKIPPED = "skipped"
        FAILED = "failed"
        CANCELLED = "cancelled"

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=120, unique=True)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    case = models.ForeignKey(
        "intake.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="duties"
    )
    target_id = models.BigIntegerField(null=True, blank=True, help_text="Id of the row it acts on.")
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(status="pending"), name="duty_pending_due"),
            models.Index(fields=["claimed_at"], condition=Q(status="claimed"), name="duty_claimed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["pending", "claimed", "done", "skipped", "failed", "cancelled"]
                ),
                name="duty_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.status})"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Availability(models.Model):
    """A mediator's weekly opening hours at one location, in Oslo wall-clock time.

    `start_time`/`end_time` are local times (Europe/Oslo) on the weekday: 09:00 stays 09:00 on
    both sides of a daylight-saving change. An empty location means video or phone only.
    `valid_until` is inclusive; empty means open-ended.
    """

    mediator = models.ForeignKey(
        "mediators.Mediator", on_delete=models.CASCADE, related_name="availabilities"
    )
    location = models.ForeignKey(
        "mediators.Location",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: video or phone only.",
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField(help_text="Local time, Europe/Oslo.")
    end_time = models.TimeField(help_text="Local time, Europe/Oslo.")
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True, help_text="Inclusive; empty: no end.")

    class Meta:
        ordering = ["mediator", "weekday", "start_time"]
        verbose_name_plural = "availabilities"
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="availability_weekday_0_to_6"
            ),
            models.CheckConstraint(
                condition=Q(start_time__lt=models.F("end_time")),
                name="availability_starts_before_end",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="availability_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mediator_id} {self.get_weekday_display()} {self.start_time}–{self.end_time}"


class Leave(models.Model):
    """Days a mediator is away: leave (ferie/permisjon), sick days, or a local day off.

    Norwegian public holidays need no rows: they come from the `holidays` package.
    """

    class Kind(models.TextChoices):
        LEAVE = "leave", _("Leave")
        SICK = "sick", _("Sick")
        HOLIDAY = "holiday", _("Day off")

    mediator = models.ForeignKey(
        "mediators.Mediator", on_delete=models.CASCADE, related_name="leaves"
    )
    starts_on = models.DateField()
    ends_on = models.DateField(help_text="Inclusive.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LEAVE)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["mediator", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="leave_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["leave", "sick", "holiday"]), name="leave_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mediator_id} {self.kind} {self.starts_on}–{self.ends_on}"


class TsTzRange(Func):
    """PostgreSQL's tstzrange(start, end, bounds) built from two datetime columns."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint on PostgreSQL, and nothing on other databases.

    Django emits `EXCLUDE USING gist` on any backend; the zero-setup run uses SQLite, where the
    booking service's lock-then-recount is the only guard (SQLite serialises writers anyway).
    """

    def constraint_sql(self, model: Any, schema_editor: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model: Any, schema_editor: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model: Any, schema_editor: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().remove_sql(model, schema_editor)

    def validate(
        self, model: Any, instance: Any, exclude: Any = None, using: str = "default"
    ) -> None:
        if connections[using].vendor == "postgresql":
            super().validate(model, instance, exclude=exclude, using=using)


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    HELD = "held", _("Held")
    NO_SHOW = "no_show", _("No-show")


class Appointment(models.Model):
    """One mediation meeting (meklingsmøte) with a mediator, stored in UTC.

    - `joint`: both parents together; `child_talk` (barnesamtale): the child with the mediator;
      `separate` (meklingsforskriften § 7): one parent at a time, one row per parent
      (`parent_role`), booked as a staggered pair so the parents never meet.
    - `hours` is the length in hours; it counts against the case's limit of 7
      (meklingsforskriften § 1) for each parent who attends it (see appointments.case_hours).
    - `sequence` is the ICS SEQUENCE and the version in the keys of the notice and reminder
      duties: rescheduling or cancelling bumps it.
    - The parents' private links are signed tokens over (id, role, `link_salt`): nothing
      secret is stored, and a new salt revokes the old links.
    - The database refuses a double booking: no two appointments of a mediator that are not
      cancelled may overlap (a GiST exclusion constraint on PostgreSQL).
    """

    Status = AppointmentStatus

    class Kind(models.TextChoices):
        JOINT = "joint", _("Joint meeting")
        SEPARATE = "separate", _("Separate meeting")
        CHILD_TALK = "child_talk", _("Child talk")

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        VIDEO = "video", _("Video")
        PHONE = "phone", _("Phone")

    class ParentRole(models.TextChoices):
        # Plain labels: the same choices with translated labels are intake's Parent.Role, and
        # the API schema keeps the two enums apart (ENUM_NAME_OVERRIDES).
        REQUESTER = "requester", "Requester"
        OTHER = "other", "Other parent"

    case = models.ForeignKey("intake.Case", on_delete=models.CASCADE, related_name="appointments")
    mediator = models.ForeignKey(
        "mediators.Mediator", on_delete=models.PROTECT, related_name="appointments"
    )
    location = models.ForeignKey(
        "mediators.Location",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Where they meet in person; empty for video and phone.",
    )
    mode = models.CharField(max_length=10, choices=Mode.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    parent_role = models.CharField(
        max_length=10, choices=ParentRole.choices, blank=True, help_text="Separate meetings only."
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    hours = models.DecimalField(max_digits=4, decimal_places=2)
    attended_requester = models.BooleanField(null=True, blank=True)
    attended_other = models.BooleanField(null=True, blank=True)
    interpreter_language = models.ForeignKey(
        "mediators.Language", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consent_requester_at = models.DateTimeField(
        null=True, blank=True, help_text="Child talk: when the requester's consent was recorded."
    )
    consent_other_at = models.DateTimeField(
        null=True, blank=True, help_text="Child talk: when the other parent's consent was recorded."
    )
    sequence = models.PositiveIntegerField(default=0)
    link_salt = models.CharField(max_length=32)
    created_by = models.ForeignKey(
        "mediators.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(max_length=80, blank=True, help_text="Staff user or parent.")
    cancel_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["case", "starts_at"], name="appointment_case_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="appointment_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="appointment_hours_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["booked", "cancelled", "held", "no_show"]),
                name="appointment_status_known",
            ),
            models.CheckConstraint(
                condition=Q(kind="separate", parent_role__in=["requester", "other"])
                | Q(kind__in=["joint", "child_talk"], parent_role=""),
                name="appointment_separate_names_the_parent",
            ),
            models.CheckConstraint(
                condition=Q(mode="in_person", location__isnull=False)
                | Q(mode__in=["video", "phone"], location__isnull=True),
                name="appointment_location_only_in_person",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="appointment_cancelled_has_time",
            ),
            PostgresExclusionConstraint(
                name="appointment_no_double_booking",
                expressions=[
                    ("mediator", RangeOperators.EQUAL),
                    (TsTzRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                condition=~Q(status="cancelled"),
            ),
        ]

    def __str__(self) -> str:
        return f"appointment {self.pk}: {self.case_id} {self.kind} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def parent_roles(self) -> list[str]:
        """The parents who attend (and get notices): one for a separate meeting, else both."""
        if self.parent_role:
            return [self.parent_role]
        return [self.ParentRole.REQUESTER, self.ParentRole.OTHER]


class Certificate(models.Model):
    """A mediation certificate (meklingsattest) for one parent, or the office's refusal.

    Issued after the first hour is held, to each parent who attended, even if the other did
    not come (meklingsforskriften § 8); valid 6 months (barneloven § 54). A refusal keeps its
    reason, since it can be appealed to Bufetat.
    """

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        REFUSED = "refused", _("Refused")

    case = models.ForeignKey("intake.Case", on_delete=models.CASCADE, related_name="certificates")
    parent = models.ForeignKey(
        "intake.Parent", on_delete=models.CASCADE, related_name="certificates"
    )
    status = models.CharField(max_length=8, choices=Status.choices)
    number = models.CharField(max_length=24, unique=True)
    first_meeting_on = models.DateField(null=True, blank=True)
    issued_on = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        "mediators.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "parent"]
        constraints = [
            models.UniqueConstraint(fields=["parent"], name="certificate_one_per_parent"),
            models.CheckConstraint(
                condition=Q(status="issued", valid_until__isnull=False, refusal_reason="")
                | Q(status="refused", valid_until__isnull=True) & ~Q(refusal_reason=""),
                name="certificate_issued_has_validity_refused_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.status})"


class Court(models.Model):
    """A district court (tingrett) and the address on record for the mediator's notes.

    Court names are institutions; the addresses are entered by an administrator (demo and
    test data use invented ones). A referred case names its court in free text
    (`Case.court_name`); `court_notes.court_for_case` matches it to a row by name.
    """

    name = models.CharField(max_length=120, unique=True)
    email = models.EmailField(help_text="Where the mediator's notes are sent.")
    street = models.CharField(max_length=120, blank=True)
    postal_code = models.CharField(max_length=4, blank=True)
    town = models.CharField(max_length=80, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="court_name_unique_ignoring_case"),
            models.CheckConstraint(
                condition=Q(postal_code="") | Q(postal_code__regex=r"^[0-9]{4}$"),
                name="court_postal_code_four_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CourtNote(models.Model):
    """The mediator's note to the court in a case referred back to mediation
    (barneloven § 61 første ledd nr. 2; 000 §4.3: the mediator tells the court in a note when
    the parents cannot reach an agreement).

    Only the facts of the mediation: who attended, the hours, whether they agreed, the date.
    Never the content of the talks nor anything from the questionnaire (there is no field for
    it). Part of the protocol: it goes with the case after 3 years (meklingsforskriften § 9,
    the case's cascade in intake/retention.py).

    A note that was sent is never changed: a correction is a new version that supersedes it,
    with its reason, and is sent to the court again. The database keeps the versions of a
    case numbered 1, 2, ... without gaps in meaning (unique per case), each superseding at most
    one note (one-to-one), and version 1 alone without a predecessor.
    """

    class Agreement(models.TextChoices):
        YES = "yes", "Agreement"
        PARTLY = "partly", "Partial agreement"
        NO = "no", "No agreement"

    case = models.ForeignKey("intake.Case", on_delete=models.CASCADE, related_name="court_notes")
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="notes")
    version = models.PositiveSmallIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    correction_reason = models.CharField(max_length=300, blank=True)
    court_case_number = models.CharField(
        max_length=40, blank=True, help_text="The court's own case number, if known."
    )
    mediation_date = models.DateField(help_text="The date of the last meeting held.")
    attended_requester = models.BooleanField()
    attended_other = models.BooleanField()
    hours = models.DecimalField(max_digits=3, decimal_places=1)
    agreement = models.CharField(max_length=6, choices=Agreement.choices)
    mediator_name = models.CharField(max_length=160)
    written_by = models.ForeignKey(
        "mediators.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="court_note_one_per_version"),
            models.CheckConstraint(
                condition=Q(version=1, supersedes__isnull=True, correction_reason="")
                | Q(version__gt=1, supersedes__isnull=False) & ~Q(correction_reason=""),
                name="court_note_correction_supersedes_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(agreement__in=["yes", "partly", "no"]), name="court_note_agreement"
            ),
            # meklingsforskriften § 1: at most 7 hours in all.
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=7), name="court_note_hours_0_to_7"
            ),
            models.CheckConstraint(
                condition=Q(attended_requester=True) | Q(attended_other=True),
                name="court_note_someone_attended",
            ),
        ]

    def __str__(self) -> str:
        return f"court note {self.case_id} v{self.version}"
