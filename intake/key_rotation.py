"""Re-encrypt every encrypted column with the first of ANSWERS_ENCRYPTION_KEYS."""

from django.db import connection, transaction

from config.crypto import rotate_token
from intake.models import Classification, QuestionnaireResponse
from scheduling.webhooks.models import Subscriber

# (model, column): every EncryptedJSONField of the project.
ENCRYPTED = (
    (QuestionnaireResponse, "answers"),
    (Classification, "reasons"),
    (Classification, "safety_flags"),
    (Subscriber, "secret"),  # webhook signing secrets
)
BATCH = 500


def answer_keys_rotate() -> int:
    """Re-encrypt every stored token with the first key; returns how many values were rewritten.

    Raw SQL on the token: the values are never decrypted into model instances or logs. After it
    ran, keys other than the first may be removed from the environment.
    """
    quote = connection.ops.quote_name
    rewritten = 0
    for model, column in ENCRYPTED:
        # Table and column names come from the fixed list above, quoted; values are parameters.
        table, field = quote(model._meta.db_table), quote(column)
        update = f"UPDATE {table} SET {field} = %s WHERE id = %s"  # noqa: S608 # nosec B608
        ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            placeholders = ",".join(["%s"] * len(batch))
            select = f"SELECT id, {field} FROM {table} WHERE id IN ({placeholders})"  # noqa: S608 # nosec B608
            if connection.vendor == "postgresql":
                select += " FOR UPDATE"
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(select, batch)
                for row_id, token in cursor.fetchall():
                    if token is None:
                        continue
                    cursor.execute(update, [rotate_token(token), row_id])
                    rewritten += 1
    return rewritten
