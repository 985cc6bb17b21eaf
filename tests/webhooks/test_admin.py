"""The admin: subscribers (https only, a generated secret), the delivery log, replay; the
sweep's beat schedule; secrets rotate with the answers' keys."""

from collections.abc import Callable
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.test import Client, override_settings
from django_celery_beat.models import PeriodicTask

from config.celery import app as celery_app
from intake.key_rotation import answer_keys_rotate
from mediators.models import User
from scheduling.schedules import schedules_install
from scheduling.webhooks.delivery import webhook_delivery_attempt
from scheduling.webhooks.events import webhook_event_record
from scheduling.webhooks.models import Delivery, EventType, Subscriber
from tests.factories import CaseFactory
from tests.pages.auth import verified_login
from tests.webhooks.receiver import Receiver, verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client) -> Client:
    admin = User.objects.create_superuser("hook-admin", "a@test.example", "x", role="admin")
    return verified_login(client, admin)


def test_an_admin_registers_a_subscriber_with_a_generated_secret(admin_client: Client) -> None:
    form = {"name": "Saksbehandling", "event_types": ["case.requested", "certificate.issued"]}
    refused = admin_client.post(
        "/admin/webhooks/subscriber/add/",
        {**form, "url": "http://hooks.test.example/", "active": "on"},
    )
    assert refused.status_code == 200 and "https://" in refused.content.decode()
    assert not Subscriber.objects.exists()

    added = admin_client.post(
        "/admin/webhooks/subscriber/add/",
        {**form, "url": "https://hooks.test.example/mekling", "active": "on"},
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    subscriber = Subscriber.objects.get()
    assert subscriber.secret.startswith("whsec_") and len(subscriber.secret) > 40
    assert subscriber.event_types == ["case.requested", "certificate.issued"]
    with connection.cursor() as cursor:  # encrypted at rest
        cursor.execute("SELECT secret FROM webhooks_subscriber WHERE id = %s", [subscriber.pk])
        (stored,) = cursor.fetchone()
    assert subscriber.secret not in stored
    page = admin_client.get(f"/admin/webhooks/subscriber/{subscriber.pk}/change/")
    assert subscriber.secret in page.content.decode()  # to hand to the receiver's operator

    old = subscriber.secret
    admin_client.post(
        "/admin/webhooks/subscriber/",
        {"action": "rotate_secret", "_selected_action": [subscriber.pk]},
    )
    subscriber.refresh_from_db()
    assert subscriber.secret != old and subscriber.secret.startswith("whsec_")


def test_the_delivery_log_shows_each_attempt_and_replay_sends_the_event_again(
    admin_client: Client,
    subscribe: Callable[..., Subscriber],
    django_capture_on_commit_callbacks: Any,
    eager_celery: None,
) -> None:
    receiver = Receiver(answers=(500,)).start()
    try:
        subscriber = subscribe(receiver.url)
        case = CaseFactory.create()
        event = webhook_event_record(type=EventType.CASE_REQUESTED, case=case)
        delivery = Delivery.objects.get(event=event)
        assert webhook_delivery_attempt(delivery_id=delivery.pk).result == "retry"
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=event.occurred_at)
        webhook_delivery_attempt(delivery_id=delivery.pk)  # the retry, without the wait
        delivery.refresh_from_db()
        assert delivery.status == "succeeded"

        page = admin_client.get(f"/admin/webhooks/delivery/{delivery.pk}/change/").content.decode()
        assert "500" in page and "HTTP 500" in page  # the log: both attempts
        assert admin_client.get("/admin/webhooks/delivery/").status_code == 200
        assert admin_client.get(f"/admin/webhooks/event/{event.pk}/change/").status_code == 200
        assert admin_client.get("/admin/webhooks/delivery/add/").status_code == 403

        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                "/admin/webhooks/delivery/",
                {"action": "replay_deliveries", "_selected_action": [delivery.pk]},
                follow=True,
            )
        assert response.status_code == 200 and "1 of 1" in response.content.decode()
    finally:
        receiver.stop()
    replay = Delivery.objects.get(event=event, replay=1)
    assert replay.replayed_by is not None and replay.replayed_by.username == "hook-admin"
    assert (replay.status, replay.attempts) == ("succeeded", 1)
    assert [r.event_id for r in receiver.received] == [str(event.uuid)] * 3
    assert verify(subscriber.secret, receiver.received[-1])


def test_beat_sweeps_the_deliveries_every_minute() -> None:
    schedules_install()
    sweep = PeriodicTask.objects.get(name="mekling:sweep-webhooks")
    assert (sweep.task, sweep.interval.every, sweep.enabled) == (
        "webhooks.sweep_deliveries",
        60,
        True,
    )
    assert {"webhooks.sweep_deliveries", "webhooks.deliver"} <= set(celery_app.tasks)
    task: Any = celery_app.tasks["webhooks.deliver"]
    assert (task.acks_late, task.reject_on_worker_lost) == (True, True)


def test_subscriber_secrets_are_rotated_with_the_answers_keys(
    subscribe: Callable[..., Subscriber], settings: Any
) -> None:
    subscriber = subscribe("https://hooks.test.example/")
    new_key = Fernet.generate_key().decode()
    with override_settings(ANSWERS_ENCRYPTION_KEYS=[new_key, *settings.ANSWERS_ENCRYPTION_KEYS]):
        assert answer_keys_rotate() >= 1
    with override_settings(ANSWERS_ENCRYPTION_KEYS=[new_key]):  # the old key removed
        assert Subscriber.objects.get(pk=subscriber.pk).secret == subscriber.secret
