"""Cases (a request for mediation), the two parents, and their children."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.crypto import EncryptedJSONField
from mediators.models import District, Language, Municipality, Office

REFERENCE_PATTERN = r"^MK-[0-9]{4}-[0-9]{6}$"


class CaseType(models.TextChoices):
    """The six case types of the domain brief, each with its legal basis."""

    SEPARATION = "separation", _("Separation / divorce")  # ekteskapsloven § 26
    COHABITATION_BREAKUP = "cohabitation_breakup", _("Cohabitants' break-up")  # barneloven § 51
    COURT = "court", _("Before court")  # barneloven §§ 51, 56
    RELOCATION = "relocation", _("Relocation")  # barneloven § 42a
    COURT_REFERRAL = "court_referral", _("Referred back by the court")  # bl. § 61 (1) nr. 2
    ENFORCEMENT = "enforcement", _("Enforcement of contact")  # barneloven § 65a


COURT_CASE_TYPES = (CaseType.COURT_REFERRAL, CaseType.ENFORCEMENT)


class CaseStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    INTAKE = "intake", _("Questionnaire in progress")
    READY = "ready", _("Ready for assignment")
    OFFERED = "offered", _("Offered to a mediator")
    ASSIGNED = "assigned", _("Assigned")
    SCHEDULED = "scheduled", _("Scheduled")
    IN_MEDIATION = "in_mediation", _("In mediation")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CaseReferenceCounter(models.Model):
    """Last case number used per year, locked row by row so references never repeat."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Case(models.Model):
    """A request for mediation (begjæring om mekling) for one couple."""

    reference = models.CharField(max_length=14, unique=True, editable=False)
    case_type = models.CharField(max_length=24, choices=CaseType.choices)
    status = models.CharField(
        max_length=16, choices=CaseStatus.choices, default=CaseStatus.REQUESTED
    )
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    catchment_office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="catchment_cases"
    )
    chosen_office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chosen_cases",
        help_text="The parents' free choice of office (002 §4.2), when not the catchment office.",
    )
    planned_move_date = models.DateField(null=True, blank=True)
    move_notice_given_on = models.DateField(null=True, blank=True)
    court_name = models.CharField(max_length=120, blank=True)
    court_deadline = models.DateField(null=True, blank=True)
    duty_required = models.BooleanField(null=True, help_text="Whether mediation is compulsory.")
    duty_outcome = models.JSONField(default=dict, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="Set by case_close; retention counts from it."
    )
    answers_purged_at = models.DateTimeField(
        null=True, blank=True, help_text="When retention purged answers and classification."
    )

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reference__regex=REFERENCE_PATTERN), name="case_reference_format"
            ),
            models.CheckConstraint(
                condition=Q(case_type__in=CaseType.values), name="case_type_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CaseStatus.values), name="case_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(case_type=CaseType.RELOCATION)
                | Q(planned_move_date__isnull=False, move_notice_given_on__isnull=False),
                name="case_relocation_has_dates",
            ),
            models.CheckConstraint(
                condition=~Q(case_type__in=COURT_CASE_TYPES) | Q(court_deadline__isnull=False),
                name="case_court_has_deadline",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def office(self) -> Office:
        """The office that holds the case: the parents' choice, else the catchment office."""
        return self.chosen_office or self.catchment_office


class Parent(models.Model):
    """One of the two parents of a case. The national id is kept only as a keyed digest."""

    class Role(models.TextChoices):
        REQUESTER = "requester", _("Requester")
        OTHER = "other", _("Other parent")

    class Lang(models.TextChoices):
        NB = "nb", "Norsk bokmål"
        NN = "nn", "Norsk nynorsk"
        EN = "en", "English"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parents")
    role = models.CharField(max_length=10, choices=Role.choices)
    given_name = models.CharField(max_length=80)
    family_name = models.CharField(max_length=80)
    national_id_digest = models.CharField(max_length=64, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    email = models.EmailField()
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +4791234567.")
    language = models.CharField(max_length=2, choices=Lang.choices, default=Lang.NB)
    interpreter_language = models.ForeignKey(
        Language, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lives_abroad = models.BooleanField(default=False)

    class Meta:
        ordering = ["case", "role"]
        constraints = [
            # Two roles and one row per role: a third parent on a case is refused.
            models.UniqueConstraint(fields=["case", "role"], name="parent_one_per_role"),
            models.CheckConstraint(
                condition=Q(role__in=["requester", "other"]), name="parent_role_known"
            ),
            models.CheckConstraint(
                condition=Q(language__in=["nb", "nn", "en"]), name="parent_language"
            ),
            models.CheckConstraint(
                condition=Q(national_id_digest="") | Q(national_id_digest__regex=r"^[0-9a-f]{64}$"),
                name="parent_national_id_is_digest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.role}"


class Child(models.Model):
    """A common child of the parents; only the birth date is needed for the duty rules."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="children")
    birth_date = models.DateField()

    class Meta:
        ordering = ["case", "birth_date"]
        verbose_name_plural = "children"

    def __str__(self) -> str:
        return f"{self.case.reference} child {self.birth_date}"


class IntakeLink(models.Model):
    """A parent's private link to their own questionnaire.

    The URL token is signed with SECRET_KEY over (link id, salt): a copy of the database alone
    cannot forge or recover it, and it can be rebuilt to re-send without being stored.
    """

    parent = models.ForeignKey(Parent, on_delete=models.CASCADE, related_name="links")
    salt = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="intakelink_expires_later"
            ),
        ]

    def __str__(self) -> str:
        return f"link {self.pk} for parent {self.parent_id}"


class QuestionnaireResponse(models.Model):
    """One parent's answers: a draft until submitted, then immutable. Never shown to the other."""

    parent = models.OneToOneField(Parent, on_delete=models.CASCADE, related_name="response")
    questionnaire_version = models.CharField(max_length=20)
    # Encrypted at rest (config/crypto.py); purged after the case closes (intake/retention.py).
    answers = EncryptedJSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"response of parent {self.parent_id}"


class ConflictLevel(models.TextChoices):
    """Konfliktnivå (000 §4.2)."""

    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Classification(models.Model):
    """The computed conflict level of a case, and a staff override beside it."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="classification")
    level = models.CharField(max_length=6, choices=ConflictLevel.choices)
    provisional = models.BooleanField(default=True)
    score = models.FloatField(default=0)
    # Both echo answers, so they are encrypted like them and purged with them.
    reasons = EncryptedJSONField(default=list, blank=True)
    safety_flags = EncryptedJSONField(default=list, blank=True)
    separate_meetings_recommended = models.BooleanField(default=False)
    rules_version = models.CharField(max_length=20)
    questionnaire_version = models.CharField(max_length=20)
    computed_at = models.DateTimeField()
    override_level = models.CharField(max_length=6, choices=ConflictLevel.choices, blank=True)
    override_reason = models.TextField(blank=True)
    overridden_by = models.ForeignKey(
        "mediators.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=ConflictLevel.values), name="classification_level_known"
            ),
            models.CheckConstraint(
                condition=Q(override_level="", overridden_by__isnull=True)
                | Q(override_level__in=ConflictLevel.values, overridden_by__isnull=False)
                & ~Q(override_reason=""),
                name="classification_override_has_reason_and_author",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.effective_level}"

    @property
    def effective_level(self) -> str:
        return self.override_level or self.level


class AuditEvent(models.Model):
    """Append-only record of staff and mediator reads of answers and changes to a case.

    On PostgreSQL a trigger (migration 0009) refuses every DELETE and every UPDATE, except the
    retention path (intake/retention.py) blanking `remote_addr` when the protocol is deleted:
    the rows stay, without personal data, once the case is gone (meklingsforskriften § 9).
    """

    class Action(models.TextChoices):
        CASE_REQUESTED = "case_requested"
        CASE_READ = "case_read"
        CASE_ASSIGNED = "case_assigned"
        CASE_UNASSIGNED = "case_unassigned"
        OFFER_ACCEPTED = "offer_accepted"
        OFFER_DECLINED = "offer_declined"
        OFFER_EXPIRED = "offer_expired"
        ATTENDANCE_RECORDED = "attendance_recorded"
        CERTIFICATE_REFUSED = "certificate_refused"
        ANSWERS_READ = "answers_read"
        CLASSIFICATION_OVERRIDDEN = "classification_overridden"
        LINK_RESENT = "link_resent"
        ANSWERS_SUBMITTED = "answers_submitted"
        APPOINTMENT_BOOKED = "appointment_booked"
        APPOINTMENT_RESCHEDULED = "appointment_rescheduled"
        APPOINTMENT_CANCELLED = "appointment_cancelled"
        APPOINTMENT_MADE_SEPARATE = "appointment_made_separate"
        CERTIFICATE_ISSUED = "certificate_issued"
        CASE_CLOSED = "case_closed"
        DATA_EXPORTED = "data_exported"
        ANSWERS_PURGED = "answers_purged"
        PROTOCOL_DELETED = "protocol_deleted"
        COURT_NOTE_WRITTEN = "court_note_written"
        COURT_NOTE_SENT = "court_note_sent"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        "mediators.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=80, help_text="Who, kept if the user is deleted.")
    action = models.CharField(max_length=32, choices=Action.choices)
    case_reference = models.CharField(max_length=14, db_index=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.case_reference}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)
