"""The beat scheduler: django-celery-beat's database scheduler that also reports it is alive."""

import logging
import socket
import time
from typing import Any

from django.db import DatabaseError, close_old_connections
from django_celery_beat.schedulers import DatabaseScheduler

from scheduling.models import Heartbeat
from scheduling.services import heartbeat_record

logger = logging.getLogger(__name__)

HEARTBEAT_EVERY_SECONDS = 10.0


class HeartbeatDatabaseScheduler(DatabaseScheduler):
    _last_heartbeat = 0.0

    def tick(self, *args: Any, **kwargs: Any) -> float:
        next_in: float = super().tick(*args, **kwargs)
        if time.monotonic() - self._last_heartbeat >= HEARTBEAT_EVERY_SECONDS:
            self._record_heartbeat()
        return min(next_in, HEARTBEAT_EVERY_SECONDS)

    def _record_heartbeat(self) -> None:
        # Beat must keep scheduling through a database outage; the health page shows the gap.
        try:
            close_old_connections()
            heartbeat_record(component=Heartbeat.Component.BEAT, detail=socket.gethostname())
            self._last_heartbeat = time.monotonic()
        except DatabaseError:
            logger.warning("beat heartbeat could not be recorded", exc_info=True)
