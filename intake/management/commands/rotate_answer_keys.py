"""manage.py rotate_answer_keys: re-encrypt answers with the first ANSWERS_ENCRYPTION_KEYS key."""

from typing import Any

from django.core.management.base import BaseCommand

from intake.key_rotation import answer_keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every questionnaire answer and classification detail with the first key "
        "of ANSWERS_ENCRYPTION_KEYS; afterwards the older keys may be removed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = answer_keys_rotate()
        self.stdout.write(f"Re-encrypted {count} values with the first key.")
