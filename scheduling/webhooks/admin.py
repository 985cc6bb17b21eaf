"""Admin of the webhooks: the subscriber registry, the events, the delivery log and replay."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from scheduling.webhooks.delivery import webhook_deliveries_replay
from scheduling.webhooks.models import Delivery, DeliveryAttempt, Event, EventType, Subscriber
from scheduling.webhooks.subscribers import (
    subscriber_create,
    subscriber_secret_rotate,
    subscriber_update,
    subscriber_validate,
)

SUBSCRIBER_FIELDS = ("name", "url", "event_types", "office", "active")


class SubscriberForm(forms.ModelForm[Subscriber]):
    url = forms.URLField(max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Subscriber
        fields = SUBSCRIBER_FIELDS

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "url" in cleaned and "event_types" in cleaned:
            try:
                subscriber_validate(url=cleaned["url"], event_types=cleaned["event_types"])
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    self.add_error(field, problems)
        return cleaned


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin[Subscriber]):
    form = SubscriberForm
    list_display = ["name", "url", "office", "active", "created_at"]
    list_filter = ["active"]
    readonly_fields = ["signing_secret", "created_at", "updated_at"]
    actions = ["rotate_secret"]

    @admin.display(description="Signing secret")
    def signing_secret(self, obj: Subscriber) -> str:
        # Shown to admins (two-factor) so they can hand it to the subscriber's operator.
        return str(obj.secret) if obj.pk else "(generated when saved)"

    def save_model(self, request: HttpRequest, obj: Subscriber, form: Any, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in SUBSCRIBER_FIELDS}
        if change:
            subscriber_update(subscriber=obj, **fields)
        else:
            created = subscriber_create(**fields)
            obj.pk, obj.secret = created.pk, created.secret

    @admin.action(description="Generate a new signing secret", permissions=["change"])
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[Subscriber]) -> None:
        for subscriber in queryset:
            subscriber_secret_rotate(subscriber=subscriber)
        self.message_user(request, f"New secrets for {queryset.count()} subscribers.")


class AttemptInline(admin.TabularInline[DeliveryAttempt, Delivery]):
    model = DeliveryAttempt
    fields = readonly_fields = (
        "number",
        "started_at",
        "duration_ms",
        "status_code",
        "succeeded",
        "error",
    )
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The rows are the memory of what was sent: deleting them loses the log.
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """The delivery log: every delivery with each attempt; replay sends a new delivery."""

    list_display = [
        "pk",
        "event_type",
        "subscriber",
        "replay",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["status", "event__type", "subscriber"]
    search_fields = ["event__uuid"]
    list_select_related = ["event", "subscriber"]
    readonly_fields = [
        "event",
        "subscriber",
        "replay",
        "replayed_by",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "created_at",
        "finished_at",
    ]
    inlines = [AttemptInline]
    actions = ["replay_deliveries"]

    @admin.display(description="Event", ordering="event__type")
    def event_type(self, obj: Delivery) -> str:
        return obj.event.type

    @admin.action(description="Replay (a new delivery of the same event)", permissions=["change"])
    def replay_deliveries(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        chosen = list(queryset.values_list("pk", flat=True))
        replays = webhook_deliveries_replay(delivery_ids=chosen, actor=request.user)
        self.message_user(
            request,
            f"{len(replays)} of {len(chosen)} deliveries replayed; pending ones and those of "
            "inactive subscribers were left alone.",
            messages.SUCCESS if replays else messages.WARNING,
        )


class DeliveryInline(admin.TabularInline[Delivery, Event]):
    model = Delivery
    fields = readonly_fields = (
        "subscriber",
        "replay",
        "status",
        "attempts",
        "last_status_code",
        "finished_at",
    )
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["uuid", "type", "case", "office", "occurred_at"]
    list_filter = ["type"]
    search_fields = ["uuid", "case__reference"]
    list_select_related = ["case", "office"]
    readonly_fields = ["uuid", "type", "case", "office", "occurred_at", "body"]
    inlines = [DeliveryInline]
