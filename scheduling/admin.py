from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from scheduling.duties import duties_dispatch_now
from scheduling.models import Duty, Heartbeat


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
