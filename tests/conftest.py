from typing import Any

import pytest
from rest_framework.test import APIClient

from mediators.demo import demo_offices_load


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def national_offices(db: Any) -> None:
    """The demo set's 41 offices, locations and catchment (no mediators)."""
    demo_offices_load()
