"""The Django side of the PostgreSQL restart test, run as a subprocess against the private
cluster (DJANGO_SETTINGS_MODULE=config.settings.test, TEST_DATABASE_URL, TEST_CELERY_BROKER_URL):

    python -m tests.faults.sweeper SECONDS

It stands in for beat: a tick every TICK seconds runs the real sweep (a small batch, so a
restart falls mid-way); a tick that hits a dead connection fails, and the next tick, on a new
connection, goes on. It stops once every duty is done, or after SECONDS. It prints one line a
tick: `ok <claimed>` or `error <type>`.
"""

import sys
import time
from datetime import timedelta

import django

TICK = 0.2
BATCH = 5
# Stuck claims (a message whose task gave up while the database was away) go round again
# after this; production waits DUTY_RECLAIM_AFTER.
RECLAIM_AFTER = timedelta(seconds=5)


def main(seconds: str) -> None:
    django.setup()
    from django.db import DatabaseError, connection

    from scheduling.duties import duties_dispatch_due
    from scheduling.models import Duty

    deadline = time.monotonic() + float(seconds)
    while time.monotonic() < deadline:
        try:
            claimed = duties_dispatch_due(limit=BATCH, reclaim_after=RECLAIM_AFTER)
            print(f"ok {claimed}", flush=True)
            if not Duty.objects.exclude(status=Duty.Status.DONE).exists():
                return
        except DatabaseError as error:  # OperationalError, InterfaceError
            print(f"error {type(error).__name__}", flush=True)
            connection.close()  # the next tick connects afresh
        time.sleep(TICK)
    sys.exit("gave up: duties left undone")


if __name__ == "__main__":
    main(sys.argv[1])
