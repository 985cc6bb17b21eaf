from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from mediators.models import (
    Catchment,
    District,
    Language,
    Location,
    Mediator,
    Municipality,
    Office,
    User,
)


class LocationInline(admin.TabularInline[Location, Office]):
    model = Location
    extra = 0


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin[Office]):
    list_display = ["code", "name", "kind", "region", "active"]
    list_filter = ["kind", "region", "active"]
    search_fields = ["code", "name"]
    inlines = [LocationInline]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin[Location]):
    list_display = ["code", "name", "office", "town", "satellite"]
    list_filter = ["satellite", "office__region"]
    search_fields = ["code", "name", "town"]


@admin.register(Catchment)
class CatchmentAdmin(admin.ModelAdmin[Catchment]):
    list_display = ["municipality", "district", "office"]
    list_filter = ["office"]
    search_fields = ["municipality__name", "municipality__number", "district__name"]
    list_select_related = ["municipality", "district", "office"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin[Municipality]):
    list_display = ["number", "name", "county"]
    search_fields = ["number", "name"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin[District]):
    list_display = ["name", "municipality"]


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin[Language]):
    list_display = ["code", "name_nb", "name_en"]


@admin.register(Mediator)
class MediatorAdmin(admin.ModelAdmin[Mediator]):
    list_display = [
        "family_name",
        "given_name",
        "kind",
        "office",
        "high_conflict",
        "child_talk",
        "court_referral",
        "weekly_capacity_hours",
        "active",
    ]
    list_filter = ["kind", "active", "high_conflict", "child_talk", "court_referral", "office"]
    search_fields = ["family_name", "given_name", "email"]
    filter_horizontal = ["locations", "languages"]
    list_select_related = ["office"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "role", "office", "region", "is_active"]
    list_filter = ["role", "office", "region", "is_active"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Role", {"fields": ("role", "office", "region", "preferred_language")}),
    )
