"""Parents' ID-porten login (intake.idporten): the acr check and the pid → Parent mapping,
with crafted claims and no network; the callback and the "your cases" page with the token
exchange stubbed. The private link stays the way in everywhere else in the tests."""

from typing import Any

import pytest
from django.test import Client

from intake.idporten import (
    SESSION_KEY,
    IdportenParentBackend,
    ParentLogin,
    acr_at_least,
    parents_for_pid,
)
from intake.links import link_issue
from intake.national_id import national_id_digest
from mediators.models import User
from tests.factories import ParentFactory

pytestmark = pytest.mark.django_db
PID = "15108695088"  # synthetic, valid check digits
OIDC = {
    "IDPORTEN_ENABLED": True,
    "IDPORTEN_MIN_ACR": "idporten-loa-substantial",
    "OIDC_RP_CLIENT_ID": "mekling-test",
    "OIDC_RP_CLIENT_SECRET": "not-a-secret",
    "OIDC_RP_SIGN_ALGO": "RS256",
    "OIDC_RP_SCOPES": "openid profile",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idporten.test/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://idporten.test/token",
    "OIDC_OP_USER_ENDPOINT": "https://idporten.test/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://idporten.test/jwks.json",
    "OIDC_USE_PKCE": True,
    "OIDC_AUTHENTICATION_CALLBACK_URL": "idporten:callback",
    "OIDC_AUTH_REQUEST_EXTRA_PARAMS": {"acr_values": "idporten-loa-substantial"},
}


@pytest.fixture
def oidc(settings: Any) -> Any:
    for key, value in OIDC.items():
        setattr(settings, key, value)
    return settings


def _claims(**extra: Any) -> dict[str, Any]:
    return {"sub": "abc", "pid": PID, "acr": "idporten-loa-substantial", **extra}


@pytest.mark.parametrize(
    ("acr", "ok"),
    [
        ("idporten-loa-low", False),
        ("idporten-loa-substantial", True),
        ("idporten-loa-high", True),
        ("Level4", False),  # the old names are not accepted
        (None, False),
        ("", False),
    ],
)
def test_the_level_of_assurance_must_be_at_least_substantial(oidc: Any, acr: Any, ok: bool) -> None:
    assert acr_at_least(acr, "idporten-loa-substantial") is ok
    assert IdportenParentBackend().verify_claims(_claims(acr=acr)) is ok


def test_a_pid_with_a_wrong_check_digit_or_missing_is_refused(oidc: Any) -> None:
    backend = IdportenParentBackend()
    assert backend.verify_claims(_claims(pid="15108695089")) is False
    assert backend.verify_claims({"acr": "idporten-loa-high"}) is False


def test_the_pid_finds_the_persons_parents_by_digest_and_makes_no_user(oidc: Any) -> None:
    mine = [ParentFactory.create(national_id_digest=national_id_digest(PID)) for _ in range(2)]
    ParentFactory.create(national_id_digest=national_id_digest("02039010065"))
    users_before = User.objects.count()
    backend = IdportenParentBackend()
    login = backend.get_or_create_user("access", "id-token", _claims())
    assert login == ParentLogin(parent_ids=sorted(p.pk for p in mine))
    assert set(parents_for_pid(PID)) == set(mine)
    assert backend.filter_users_by_claims(_claims()).count() == 0
    assert User.objects.count() == users_before


def test_a_login_below_substantial_is_refused_before_any_parent_is_looked_up(oidc: Any) -> None:
    from django.core.exceptions import SuspiciousOperation

    ParentFactory.create(national_id_digest=national_id_digest(PID))
    with pytest.raises(SuspiciousOperation):
        IdportenParentBackend().get_or_create_user("a", "i", _claims(acr="idporten-loa-low"))


def test_the_id_porten_pages_are_off_unless_enabled(client: Client) -> None:
    for url in ("/idporten/", "/idporten/callback/", "/idporten/mine/"):
        assert client.get(url).status_code == 404


def test_the_start_sends_the_parent_to_id_porten_asking_for_substantial(
    oidc: Any, client: Client
) -> None:
    response = client.get("/idporten/")
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("https://idporten.test/authorize?")
    assert "acr_values=idporten-loa-substantial" in location
    assert "code_challenge=" in location and "nonce=" in location


def test_the_callback_keeps_the_parents_in_the_session_and_lists_their_cases(
    oidc: Any, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = ParentFactory.create(national_id_digest=national_id_digest(PID))
    link_issue(parent=parent)
    client.get("/idporten/")
    state = next(iter(client.session["oidc_states"]))

    def exchanged(self: IdportenParentBackend, request: Any, **kwargs: Any) -> Any:
        # Stands in for the token exchange and ID token signature check (network).
        assert kwargs["nonce"] and kwargs["code_verifier"]
        return self.get_or_create_user("access", "id", _claims())

    monkeypatch.setattr(IdportenParentBackend, "authenticate", exchanged)
    response = client.get(f"/idporten/callback/?code=c&state={state}")
    assert response.status_code == 302 and response["Location"] == "/idporten/mine/"
    assert client.session[SESSION_KEY] == [parent.pk]
    # The state is used up: the same callback again is refused.
    assert client.get(f"/idporten/callback/?code=c&state={state}").status_code == 403
    page = client.get("/idporten/mine/")
    assert page.status_code == 200
    [(shown, token)] = page.context["rows"]
    assert shown == parent
    assert client.get(f"/intake/{token}/").status_code == 200


def test_a_callback_without_a_known_state_is_refused(oidc: Any, client: Client) -> None:
    assert client.get("/idporten/callback/?code=c&state=forged").status_code == 403
    assert SESSION_KEY not in client.session


def test_the_start_page_offers_id_porten_only_when_it_is_on(oidc: Any) -> None:
    page = Client().get("/", HTTP_ACCEPT_LANGUAGE="nb")
    assert b"Logg inn med ID-porten" in page.content
    assert b'href="/idporten/"' in page.content
    oidc.IDPORTEN_ENABLED = False
    assert b"/idporten/" not in Client().get("/").content
