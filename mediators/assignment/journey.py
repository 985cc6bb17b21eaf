"""Estimated road journey from the parents' home to a meeting place.

No routing service: great-circle (haversine) kilometres × a road factor at an average speed, plus
a fixed overhead (`journey.*` in the rules table). Good enough to rank places and to apply the
"about 2 hours each way" guidance; a routing service can replace it behind the same function.
"""

from __future__ import annotations

import math
from functools import lru_cache

from mediators.assignment.rules import number
from mediators.assignment.types import LocationRef, Place

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)


def haversine_km(a: Place, b: Place) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@lru_cache(maxsize=65536)
def journey_minutes(home: Place, place: Place) -> int:
    """Estimated one-way road journey in whole minutes (rounded up).

    minutes = overhead + haversine_km × road_factor / speed_kmh × 60
    (10 min + km × 1.35 / 65 km/h; e.g. 50 km straight line → about 72 minutes).
    """
    km = haversine_km(home, place) * number("journey.road_factor")
    minutes = number("journey.overhead_minutes") + km / number("journey.speed_kmh") * 60
    return math.ceil(minutes - 1e-9)


def nearest_location(home: Place, locations: tuple[LocationRef, ...]) -> tuple[LocationRef, int]:
    """The mediator's location with the shortest journey (ties: lowest location id)."""
    if not locations:
        raise ValueError("No locations.")
    if len(locations) == 1:
        return locations[0], journey_minutes(home, locations[0].place)
    return min(
        ((loc, journey_minutes(home, loc.place)) for loc in locations),
        key=lambda pair: (pair[1], pair[0].location_id),
    )
