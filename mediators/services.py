"""Writes about offices, mediators and user accounts."""

from django.db import transaction
from rest_framework.authtoken.models import Token

from config.api_errors import ApplicationError
from mediators.models import Mediator, Office, Region, User


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    role: str,
    password: str | None,
    office_code: str | None = None,
    region: str | None = None,
    mediator: Mediator | None = None,
) -> tuple[User, str]:
    """Create a staff, coordinator, admin or external-mediator account and its API token."""
    if role not in User.Role.values:
        raise ApplicationError(f"Unknown role {role!r}.", fields={"role": ["Unknown role."]})
    if User.objects.filter(username=username).exists():
        raise ApplicationError("That username is taken.", fields={"username": ["Taken."]})
    office = None
    if role == User.Role.OFFICE_STAFF:
        office = Office.objects.filter(code=office_code or "").first()
        if office is None:
            raise ApplicationError(
                "Office staff need an existing office.", fields={"office": ["Unknown office code."]}
            )
    if role == User.Role.COORDINATOR and region not in Region.values:
        raise ApplicationError("A coordinator needs a region.", fields={"region": ["Unknown."]})
    if role == User.Role.EXTERNAL_MEDIATOR and (mediator is None or mediator.kind != "external"):
        raise ApplicationError(
            "An external-mediator account needs an external mediator.",
            fields={"mediator": ["Required."]},
        )
    user = User(
        username=username,
        email=email,
        role=role,
        office=office,
        region=(region or "") if role == User.Role.COORDINATOR else "",
        is_staff=role == User.Role.ADMIN,
        is_superuser=role == User.Role.ADMIN,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    if mediator is not None:
        mediator.user = user
        mediator.save(update_fields=["user"])
    token = Token.objects.create(user=user)
    return user, token.key
