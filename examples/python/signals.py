"""The two signals a payment webhook handler sends to SendPromptly (Python 3.11, standard library).

1. send_receipt(...) right after the provider's webhook is verified and durably stored, before
   the business effect runs: "I accepted this payment event".
2. send_result(...) once the effect (unlock access, grant credits, ...) ran: success or failed.

A failed result, or no result before the deadline, opens an incident for your operator.

Run as a script it demonstrates both:
    SENDPROMPTLY_URL=http://127.0.0.1:8080 SENDPROMPTLY_API_KEY=sk_... python3 examples/python/signals.py evt_123
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from typing import Any


def _base_url() -> str:
    return os.environ.get("SENDPROMPTLY_URL", "http://127.0.0.1:8080").rstrip("/")


def _post(path: str, body: dict[str, Any], idempotency_key: str) -> tuple[int, Any]:
    """POSTs `body` as JSON; answers (status, parsed body). Every POST to receipt or result
    carries an Idempotency-Key: retrying with the same key and body is always safe."""
    request = urllib.request.Request(
        _base_url() + path,
        data=json.dumps(body).encode("utf-8"),
        method="POST",
        headers={
            "Authorization": "Bearer " + os.environ.get("SENDPROMPTLY_API_KEY", ""),
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Idempotency-Key": idempotency_key,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as error:  # 4xx and 5xx arrive as exceptions in urllib
        status, text = error.code, error.read()
    try:
        return status, json.loads(text) if text else None
    except ValueError:
        return status, {"raw": text.decode("utf-8", "replace")}


def send_receipt(
    provider: str,
    provider_event_id: str,
    event_type: str,
    effect_type: str,
    internal_reference: str | None = None,
    timeout_minutes: int | None = None,
) -> tuple[int, Any]:
    """The acceptance signal. `effect_type` is one of access_unlock, credit_grant, seat_update,
    subscription_state_apply, access_revocation, credit_deduction. Answers
    202 {event_id, timeout_at, accepted} (also for a provider redelivery, with "duplicate": true)."""
    body: dict[str, Any] = {
        "provider": provider,  # "stripe" or "shopify"
        "provider_event_id": provider_event_id,  # Stripe evt_..., Shopify webhook id
        "event_type": event_type,  # e.g. checkout.session.completed
        "effect_type": effect_type,
    }
    if internal_reference is not None:
        body["internal_reference"] = internal_reference  # your user/account id
    if timeout_minutes is not None:
        body["timeout_minutes"] = timeout_minutes  # 1..10080, default 30
    return _post("/api/v1/receipt", body, f"receipt-{provider_event_id}")


def send_result(
    status: str,
    event_id: str | None = None,
    provider_event_id: str | None = None,
    error_code: str | None = None,
    error_message: str | None = None,
    replay_id: str | None = None,
    idempotency_key: str | None = None,
) -> tuple[int, Any]:
    """The outcome signal ("success" or "failed"). Name the event by `event_id` (from the
    receipt's answer) or by `provider_event_id`; `replay_id` is set when reporting the outcome of
    a repair callback. Answers 200 {event_id, status, incident_id, incident_status}."""
    body: dict[str, Any] = {"event_id": event_id} if event_id else {"provider_event_id": provider_event_id}
    body["status"] = status
    if replay_id:
        body["replay_id"] = replay_id
    if error_code:
        body["error_code"] = error_code  # short machine-readable label, <= 100 chars
    if error_message:
        body["error_message"] = error_message  # <= 2000 chars
    key = idempotency_key or f"result-{event_id or provider_event_id}-{status}"
    return _post("/api/v1/result", body, key)


def main() -> int:
    """The demo: what a Stripe webhook handler does for checkout.session.completed."""
    if len(sys.argv) != 2:
        print("usage: python3 signals.py <provider_event_id>", file=sys.stderr)
        return 2
    provider_event_id = sys.argv[1]
    # (Your handler has verified Stripe's signature and stored the event at this point.)
    status, receipt = send_receipt(
        provider="stripe",
        provider_event_id=provider_event_id,
        event_type="checkout.session.completed",
        effect_type="access_unlock",
        internal_reference="user_42",
        timeout_minutes=30,
    )
    print(f"receipt -> {status} {json.dumps(receipt)}", flush=True)
    if status != 202:
        return 1

    # The business effect; a fake one here. Real code unlocks access idempotently.
    def unlock_access(user_id: str) -> bool:
        return user_id != ""

    ok = unlock_access("user_42")
    status, result = send_result(
        event_id=receipt["event_id"],
        status="success" if ok else "failed",
        error_code=None if ok else "unlock_failed",
    )
    print(f"result -> {status} {json.dumps(result)}", flush=True)
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
