"""Parents' login through ID-porten (OpenID Connect, mozilla-django-oidc); production only.

The private link stays the way in for everyone (and for the tests); ID-porten is a second way
to the same pages. Parents are not Django users and none is created for them: the ID token's
`pid` (the fødselsnummer) is turned into the keyed digest (intake.national_id) and matched to
the Parent rows of cases; the session then holds those parents' ids ("parent_ids"), and the
"my cases" page links to each parent's live private link (a fresh one when it has lapsed).

ID-porten puts `pid` and `acr` in the ID token itself, so the userinfo endpoint is not called.
A login is accepted only at `idporten-loa-substantial` or higher (IDPORTEN_MIN_ACR): the
answers are health and family information (helsepersonelloven § 21).
"""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from intake.links import link_issue, link_token
from intake.models import IntakeLink, Parent
from intake.national_id import InvalidNationalId, national_id_digest, national_id_normalise

SESSION_KEY = "parent_ids"
# ID-porten's levels of assurance, lowest first.
ACR_LEVELS = ("idporten-loa-low", "idporten-loa-substantial", "idporten-loa-high")


def acr_at_least(acr: Any, minimum: str) -> bool:
    """True when the login's level is known and not below `minimum` (unknown: False)."""
    if not isinstance(acr, str) or acr not in ACR_LEVELS or minimum not in ACR_LEVELS:
        return False
    return ACR_LEVELS.index(acr) >= ACR_LEVELS.index(minimum)


def parents_for_pid(pid: str) -> QuerySet[Parent]:
    """The Parent rows of this person, by the keyed digest of the national id."""
    try:
        number = national_id_normalise(pid)
    except InvalidNationalId:
        return Parent.objects.none()
    return Parent.objects.filter(national_id_digest=national_id_digest(number))


@dataclass(frozen=True)
class ParentLogin:
    """What a good ID-porten login yields instead of a Django user."""

    parent_ids: list[int] = field(default_factory=list)
    is_active: bool = True


class IdportenParentBackend(OIDCAuthenticationBackend):
    """Token exchange and ID token checks are mozilla-django-oidc's; the claims are ours."""

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        minimum = getattr(settings, "IDPORTEN_MIN_ACR", "idporten-loa-substantial")
        if not acr_at_least(claims.get("acr"), minimum):
            return False
        pid = claims.get("pid")
        if not isinstance(pid, str):
            return False
        try:
            national_id_normalise(pid)
        except InvalidNationalId:
            return False
        return True

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[Any]:
        """Parents are never Django users."""
        return self.UserModel.objects.none()

    def create_user(self, claims: dict[str, Any]) -> Any:
        raise SuspiciousOperation("ID-porten logins do not create users")

    def parent_login(self, claims: dict[str, Any]) -> ParentLogin:
        if not self.verify_claims(claims):
            raise SuspiciousOperation("ID-porten claims refused (acr or pid)")
        ids = list(parents_for_pid(claims["pid"]).order_by("pk").values_list("pk", flat=True))
        return ParentLogin(parent_ids=ids)

    def get_or_create_user(self, access_token: str, id_token: str, payload: Any) -> Any:
        return self.parent_login(dict(payload))


def session_parents(request: HttpRequest) -> QuerySet[Parent]:
    ids = request.session.get(SESSION_KEY) or []
    return Parent.objects.filter(pk__in=[int(i) for i in ids]).select_related("case")


def live_link_token(parent: Parent) -> str:
    """The token of the parent's live private link; a fresh link when the last has lapsed."""
    link = (
        IntakeLink.objects.filter(
            parent=parent, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("-created_at")
        .first()
    )
    return link_token(link or link_issue(parent=parent))
