from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from scheduling.duties import duties_dispatch_now
from scheduling.models import Court, CourtNote, Duty, Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin[Heartbeat]):
    list_display = ["component", "last_seen", "detail"]


@admin.register(Duty)
class DutyAdmin(admin.ModelAdmin[Duty]):
    """Read-mostly: the engine owns every field; staff may only send duties again."""

    list_display = ["kind", "key", "due_at", "status", "attempts"]
    list_filter = ["kind", "status"]
    search_fields = ["key"]
    date_hierarchy = "due_at"
    readonly_fields = [
        "kind",
        "key",
        "due_at",
        "status",
        "attempts",
        "case",
        "target_id",
        "created_at",
        "claimed_at",
        "finished_at",
        "outcome",
    ]
    actions = ["dispatch_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Duty | None = None) -> bool:
        # The row is the memory that a message was sent: deleting it could send it again.
        return False

    @admin.action(description="Dispatch now", permissions=["change"])
    def dispatch_now(self, request: HttpRequest, queryset: QuerySet[Duty]) -> None:
        chosen = list(queryset.values_list("pk", flat=True))
        sent = duties_dispatch_now(duty_ids=chosen)
        self.message_user(
            request,
            f"{sent} of {len(chosen)} duties sent to a worker; finished ones were left alone.",
            messages.SUCCESS if sent else messages.WARNING,
        )


@admin.register(Court)
class CourtAdmin(admin.ModelAdmin[Court]):
    """The courts (tingretter) and the address on record where the mediator's notes go."""

    list_display = ["name", "email", "town", "active"]
    list_filter = ["active"]
    search_fields = ["name"]


@admin.register(CourtNote)
class CourtNoteAdmin(admin.ModelAdmin[CourtNote]):
    """Read-only: a note sent to a court is never changed (a correction is a new version,
    written on the desk or through the API)."""

    list_display = ["case", "version", "court", "agreement", "created_at", "sent_at"]
    list_filter = ["agreement", "court"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
