from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from config.celery import app as celery_app
from mediators.demo import demo_offices_load


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def national_offices(db: Any) -> None:
    """The demo set's 41 offices, locations and catchment (no mediators)."""
    demo_offices_load()


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """Tasks run inline when enqueued: these tests are about intake, not the broker."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = False
        celery_app.conf.task_eager_propagates = False


@pytest.fixture
def call(
    api_client: APIClient, django_capture_on_commit_callbacks: Any, eager_celery: None
) -> Callable[..., Any]:
    """Make an API call and run what it left for after commit, as in production."""

    def _call(method: str, path: str, data: Any = None, **extra: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return getattr(api_client, method)(path, data, format="json", **extra)

    return _call


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`--dist loadgroup`), tests that own a fixed Redis db, start worker or
    server processes, or stop services run one after another on one worker."""
    for item in items:
        if item.get_closest_marker("integration") or "tests/faults/" in item.nodeid:
            item.add_marker(pytest.mark.xdist_group("serial"))
