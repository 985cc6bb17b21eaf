from collections.abc import Callable, Iterator
from typing import Any

import pytest

from scheduling.webhooks.models import EventType, Subscriber
from scheduling.webhooks.subscribers import subscriber_create
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def subscribe(db: Any) -> Callable[..., Subscriber]:
    def _subscribe(url: str, **fields: Any) -> Subscriber:
        fields.setdefault("event_types", list(EventType.values))
        return subscriber_create(name=fields.pop("name", "Testsystem"), url=url, **fields)

    return _subscribe
