"""The audit trail: who read answers or changed a case, when, and from where."""

from typing import Any

from intake.models import AuditEvent


def audit_record(
    *,
    action: str,
    case_reference: str,
    actor: Any = None,
    remote_addr: str | None = None,
    detail: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Append one event. `detail` holds ids and names of things, never answers or ids of people.

    Who: the staff user, else `actor_label` (e.g. "parent:requester", "system"), else "public".
    """
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        action=action,
        case_reference=case_reference,
        actor=actor if authenticated else None,
        actor_label=actor.get_username() if authenticated else (actor_label or "public")[:80],
        remote_addr=remote_addr,
        detail=detail or {},
    )
