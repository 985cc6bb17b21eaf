"""Webhooks: subscribers, the event outbox, one delivery per (event, subscriber), the log.

An `Event` row is written in the same transaction as the change it reports (an outbox), so an
event exists exactly when its change was committed. Its `body` is the exact JSON sent and
signed, built once: a retry or a replay sends the same bytes under the same event id.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.crypto import EncryptedJSONField


class EventType(models.TextChoices):
    CASE_REQUESTED = "case.requested", _("Case requested")
    CASE_CLASSIFIED = "case.classified", _("Case classified")
    CASE_ASSIGNED = "case.assigned", _("Case assigned or offered")
    OFFER_ACCEPTED = "offer.accepted", _("Offer accepted")
    OFFER_DECLINED = "offer.declined", _("Offer declined")
    OFFER_EXPIRED = "offer.expired", _("Offer expired")
    APPOINTMENT_BOOKED = "appointment.booked", _("Appointment booked")
    APPOINTMENT_RESCHEDULED = "appointment.rescheduled", _("Appointment rescheduled")
    APPOINTMENT_CANCELLED = "appointment.cancelled", _("Appointment cancelled")
    CERTIFICATE_ISSUED = "certificate.issued", _("Certificate issued")


class Subscriber(models.Model):
    """A system that hears about events by HTTPS POST, signed with its own secret.

    Without an office it hears every office's events; with one, that office's only. The
    secret is encrypted at rest (config/crypto.py) and rotated with the answers' keys.
    """

    name = models.CharField(max_length=80)
    url = models.URLField(max_length=500)
    secret = EncryptedJSONField(editable=False)
    event_types = models.JSONField(default=list, help_text="The event types it hears about.")
    office = models.ForeignKey(
        "mediators.Office",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Only this office's events; empty for every office.",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            # https, or plain http to this machine (tests and local runs; a setting decides
            # whether it may be used: WEBHOOK_ALLOW_HTTP_LOCALHOST).
            models.CheckConstraint(
                condition=Q(url__startswith="https://")
                | Q(url__startswith="http://127.0.0.1:")
                | Q(url__startswith="http://127.0.0.1/"),
                name="webhook_subscriber_url_https",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    """Something that happened to a case, as subscribers are told it (references only)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=32, choices=EventType.choices)
    # Deleted with the case's protocol (meklingsforskriften § 9, intake/retention.py).
    case = models.ForeignKey("intake.Case", on_delete=models.CASCADE, related_name="+")
    office = models.ForeignKey("mediators.Office", on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()
    body = models.TextField(help_text="The exact JSON that is signed and sent.")

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=EventType.values), name="webhook_event_type_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.uuid}"


class Delivery(models.Model):
    """One event to one subscriber: `replay` 0 is the original, n the nth replay from the admin.

    `next_attempt_at` is when the next attempt is due while pending (empty once finished): the
    beat sweep re-sends deliveries whose message was lost (scheduling/webhooks/delivery.py).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Gave up")
        CANCELLED = "cancelled", _("Cancelled (subscriber inactive)")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    replay = models.PositiveSmallIntegerField(default=0)
    replayed_by = models.ForeignKey(
        "mediators.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "subscriber", "replay"], name="webhook_delivery_once"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "succeeded", "failed", "cancelled"]),
                name="webhook_delivery_status_known",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", next_attempt_at__isnull=False, finished_at=None)
                | (~Q(status="pending") & Q(next_attempt_at=None, finished_at__isnull=False)),
                name="webhook_delivery_pending_has_next_attempt",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="webhook_delivery_due",
            ),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} ({self.status})"


class DeliveryAttempt(models.Model):
    """The delivery log: one row per POST, with how it ended. Never the body."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    succeeded = models.BooleanField()

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_once"),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}"
