"""Offices (familievernkontor), their locations and catchment, mediators and user accounts."""

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MUNICIPALITY_NUMBER = r"^[0-9]{4}$"
OSLO_MUNICIPALITY = "0301"


class Region(models.TextChoices):
    """Bufetat's five regions."""

    OST = "ost", _("East")
    SOR = "sor", _("South")
    VEST = "vest", _("West")
    MIDT = "midt", _("Central Norway")
    NORD = "nord", _("North")


class Municipality(models.Model):
    """A Norwegian municipality (kommune), keyed by its 4-digit number."""

    number = models.CharField(max_length=4, primary_key=True)
    name = models.CharField(max_length=100)
    county = models.CharField(max_length=100)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "municipalities"
        constraints = [
            models.CheckConstraint(
                condition=Q(number__regex=MUNICIPALITY_NUMBER), name="municipality_number_4_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class District(models.Model):
    """A city district (bydel) of Oslo; catchment there is by district (002 §4.1.1)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="districts"
    )
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="district_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Language(models.Model):
    """A language a parent may speak or a mediator may mediate in (ISO 639 code)."""

    code = models.CharField(max_length=8, primary_key=True)
    name_nb = models.CharField(max_length=60)
    name_en = models.CharField(max_length=60)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Office(models.Model):
    """A family counselling office (familievernkontor), state-run or run by the church."""

    class Kind(models.TextChoices):
        STATE = "state", _("State")
        CHURCH = "church", _("Church")

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    region = models.CharField(max_length=10, choices=Region.choices)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["state", "church"]), name="office_kind"),
            models.CheckConstraint(
                condition=Q(region__in=[r.value for r in Region]), name="office_region"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    """A place where an office holds meetings; about a third are satellites (000 §2.3)."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="locations")
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    street = models.CharField(max_length=120)
    postal_code = models.CharField(max_length=4)
    town = models.CharField(max_length=80)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    latitude = models.FloatField()
    longitude = models.FloatField()
    satellite = models.BooleanField(default=False, help_text="Limited opening hours.")

    class Meta:
        ordering = ["office__code", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=57.5, latitude__lte=71.5)
                & Q(longitude__gte=4.0, longitude__lte=31.5),
                name="location_inside_norway",
            ),
            models.CheckConstraint(
                condition=Q(postal_code__regex=r"^[0-9]{4}$"), name="location_postal_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.town})"


class Catchment(models.Model):
    """Which office serves a municipality, or in Oslo a city district (002 §4.1.1).

    Each municipality (outside Oslo) and each Oslo district has exactly one catchment office;
    parents may still choose another office freely (002 §4.2).
    """

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="catchment")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["municipality_id", "district__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality"],
                condition=Q(district__isnull=True),
                name="catchment_one_office_per_municipality",
            ),
            models.UniqueConstraint(fields=["district"], name="catchment_one_office_per_district"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id}/{self.district or '-'} → {self.office.code}"


