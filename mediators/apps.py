from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MediatorsConfig(AppConfig):
    name = "mediators"
    verbose_name = "Offices and mediators"

    def ready(self) -> None:
        from mediators import duties  # noqa: F401 - registers the offer engine's duty handlers
        from mediators.reference_data import sync_after_migrate

        post_migrate.connect(sync_after_migrate, sender=self)
