"""Writes of the subscriber registry: create, change, rotate the secret."""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from scheduling.webhooks.models import EventType, Subscriber
from scheduling.webhooks.signing import secret_new

LOCAL_HOST = "127.0.0.1"


def subscriber_url_allowed(url: str) -> bool:
    """https anywhere; http only to 127.0.0.1 and only where WEBHOOK_ALLOW_HTTP_LOCALHOST."""
    parts = urlsplit(url)
    if not parts.hostname or parts.username or parts.password:
        return False
    if parts.scheme == "https":
        return True
    return (
        parts.scheme == "http"
        and parts.hostname == LOCAL_HOST
        and bool(settings.WEBHOOK_ALLOW_HTTP_LOCALHOST)
    )


def subscriber_validate(*, url: str, event_types: list[str]) -> None:
    errors: dict[str, list[str]] = {}
    if not subscriber_url_allowed(url):
        errors["url"] = ["Use an https:// address (no user or password in it)."]
    unknown = sorted(set(event_types) - set(EventType.values))
    if unknown:
        errors["event_types"] = [f"Unknown event types: {', '.join(unknown)}."]
    elif not event_types:
        errors["event_types"] = ["Choose at least one event type."]
    if errors:
        raise ValidationError(errors)


def subscriber_create(
    *, name: str, url: str, event_types: list[str], office: Any = None, active: bool = True
) -> Subscriber:
    subscriber_validate(url=url, event_types=event_types)
    return Subscriber.objects.create(
        name=name,
        url=url,
        event_types=sorted(set(event_types)),
        office=office,
        active=active,
        secret=secret_new(),
    )


def subscriber_update(*, subscriber: Subscriber, **fields: Any) -> Subscriber:
    allowed = {"name", "url", "event_types", "office", "active"}
    if set(fields) - allowed:
        raise ValueError(f"Only {sorted(allowed)} can be changed.")
    url = fields.get("url", subscriber.url)
    event_types = list(fields.get("event_types", subscriber.event_types))
    subscriber_validate(url=url, event_types=event_types)
    for name, value in fields.items():
        setattr(subscriber, name, value)
    subscriber.event_types = sorted(set(event_types))
    subscriber.save(update_fields=[*fields, "event_types", "updated_at"])
    return subscriber


def subscriber_secret_rotate(*, subscriber: Subscriber) -> Subscriber:
    """A new secret from now on; attempts already under way keep the old one."""
    with transaction.atomic():
        locked = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        locked.secret = secret_new()
        locked.save(update_fields=["secret", "updated_at"])
    return locked
