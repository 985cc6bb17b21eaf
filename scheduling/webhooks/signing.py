"""The signature on every POST (Stripe's scheme): `X-Mekling-Signature: t=<unix>,v1=<hex>`.

v1 is HMAC-SHA256 with the subscriber's secret over `<t>.<body>` (the raw bytes). A receiver
recomputes it, compares in constant time, and refuses a timestamp older than a few minutes
(replayed captures). docs/webhooks.md has the receiver's snippet.
"""

import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105  # nosec B105 - a label, not a secret
DEFAULT_TOLERANCE_SECONDS = 300


def secret_new() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(*, secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret=secret, timestamp=timestamp, body=body)}"


def signature_verify(
    *, secret: str, header: str, body: bytes, now: int, tolerance: int = DEFAULT_TOLERANCE_SECONDS
) -> bool:
    """What a receiver does; here for our own tests and for tools that receive our events."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret=secret, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected, parts.get("v1", ""))
