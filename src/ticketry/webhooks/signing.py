"""Request headers of a notification, signatures included.

`X-Hub-Signature` is Intercom's (HMAC-SHA1 of the body, keyed with the subscription's
`hub_secret`; unsigned without one, as Intercom's Subscriptions API did). It signs no
time, so a captured request replays forever; `X-Ticketry-Signature` (as Stripe's) signs
`"<t>.<body>"` with HMAC-SHA256 so a receiver can refuse stale ones.
"""

from __future__ import annotations

import hashlib
import hmac

USER_AGENT = "Ticketry-Webhooks/1.0"


def hub_signature(secret: str, body: bytes) -> str:
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


def ticketry_signature(secret: str, body: bytes, at: int) -> str:
    signed = f"{at}.".encode() + body
    return f"t={at},v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def headers(notification_id: str, secret: str | None, body: bytes, at: int) -> dict[str, str]:
    out = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
        "X-Ticketry-Delivery": notification_id,
    }
    if secret:
        out["X-Hub-Signature"] = hub_signature(secret, body)
        out["X-Ticketry-Signature"] = ticketry_signature(secret, body, at)
    return out
