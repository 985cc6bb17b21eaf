from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Intake"

    def ready(self) -> None:
        # Registers intake's duty handlers with the engine.
        from intake import duties  # noqa: F401
