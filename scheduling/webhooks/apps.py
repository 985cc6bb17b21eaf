from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Signed event notifications to other systems (a case system, a calendar, a court portal)."""

    name = "scheduling.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"
