"""Each parent's private questionnaire link: issue, resolve, revoke.

A token is `signing.dumps({"l": link id, "s": salt})` under a dedicated salt: unguessable,
bound to one link (so one parent of one case), checked against the row's expiry and
revocation. Nothing secret is stored: a copy of the database cannot produce a valid token.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from intake.models import IntakeLink, Parent

SIGNING_SALT = "mekling.intake-link.v1"


class LinkInvalid(LookupError):
    """Wrong, tampered, expired or revoked: callers answer all of them the same way."""


def link_token(link: IntakeLink) -> str:
    return signing.dumps({"l": link.pk, "s": link.salt}, salt=SIGNING_SALT, compress=False)


def link_url(link: IntakeLink) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/intake/{link_token(link)}/"


def link_issue(*, parent: Parent) -> IntakeLink:
    """A fresh link for this parent; earlier links of the parent stop working."""
    now = timezone.now()
    with transaction.atomic():
        IntakeLink.objects.filter(parent=parent, revoked_at__isnull=True).update(revoked_at=now)
        return IntakeLink.objects.create(
            parent=parent,
            salt=secrets.token_urlsafe(16),
            created_at=now,
            expires_at=now + timedelta(days=settings.INTAKE_LINK_DAYS),
        )


def link_payload(token: str) -> tuple[int, str]:
    """The link id and salt a token carries, if its signature holds; else LinkInvalid."""
    try:
        payload = signing.loads(token, salt=SIGNING_SALT)
        return int(payload["l"]), str(payload["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise LinkInvalid from exc


def link_resolve(token: str, *, with_response: bool = False) -> IntakeLink:
    """The live link a token stands for, or LinkInvalid; with the parent and the case, and with
    `with_response` the parent's questionnaire response in the same query."""
    link_id, salt = link_payload(token)
    try:
        # get(), not first(): one row at most, and first()'s ORDER BY is costly to compile on
        # the path every save of a questionnaire takes (bench/load_questionnaires.py).
        related = ("parent__case", "parent__response") if with_response else ("parent__case",)
        link = IntakeLink.objects.select_related(*related).get(
            pk=link_id, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
    except IntakeLink.DoesNotExist:
        raise LinkInvalid from None
    if not constant_time_compare(link.salt, salt):
        raise LinkInvalid
    return link
