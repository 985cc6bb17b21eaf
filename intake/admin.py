from django.contrib import admin

from intake.models import Case, Child, Parent


class ParentInline(admin.StackedInline[Parent, Case]):
    model = Parent
    extra = 0
    max_num = 2
    readonly_fields = ["national_id_digest"]


class ChildInline(admin.TabularInline[Child, Case]):
    model = Child
    extra = 0


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin[Case]):
    list_display = [
        "reference",
        "case_type",
        "status",
        "catchment_office",
        "chosen_office",
        "requested_at",
    ]
    list_filter = ["case_type", "status", "catchment_office__region"]
    search_fields = ["reference"]
    # closed_at is set by intake.services.case_close (audited); retention counts from it.
    readonly_fields = ["reference", "requested_at", "closed_at", "answers_purged_at"]
    list_select_related = ["catchment_office", "chosen_office"]
    inlines = [ParentInline, ChildInline]
