import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.api_errors import ApplicationError
from mediators.models import Mediator, User
from mediators.services import user_create


class Command(BaseCommand):
    help = (
        "Create a user account: office staff (--office), a regional coordinator (--region), "
        "an external mediator (--mediator-email) or an admin. Prints the API token."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", choices=User.Role.values, default=User.Role.OFFICE_STAFF)
        parser.add_argument("--office", help="Office code, for office staff.")
        parser.add_argument("--region", help="Region key, for coordinators.")
        parser.add_argument("--mediator-email", help="The external mediator this account is.")
        parser.add_argument(
            "--password-env",
            help="Read the password from this environment variable "
            "(else it is asked for; empty means no password login, token only).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        mediator = None
        if options["mediator_email"]:
            mediator = Mediator.objects.filter(email=options["mediator_email"]).first()
            if mediator is None:
                raise CommandError("No mediator has that email.")
        if options["password_env"]:
            password = os.environ.get(options["password_env"], "")
        else:
            password = getpass.getpass("Password (empty for token-only): ")
        try:
            user, token = user_create(
                username=options["username"],
                email=options["email"],
                role=options["role"],
                password=password or None,
                office_code=options["office"],
                region=options["region"],
                mediator=mediator,
            )
        except ApplicationError as exc:
            raise CommandError(f"{exc.message} {exc.fields}") from exc
        self.stdout.write(f"Created {user.role} {user.username}. API token: {token}")
