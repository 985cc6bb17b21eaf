from typing import Any

from django.core.management.base import BaseCommand

from scheduling.schedules import schedules_install


class Command(BaseCommand):
    help = "Install the periodic (beat) schedules; safe to run any number of times."

    def handle(self, *args: Any, **options: Any) -> None:
        names = schedules_install()
        self.stdout.write(f"Installed {len(names)} schedule(s): {', '.join(names)}")
