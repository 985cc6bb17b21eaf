"""Locust users of the load benchmark (bench/load_questionnaires.py starts it; not by hand).

- `BareUser`: GET the bare DRF endpoint (bench/load/urls.py) back to back: the framework's ceiling.
- `ParentUser`: one parent after another, each through their own private link as the page does
  it: read the questionnaire, save one answer per screen (PUT), submit (POST). Back to back.
- `PacedParentUser`: the same parents' walk, each parent one request a second (`--pace`).

Each parent comes from the seeded pool (BENCH_TOKENS: token and a synthetic client address of
198.18.0.0/15, sent as X-Forwarded-For as the TLS proxy in front of production would), so the
throttles count per parent at their production rates. `Phases` runs the phases of BENCH_PHASES
one after the other in this one locust run; every request is recorded (BENCH_RESULTS) with its
end time, so the runner cuts each phase's own window.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any

from locust import LoadTestShape, User, between, constant, constant_pacing, events, task
from locust.contrib.fasthttp import FastHttpUser

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from intake.questionnaire import load_questionnaire  # noqa: E402 (stdlib only, no Django)

PACE_SECONDS = float(os.environ.get("BENCH_PACE_SECONDS", "1.0"))
PHASES: list[dict[str, Any]] = json.loads(os.environ.get("BENCH_PHASES", "[]"))
RESULTS = os.environ.get("BENCH_RESULTS", "")
_pool: deque[tuple[str, str]] = deque(
    tuple(row) for row in json.loads(Path(os.environ["BENCH_TOKENS"]).read_text())
)
_records: list[tuple[float, str, str, float, int, str]] = []
_random = random.Random(8)
QUESTIONNAIRE = load_questionnaire("v1")
FREE_TEXT = "Vi ønsker en god ordning for barna."  # synthetic


def _headers(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address, "X-Forwarded-Proto": "https"}


# An autosave asks only whether it landed (RFC 7240; intake/api/answering.py), as a client of
# the API would; the GET before the first save reads the whole questionnaire.
SAVE_HEADERS = {"Prefer": "return=minimal"}


@events.request.add_listener
def _record(
    request_type: str,
    name: str,
    response_time: float,
    response_length: int,
    exception: Exception | None = None,
    context: dict[str, Any] | None = None,
    response: Any = None,
    **_: Any,
) -> None:
    cls = (context or {}).get("cls", "")
    status = getattr(response, "status_code", 0) or 0
    error = "" if exception is None else type(exception).__name__
    _records.append((time.time(), cls, name, float(response_time), int(status), error))


_started: list[float] = []


@events.test_start.add_listener
def _start(**_: Any) -> None:
    _started.append(time.time())


@events.quitting.add_listener
def _dump(**_: Any) -> None:
    if RESULTS:
        data = {"records": _records, "pool_left": len(_pool), "started": _started[0]}
        Path(RESULTS).write_text(json.dumps(data))


class BareUser(FastHttpUser):
    wait_time = constant(0)

    def context(self) -> dict[str, Any]:
        return {"cls": "bare"}

    @task
    def bare(self) -> None:
        self.client.get("/bench/bare/", headers=_headers("198.19.255.1"), name="bare GET")


class ParentUser(FastHttpUser):
    """One request per task, so the wait time (none here, a pace below) falls between them."""

    wait_time = constant(0)
    label = "parents"

    def on_start(self) -> None:
        self.steps: deque[tuple[str, str, Any]] = deque()
        self.address = ""
        self.token = ""

    def context(self) -> dict[str, Any]:
        return {"cls": self.label}

    def _next_parent(self) -> bool:
        if not _pool:
            return False
        self.token, self.address = _pool.popleft()
        base = f"/api/v1/intake/{self.token}/"
        self.steps.append(("GET", base, None))
        for item in QUESTIONNAIRE.items:
            value = _random.choice(item.choices).value if item.choices else FREE_TEXT
            self.steps.append(("PUT", base, {"answers": {item.id: value}}))
        self.steps.append(("POST", f"{base}submit", None))
        return True

    @task
    def step(self) -> None:
        if not self.steps and not self._next_parent():
            _records.append((time.time(), self.label, "pool empty", 0.0, 0, "PoolEmpty"))
            time.sleep(1)
            return
        method, path, body = self.steps.popleft()
        name = {"GET": "intake GET", "PUT": "intake PUT (save)", "POST": "intake submit"}[method]
        headers = _headers(self.address) | (SAVE_HEADERS if method == "PUT" else {})
        with self.client.request(
            method, path, json=body, headers=headers, name=name, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")


class PacedParentUser(ParentUser):
    """Each parent one request every PACE_SECONDS, at a phase of their own.

    Locust starts all users of a second in one dispatch (`floor(spawn_rate)` at once), and
    constant pacing then keeps them in step: 50 parents would hit the server within the same
    millisecond every second, which 50 people on their phones never do. A random offset at the
    start spreads the arrivals evenly over the period, at the same rate.
    """

    wait_time = constant_pacing(PACE_SECONDS)
    label = "parents-paced"

    def on_start(self) -> None:
        super().on_start()
        time.sleep(_random.uniform(0, PACE_SECONDS))  # gevent's sleep under locust


class JitterParentUser(ParentUser):
    """Not used by default: human-like think time (for manual runs)."""

    wait_time = between(2, 8)
    label = "parents-human"


USER_CLASSES = {
    "bare": BareUser,
    "parents": ParentUser,
    "parents-paced": PacedParentUser,
    "parents-human": JitterParentUser,
}


class Phases(LoadTestShape):
    """BENCH_PHASES: [{"cls": "bare", "users": 50, "seconds": 30}, ...], one after another."""

    use_common_options = False

    def tick(self) -> tuple[int, float, list[type[User]] | None] | None:
        run_time = self.get_run_time()
        for index, phase in enumerate(PHASES):
            if run_time < phase["seconds"]:
                users = int(phase["users"])
                classes: list[type[User]] | None = [USER_CLASSES[phase["cls"]]]
                if index and run_time < 1:
                    # Locust keeps the running users when only the class changes: stop them all
                    # first, then start the next phase's class.
                    return 0, float(users), classes
                return users, float(users), classes
            run_time -= phase["seconds"]
        return None
