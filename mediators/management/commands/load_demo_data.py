from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from intake.demo import demo_cases_create
from mediators.demo import demo_mediators_create, demo_offices_load
from mediators.demo_history import demo_history_create
from mediators.models import Mediator, Office, User
from mediators.services import user_create
from scheduling.courts import demo_courts_create

DEMO_PASSWORD = "mekling-demo"  # noqa: S105 - demo accounts, local run only # nosec B105


class Command(BaseCommand):
    help = "Load the synthetic national demo set: offices, mediators, sample cases, demo users."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if offices exist.")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--no-history",
            action="store_true",
            help="Skip the synthetic protocol history (Aug–Oct 2026) the reports show.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Office.objects.exists():
            self.stdout.write("Demo data already loaded.")
            return
        offices, locations = demo_offices_load()
        office_count, external_count = demo_mediators_create(seed=options["seed"])
        cases = demo_cases_create()
        courts = demo_courts_create()
        users = self._demo_users()
        self.stdout.write(
            f"Loaded {offices} offices at {locations} locations, {office_count} office and "
            f"{external_count} external mediators, {cases} sample cases, {courts} courts."
        )
        if not options["no_history"]:
            history = demo_history_create(seed=options["seed"])
            self.stdout.write(
                f"  protocol history (requests Aug–Oct 2026): {history.cases} cases, "
                f"{history.appointments} meetings, {history.certificates} certificates; "
                "see `manage.py report_month 2026-10 --scope country`."
            )
        for line in users:
            self.stdout.write(f"  demo login: {line}")

    def _demo_users(self) -> list[str]:
        # Password logins only on a local debug run; elsewhere the accounts are token-only.
        password = DEMO_PASSWORD if settings.DEBUG else None
        specs: list[dict[str, Any]] = [
            {"username": "admin", "role": User.Role.ADMIN},
            {"username": "koordinator-ost", "role": User.Role.COORDINATOR, "region": "ost"},
            {"username": "bufdir", "role": User.Role.DIRECTORATE},
            *(
                {"username": f"staff-{code}", "role": User.Role.OFFICE_STAFF, "office_code": code}
                for code in ("christiania", "enerhaugen", "homansbyen", "oslo-nord")
            ),
            {
                "username": "ekstern-mekler",
                "role": User.Role.EXTERNAL_MEDIATOR,
                "mediator": Mediator.objects.filter(kind="external").order_by("pk").first(),
            },
        ]
        lines = []
        for spec in specs:
            if User.objects.filter(username=spec["username"]).exists():
                continue
            user_create(email=f"{spec['username']}@demo.example", password=password, **spec)
            lines.append(f"{spec['username']} / {password or '(token only)'}")
        return lines
