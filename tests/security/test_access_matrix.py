"""Issue #7, must show 1: every endpoint holding case or answer data, called as every role.

The matrix is data: ENDPOINTS lists each URL × method with a harmless body, its guard, and what
the right user gets. Each guard says what every role must get:

- DENY: no byte of case X in the body, and the denial is byte-identical (status and body) to the
  one for an object that does not exist — a stranger cannot even learn that the case exists.
- OWN: the role reaches its own object by its own link; the body must hold nothing of the
  requester (the other parent, meklingsforskriften § 7) or of case X (another case's parent).
- OK: the right user succeeds, so the test proves the endpoint really works.

Roles: anonymous, the case's other parent, a parent of another case, an external mediator not
offered the case, staff of another office, the right user. Parents have no login: against
staff endpoints they send their own link token as the API token, the only key they hold.
Staff and mediators on the parents' link endpoints keep their login and guess a token.

The staff desk (/desk/) and inbox (/inbox/) pages log staff and mediators in with a verified
two-factor session (tests/pages/auth.py); anonymous callers are sent to the login page, which
counts as a denial.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from tests.pages.auth import verified_login
from tests.security.world import (
    MISSING_APPOINTMENT_TOKEN,
    MISSING_ID,
    MISSING_INTAKE_TOKEN,
    MISSING_REFERENCE,
    World,
    tampered,
    world_build,
)

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "other_parent",
    "other_case_parent",
    "stranger_mediator",
    "other_office_staff",
)
OBJECT_PARAMS = ("reference", "token", "appointment_id", "offer_id", "role")

# Guards: who may reach the object, and so what each role must get.
STAFF = "staff"  # office staff of the case's office (and above)
STAFF_OR_MEDIATOR = "staff_or_mediator"  # ... or the external mediator offered the case
MEDIATOR = "mediator"  # only the external mediator offered the case
INTAKE_LINK = "intake_link"  # a parent by their questionnaire link
APPOINTMENT_LINK = "appointment_link"  # a parent by their appointment link


@dataclass(frozen=True)
class Endpoint:
    route: str  # as the resolver spells it, e.g. "api/v1/cases/<str:reference>/"
    method: str
    guard: str
    ok: tuple[int, ...] = (200,)
    body: dict[str, Any] | None = None
    page: bool = False  # an HTML page (django Client) rather than the JSON API
    role: str = "requester"  # the <role> in the path
    expect: dict[str, str] = field(default_factory=dict)  # per-role override: "deny" / "own"

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.route}"


API = "api/v1/"
CASE = f"{API}cases/<str:reference>/"
APPT = f"{API}appointments/<int:appointment_id>/"
BY_LINK = f"{API}appointments/by-link/<str:token>/"
INTAKE = "intake/<str:token>/"
APPT_PAGE = "appointments/<str:token>/"

ENDPOINTS: list[Endpoint] = [
    # Cases (intake)
    Endpoint(CASE, "get", STAFF_OR_MEDIATOR),
    Endpoint(
        f"{CASE}classification/override",
        "post",
        STAFF,
        ok=(200, 400),
        body={"level": "low", "reason": "Access test"},
    ),
    Endpoint(f"{CASE}parents/<str:role>/resend-link", "post", STAFF, ok=(202,), body={}),
    # An unknown status: the right user gets the field error and the shared case stays open.
    Endpoint(f"{CASE}close", "post", STAFF, ok=(400,), body={"status": "access-test"}),
    # Assignment (mediators)
    Endpoint(f"{CASE}assignment/suggestions/", "get", STAFF),
    Endpoint(f"{CASE}assignment/", "post", STAFF, ok=(201, 400, 409), body={"mediator": 0}),
    Endpoint(f"{API}offers/<int:offer_id>/accept/", "post", MEDIATOR, body={}),
    Endpoint(f"{API}offers/<int:offer_id>/decline/", "post", MEDIATOR, body={"reason": "Full"}),
    # Certificates (scheduling)
    Endpoint(f"{CASE}certificate/", "get", STAFF_OR_MEDIATOR),
    Endpoint(f"{CASE}certificate/<str:role>.pdf", "get", STAFF_OR_MEDIATOR),
    Endpoint(
        f"{CASE}certificate/refuse",
        "post",
        STAFF,
        ok=(200, 400, 409),
        body={"parent_role": "other", "reason": "Access test"},
    ),
    Endpoint(
        f"{APPT}attendance/",
        "post",
        STAFF_OR_MEDIATOR,
        ok=(200, 400, 409),
        body={"requester": True, "other": True},
    ),
    # The mediator's note to the court (scheduling). Case X is no court referral: the right
    # user gets the 409 `not_court_referral`, which proves the view was reached.
    Endpoint(f"{CASE}court-note/", "get", STAFF_OR_MEDIATOR, ok=(409,)),
    Endpoint(f"{CASE}court-note/", "post", STAFF_OR_MEDIATOR, ok=(409,), body={}),
    Endpoint(f"{API}cases/<str:reference>/court-note.pdf", "get", STAFF_OR_MEDIATOR, ok=(409,)),
    # Appointments (scheduling), staff side
    Endpoint(f"{CASE}slots/", "get", STAFF_OR_MEDIATOR),
    Endpoint(f"{CASE}appointments/", "get", STAFF_OR_MEDIATOR),
    # A harmless body: the right user gets the field errors, which proves the view was reached.
    Endpoint(f"{CASE}appointments/", "post", STAFF_OR_MEDIATOR, ok=(400,), body={}),
    Endpoint(f"{APPT}reschedule/", "post", STAFF_OR_MEDIATOR, ok=(400,), body={}),
    Endpoint(f"{APPT}cancel/", "post", STAFF_OR_MEDIATOR, body={"reason": "Access test"}),
    # Questionnaire (intake), by link
    Endpoint(f"{API}{INTAKE}", "get", INTAKE_LINK),
    # The requester has submitted, so their answers are locked (409): the view was reached.
    Endpoint(f"{API}{INTAKE}", "put", INTAKE_LINK, ok=(200, 409), body={"answers": {}}),
    Endpoint(f"{API}{INTAKE}submit", "post", INTAKE_LINK, ok=(200, 400, 409), body={}),
    # Appointment by link (scheduling)
    Endpoint(BY_LINK, "get", APPOINTMENT_LINK),
    Endpoint(f"{BY_LINK}ics", "get", APPOINTMENT_LINK),
    Endpoint(f"{BY_LINK}slots/", "get", APPOINTMENT_LINK, ok=(200, 400)),
    Endpoint(f"{BY_LINK}reschedule/", "post", APPOINTMENT_LINK, ok=(400,), body={}),
    Endpoint(f"{BY_LINK}cancel/", "post", APPOINTMENT_LINK, body={"reason": ""}),
    # The parents' pages, by link
    Endpoint(INTAKE, "get", INTAKE_LINK, page=True, ok=(200, 302)),
    # Submitted answers: the questions and summary send the requester home (302).
    Endpoint(f"{INTAKE}questions/<int:number>/", "get", INTAKE_LINK, page=True, ok=(200, 302)),
    Endpoint(f"{INTAKE}summary/", "get", INTAKE_LINK, page=True, ok=(200, 302)),
    Endpoint(f"{INTAKE}export.json", "get", INTAKE_LINK, page=True),
    Endpoint(f"{INTAKE}submit/", "post", INTAKE_LINK, page=True, ok=(200, 302), body={}),
    # Only the requester has a certificate: the other parent's own link finds none.
    Endpoint(f"{INTAKE}certificate.pdf", "get", INTAKE_LINK, page=True),
    Endpoint(APPT_PAGE, "get", APPOINTMENT_LINK, page=True),
    Endpoint(f"{APPT_PAGE}reschedule/", "get", APPOINTMENT_LINK, page=True),
    Endpoint(f"{APPT_PAGE}cancel/", "get", APPOINTMENT_LINK, page=True),
    Endpoint(f"{APPT_PAGE}calendar.ics", "get", APPOINTMENT_LINK, page=True),
    Endpoint(f"{APPT_PAGE}certificate.pdf", "get", APPOINTMENT_LINK, page=True),
]

DESK_CASE = "desk/cases/<str:reference>/"
DESK_APPT = f"{DESK_CASE}appointments/<int:appointment_id>/"
SENT = (200, 302, 400)  # a form post: done and redirected, or the form again with its errors
ENDPOINTS += [
    Endpoint(DESK_CASE, "get", STAFF, page=True),
    Endpoint(f"{DESK_CASE}answers/<str:role>/", "get", STAFF, page=True),
    Endpoint(f"{DESK_CASE}classification/", "post", STAFF, page=True, ok=SENT, body={}),
    Endpoint(
        f"{DESK_CASE}parents/<str:role>/resend-link/", "post", STAFF, page=True, ok=SENT, body={}
    ),
    Endpoint(f"{DESK_CASE}assign/", "post", STAFF, page=True, ok=SENT, body={}),
    Endpoint(f"{DESK_CASE}close/", "post", STAFF, page=True, ok=(400,), body={}),
    Endpoint(f"{DESK_CASE}appointments/", "post", STAFF, page=True, ok=SENT, body={}),
    Endpoint(f"{DESK_APPT}cancel/", "post", STAFF, page=True, ok=SENT, body={}),
    Endpoint(f"{DESK_APPT}attendance/", "post", STAFF, page=True, ok=SENT, body={}),
    Endpoint(f"{DESK_CASE}certificates/issue/", "post", STAFF, page=True, ok=SENT, body={}),
    Endpoint(f"{DESK_CASE}certificates/refuse/", "post", STAFF, page=True, ok=SENT, body={}),
    # Case X is no court referral: the page shows why there is no note to write.
    Endpoint(f"{DESK_CASE}court-note/", "get", STAFF, page=True),
    Endpoint(f"{DESK_CASE}court-note/", "post", STAFF, page=True, ok=SENT, body={}),
    # The offered mediator sees case X: the page says why there is no note to write.
    Endpoint("inbox/court-notes/<str:reference>/", "get", MEDIATOR, page=True),
    Endpoint("inbox/court-notes/<str:reference>/", "post", MEDIATOR, page=True, ok=SENT, body={}),
    Endpoint("inbox/offers/<int:offer_id>/", "get", MEDIATOR, page=True),
    Endpoint("inbox/offers/<int:offer_id>/accept/", "post", MEDIATOR, page=True, ok=SENT, body={}),
    Endpoint("inbox/offers/<int:offer_id>/decline/", "post", MEDIATOR, page=True, ok=SENT, body={}),
]
PAGES_NOT_YET_IN_MATRIX: tuple[str, ...] = ()


def expectation(endpoint: Endpoint, role: str) -> str:
    if role in endpoint.expect:
        return endpoint.expect[role]
    if endpoint.guard in (INTAKE_LINK, APPOINTMENT_LINK) and role in (
        "other_parent",
        "other_case_parent",
    ):
        return "own"
    return "deny"


# ---- calling ---------------------------------------------------------------------------------


def _path(endpoint: Endpoint, values: dict[str, Any]) -> str:
    path = "/" + endpoint.route
    path = path.replace("<int:number>", "1").replace("<str:role>", endpoint.role)
    for name, value in values.items():
        path = re.sub(rf"<(?:str|int):{name}>", str(value), path)
    assert "<" not in path, path
    return path


def _values(
    world: World, endpoint: Endpoint, role: str, *, missing: bool = False
) -> dict[str, Any]:
    """The path parameters the role sends (its own token on link endpoints)."""
    if endpoint.guard in (INTAKE_LINK, APPOINTMENT_LINK):
        kind = "intake" if endpoint.guard == INTAKE_LINK else "appointment"
        if missing:
            token = MISSING_INTAKE_TOKEN if kind == "intake" else MISSING_APPOINTMENT_TOKEN
        elif role == "right":
            token = world.tokens[f"{kind}:requester"]
        elif role == "other_parent":
            token = world.tokens[f"{kind}:other"]
        elif role == "other_case_parent":
            token = world.tokens[f"{kind}:stranger"]
        else:  # nobody else holds a link: they guess one
            token = tampered(world.tokens[f"{kind}:requester"])
        return {"token": token}
    return {
        "reference": MISSING_REFERENCE if missing else world.case.reference,
        "appointment_id": MISSING_ID if missing else world.appointment.pk,
        "offer_id": MISSING_ID if missing else world.offer.pk,
    }


def _client(world: World, endpoint: Endpoint, role: str) -> Any:
    client: Any = Client() if endpoint.page else APIClient()
    user = {
        "stranger_mediator": world.stranger_mediator_user,
        "other_office_staff": world.other_staff,
    }.get(role)
    if role == "right":
        user = world.mediator_user if endpoint.guard == MEDIATOR else world.staff
    if endpoint.page or endpoint.guard in (INTAKE_LINK, APPOINTMENT_LINK):
        if user is not None:  # logged in, which must not open anyone's link
            verified_login(client, user)  # past the two-factor step (config.two_factor)
        return client
    key = {
        "stranger_mediator": "api:stranger_mediator",
        "other_office_staff": "api:other_staff",
        "right": "api:mediator" if endpoint.guard == MEDIATOR else "api:staff",
    }.get(role)
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[key]}")
    elif role in ("other_parent", "other_case_parent"):
        own = "intake:other" if role == "other_parent" else "intake:stranger"
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[own]}")
    return client


def _call(world: World, endpoint: Endpoint, role: str, *, missing: bool = False) -> Any:
    client = _client(world, endpoint, role)
    path = _path(endpoint, _values(world, endpoint, role, missing=missing))
    call: Callable[..., Any] = getattr(client, endpoint.method)
    if endpoint.page:
        return call(path, endpoint.body) if endpoint.body is not None else call(path)
    return call(path, endpoint.body, format="json")


_VARYING = [
    re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*'),
    re.compile(rb'(nonce=")[^"]*'),
]


def _content(response: Any) -> bytes:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    for pattern in _VARYING:  # per-response randomness, not information about the object
        content = pattern.sub(rb"\1", content)
    # The page echoes the path it was asked for (the language form's `next`): what the caller
    # sent, not what the server knows.
    path = response.request["PATH_INFO"].encode()
    return bytes(content).replace(path, b"<path>")


def _leaks(content: bytes, secrets: list[str]) -> list[str]:
    text = content.decode("utf-8", errors="replace")
    return [s for s in secrets if s and s in text]


# ---- the matrix --------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_endpoint_serves_only_the_right_user(endpoint: Endpoint) -> None:
    if endpoint.route not in _routes(get_resolver().url_patterns):
        pytest.skip("not in the URLconf (yet)")
    world = world_build()
    problems: list[str] = []
    deny = [role for role in ROLES if expectation(endpoint, role) == "deny"]
    own = [role for role in ROLES if expectation(endpoint, role) == "own"]
    for role in deny:
        response = _call(world, endpoint, role)
        content = _content(response)
        to_login = response.status_code == 302 and "/login/" in response.get("Location", "")
        if response.status_code < 400 and not to_login:
            problems.append(f"{role}: not denied ({response.status_code})")
        if leaked := _leaks(content, world.secrets()):
            problems.append(f"{role}: denial shows {leaked}")
        missing = _call(world, endpoint, role, missing=True)
        if (response.status_code, content) != (missing.status_code, _content(missing)):
            problems.append(
                f"{role}: denial differs from a missing object's "
                f"({response.status_code} {content[:120]!r} vs "
                f"{missing.status_code} {_content(missing)[:120]!r})"
            )
    # The right user gets through (before the parents' own calls, which may change the world).
    response = _call(world, endpoint, "right")
    if response.status_code not in endpoint.ok or "/login/" in response.get("Location", ""):
        problems.append(f"right user: {response.status_code} {_content(response)[:300]!r}")
    for role in own:
        content = _content(_call(world, endpoint, role))
        secrets = world.requester_secrets() if role == "other_parent" else world.secrets()
        if leaked := _leaks(content, secrets):
            problems.append(f"{role}: own view shows {leaked}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("route", "user"),
    [(f"{CASE}", "mediator"), (f"{CASE}certificate/", "mediator")],
)
def test_the_offered_mediator_reads_the_case(route: str, user: str) -> None:
    world = world_build()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens['api:' + user]}")
    response = client.get(
        _path(
            Endpoint(route, "get", STAFF_OR_MEDIATOR),
            _values(world, Endpoint(route, "get", STAFF_OR_MEDIATOR), "right"),
        )
    )
    assert response.status_code == 200
    assert world.case.reference in response.content.decode()


def test_lists_hold_only_what_is_yours() -> None:
    """No object in the path, so nothing to deny: the lists must not show case X to strangers."""
    world = world_build()
    staff_b = APIClient()
    staff_b.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens['api:other_staff']}")
    mediator_2 = APIClient()
    mediator_2.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens['api:stranger_mediator']}")
    for client, path in ((staff_b, "/api/v1/cases/"), (mediator_2, "/api/v1/offers/")):
        response = client.get(path)
        assert response.status_code == 200
        assert not _leaks(response.content, world.secrets()), path
    for path in ("/api/v1/cases/", "/api/v1/offers/"):
        anonymous = APIClient().get(path)
        assert anonymous.status_code in (401, 403)
        assert not _leaks(anonymous.content, world.secrets())
    staff_a = APIClient()
    staff_a.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens['api:staff']}")
    assert world.case.reference in staff_a.get("/api/v1/cases/").content.decode()


# ---- the matrix stays complete -----------------------------------------------------------------


def _routes(patterns: list[Any], prefix: str = "") -> list[str]:
    routes: list[str] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes.extend(_routes(pattern.url_patterns, route))
        elif isinstance(pattern, URLPattern):
            routes.append(route)
    return routes


def test_every_url_that_takes_an_object_is_in_the_matrix() -> None:
    """A new endpoint with a reference, token, id or role in its path must join ENDPOINTS."""
    in_matrix = {endpoint.route for endpoint in ENDPOINTS}
    missing = [
        route
        for route in _routes(get_resolver().url_patterns)
        if any(f":{param}>" in route for param in OBJECT_PARAMS)
        and route not in in_matrix
        and not (PAGES_NOT_YET_IN_MATRIX and route.startswith(PAGES_NOT_YET_IN_MATRIX))
    ]
    assert not missing, f"add these to ENDPOINTS: {missing}"
