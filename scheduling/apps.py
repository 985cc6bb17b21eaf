from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_schedules(sender: Any, **kwargs: Any) -> None:
    from scheduling.schedules import schedules_install

    schedules_install()


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Scheduling"

    def ready(self) -> None:
        # Registers the appointment notice and reminder duty handlers with the engine.
        from scheduling import (  # noqa: F401
            alarms,
            appointment_notices,
            certificate_notices,
            court_note_notices,
        )

        post_migrate.connect(_install_schedules, sender=self)