class MeklingUserManager(UserManager["User"]):
    def create_superuser(
        self,
        username: str,
        email: str | None = None,
        password: str | None = None,
        **extra_fields: Any,
    ) -> "User":
        # A superuser is an admin by role too, so the role constraint holds for createsuperuser.
        extra_fields.setdefault("role", User.Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in: office staff, a regional coordinator, a mediator, or an admin.

    Parents do not have accounts: they use their private link (and ID-porten later).
    """

    class Role(models.TextChoices):
        OFFICE_STAFF = "office_staff", _("Office staff")
        COORDINATOR = "coordinator", _("Regional coordinator")
        EXTERNAL_MEDIATOR = "external_mediator", _("External mediator")
        ADMIN = "admin", _("Administrator")
        # Bufdir reading national figures (suppressed, mediators/reports/): no case access.
        DIRECTORATE = "directorate", _("Directorate (Bufdir)")

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.OFFICE_STAFF)
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    region = models.CharField(max_length=10, choices=Region.choices, blank=True)
    preferred_language = models.CharField(max_length=2, default="nb")

    objects: ClassVar[MeklingUserManager] = MeklingUserManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(role="office_staff", office__isnull=False)
                | Q(role="coordinator", office__isnull=True) & ~Q(region="")
                | Q(role__in=["external_mediator", "admin", "directorate"], office__isnull=True),
                name="user_role_scope",
            ),
        ]


class Mediator(models.Model):
    """A mediator (mekler): an office employee or an external mediator approved by Bufetat."""

    class Kind(models.TextChoices):
        OFFICE = "office", _("Office employee")
        EXTERNAL = "external", _("External mediator")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    user = models.OneToOneField(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="mediator"
    )
    given_name = models.CharField(max_length=80)
    family_name = models.CharField(max_length=80)
    email = models.EmailField()
    phone = models.CharField(max_length=20, blank=True)
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mediators",
        help_text="The employing office (office mediators) or the supervising office (external).",
    )
    locations = models.ManyToManyField(Location, related_name="mediators", blank=True)
    approved_from = models.DateField(null=True, blank=True)
    approved_until = models.DateField(null=True, blank=True)
    high_conflict = models.BooleanField(default=False, help_text="Competence: high conflict.")
    child_talk = models.BooleanField(default=False, help_text="Competence: talks with children.")
    court_referral = models.BooleanField(
        default=False, help_text="Competence: court referral and enforcement cases."
    )
    separate_meetings = models.BooleanField(
        default=True, help_text="Can hold separate meetings (meklingsforskriften § 7)."
    )
    languages = models.ManyToManyField(Language, related_name="mediators", blank=True)
    weekly_capacity_hours = models.PositiveSmallIntegerField(default=10)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekly_capacity_hours__gte=0, weekly_capacity_hours__lte=60),
                name="mediator_capacity_0_to_60_hours",
            ),
            models.CheckConstraint(
                condition=Q(kind="office", office__isnull=False, approved_until__isnull=True)
                | Q(kind="external", approved_from__isnull=False, approved_until__isnull=False),
                name="mediator_kind_fields",
            ),
            models.CheckConstraint(
                condition=Q(approved_until__isnull=True)
                | Q(approved_until__gt=models.F("approved_from")),
                name="mediator_approval_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"


class ConflictDeclaration(models.Model):
    """A party a mediator must not mediate for (inhabilitet): by national id, or name + birth date.

    The national id is kept only as the same keyed digest the intake uses.
    """

    mediator = models.ForeignKey(Mediator, on_delete=models.CASCADE, related_name="conflicts")
    national_id_digest = models.CharField(max_length=64, blank=True)
    given_name = models.CharField(max_length=80, blank=True)
    family_name = models.CharField(max_length=80, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(national_id_digest__regex=r"^[0-9a-f]{64}$")
                | Q(national_id_digest="", birth_date__isnull=False) & ~Q(family_name=""),
                name="conflict_declaration_identifies_a_person",
            ),
        ]

    def __str__(self) -> str:
        return f"conflict declared by mediator {self.mediator_id}"


class Placement(models.Model):
    """What an assignment and an offer share: a case, a mediator, where, and why."""

    class Method(models.TextChoices):
        MANUAL = "manual", _("Chosen by staff")
        SUGGESTED = "suggested", _("Top suggestion")
        BATCH = "batch", _("Batch optimiser")
        OFFER_ACCEPTED = "offer_accepted", _("Offer accepted")

    case = models.ForeignKey("intake.Case", on_delete=models.CASCADE, related_name="%(class)ss")
    mediator = models.ForeignKey(Mediator, on_delete=models.PROTECT, related_name="%(class)ss")
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Where they meet; empty when the mediation is held by video or phone.",
    )
    remote = models.BooleanField(default=False, help_text="By video or phone.")
    hours = models.DecimalField(max_digits=4, decimal_places=2, help_text="Weekly load it takes.")
    method = models.CharField(max_length=16, choices=Method.choices)
    chosen_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reasons = models.JSONField(default=list, blank=True)
    journey_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]


class Assignment(Placement):
    """A case placed with a mediator: who or what chose it, and why (the reasons)."""

    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta(Placement.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(ended_at__isnull=True),
                name="assignment_one_active_per_case",
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="assignment_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.mediator_id}"


class Offer(Placement):
    """A case offered to an external mediator, who must accept or decline by the deadline."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    deadline = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=500, blank=True)

    class Meta(Placement.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="offer_one_pending_per_case"
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="offer_hours_positive"),
            models.CheckConstraint(
                condition=Q(deadline__gt=models.F("created_at")), name="offer_deadline_later"
            ),
        ]

    def __str__(self) -> str:
        return f"offer {self.pk}: {self.case_id} → {self.mediator_id} ({self.status})"
