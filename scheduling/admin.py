from django.contrib import admin

from scheduling.models import Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin[Heartbeat]):
    list_display = ["component", "last_seen", "detail"]
